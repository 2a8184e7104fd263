"""Command latency through the real player in a private PulseAudio room.

`voicecoach play chair-gentle-start --plain` runs under the room (its speaker and
microphone are the room's; its own speech is in what it hears), with the speech model.
A human "stop" clip, brought to 10 dB above the player's speech level, is played into
the room with paplay, alternately over the player's speech (just after a long sentence
began) and in a quiet moment; a second later "continue" is typed on the player's stdin
so the session goes on. The room's monitor is recorded (parec) with the wall clock of
each sample.

From the recording: the clip is found by cross-correlation, so its end of speech is
known on the wall clock. Two latencies from there:
- to the "Stopped." line of the plain display (the state change, as the person sees it);
- to the player's speech being cut: the sentence it was saying is synthesised again
  (same voice and settings), found in the recording, and the cut is the first moment,
  after the clip's end of speech, at which that sentence is missing from the room
  (an upper bound: the true cut is at most one 20 ms frame, or one pause in the
  sentence, earlier). Only for clips heard over speech.
"""

from __future__ import annotations

import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.bench.context import BenchContext
from voicecoach.bench.results import Figure, Goal, Measurement
from voicecoach.bench.room import RATE, PlayerProcess, RoomRecording, virtual_room
from voicecoach.bench.stats import percentile, summary
from voicecoach.bench.stream_path import SpokenClip, active_rms, clips_of

GOAL = Goal("<=", 0.300)
SCRIPT = "chair-gentle-start"
SNR_DB = 10.0
LONG_SENTENCE_WORDS = 9
FRAME = RATE // 50
ACK = "Stopped. Say continue to carry on, or stop again to finish."


@dataclass
class Trial:
    clip: SpokenClip
    path: Path
    samples: np.ndarray
    """As played (scaled), 16 kHz."""
    want_speech: bool
    played_at: float = 0.0
    said_before: str = ""
    said_before_at: float = 0.0
    stopped_at: float | None = None


def measure(ctx: BenchContext) -> Measurement:
    m = Measurement(
        "room-latency",
        "Command latency, PulseAudio room",
        method=f"The real player (`voicecoach play {SCRIPT} --plain`) in a private "
        f"PulseAudio room; human 'stop' clips {SNR_DB:g} dB above its speech level played "
        "into the room (paplay) over its speech or in a quiet moment; the room recorded "
        "(parec). End of speech (found by cross-correlation) to the 'Stopped.' line, and "
        "to its speech being cut in the recording.",
    )
    labels = ("p50 to 'Stopped.' line", "p95 to 'Stopped.' line", "p95 to speech cut")
    trials_wanted = ctx.reps(10, 4)
    if ctx.manifest is None:
        for label in labels:
            m.not_measured(label, "ms", GOAL, "no speech corpus", scale=1000)
        return m
    with virtual_room(ctx.root) as (room, why):
        if room is None:
            for label in labels:
                m.not_measured(label, "ms", GOAL, why, scale=1000)
            return m
        trials = _prepare(ctx, trials_wanted)
        env = ctx.env(base=room.env)
        recording = RoomRecording(env).start()
        player = PlayerProcess(ctx.voicecoach("play", SCRIPT, "--plain"), env)
        peak_mb: float | None = None
        try:
            _run(player, room, recording, trials)
            peak_mb = player.peak_memory_mb()
        finally:
            player.stop()
            recording.stop()
    audio, offset = recording.audio()
    results = [_analyse(t, audio, offset) for t in trials]
    stopped = [r["to_stopped_line_s"] for r in results if r.get("to_stopped_line_s") is not None]
    cuts = [r["to_speech_cut_s"] for r in results if r.get("to_speech_cut_s") is not None]
    heard = f"{len(stopped)}/{len(trials)} clips acted on"
    m.figures += [
        Figure(labels[0], percentile(stopped, 50), "ms", GOAL, scale=1000, note=heard),
        Figure(labels[1], percentile(stopped, 95), "ms", GOAL, scale=1000),
        Figure(
            labels[2],
            percentile(cuts, 95),
            "ms",
            GOAL,
            scale=1000,
            note=f"{len(cuts)} clip(s) over speech; p50 {_ms(percentile(cuts, 50))}",
        ),
    ]
    if peak_mb is not None:
        m.notes.append(
            f"The real player's peak memory in the room (VmHWM, part of a session): "
            f"{peak_mb:.0f} MB."
        )
    m.raw = {
        "trials": results,
        "to_stopped_line_s": summary(stopped),
        "to_speech_cut_s": summary(cuts),
        "player_peak_memory_mb": peak_mb,
        "player_stderr_tail": player.errors[-5:],
        "snr_db": SNR_DB,
    }
    return m


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


def _prepare(ctx: BenchContext, count: int) -> list[Trial]:
    """Clips scaled to SNR_DB above the player's speech, written as 16-bit WAV files."""
    from voicecoach.bench.stream_path import speech_track
    from voicecoach.recognition.own_speech import OWN_SENTENCES

    assert ctx.manifest is not None
    level = active_rms(speech_track(OWN_SENTENCES[:3]))
    folder = ctx.work / "room-clips"
    folder.mkdir(parents=True, exist_ok=True)
    trials = []
    for k, clip in enumerate(clips_of(ctx.manifest, "stop", limit=count)):
        gain = level * 10 ** (SNR_DB / 20) / max(active_rms(clip.samples), 1e-9)
        gain = min(gain, 0.99 / max(float(np.max(np.abs(clip.samples))), 1e-9))
        samples = (clip.samples * gain).astype(np.float32)
        path = folder / f"stop-{k}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
        trials.append(Trial(clip, path, samples, want_speech=k % 2 == 0))
    return trials


def _run(player: PlayerProcess, room: Any, recording: RoomRecording, trials: list[Trial]) -> None:
    """Play each clip at a moment of its kind. Quiet moments are made by typing "pause"
    (the player says so, then is silent); over-speech moments are the start of any
    sentence longer than LONG_SENTENCE_WORDS words (after "continue" the interrupted
    sentence is said again, so they come round)."""
    if player.wait_for("Said:", timeout=30) is None:
        raise RuntimeError(f"the player never spoke: {player.errors[-3:]}")
    answered: set[float] = set()
    for trial in trials:
        if trial.want_speech and not _wait_for_long_sentence(player, answered, timeout=15):
            trial.want_speech = False  # none came: a quiet moment instead
        if not trial.want_speech and not _make_quiet(player, recording):
            continue
        said = [line for line in player.lines if line.text.startswith("Said:")]
        if said:
            trial.said_before = said[-1].text.removeprefix("Said:").strip()
            trial.said_before_at = said[-1].at
        trial.played_at = time.monotonic()
        room.play_file(trial.path, volume=1.0)
        line = player.wait_for("Stopped.", after=trial.played_at, timeout=3.0)
        if line is not None:
            trial.stopped_at = line.at
            time.sleep(1.0)
        if _stopped(player):
            resumed_from = time.monotonic()
            player.type("continue")
            player.wait_for("Said:", after=resumed_from, timeout=5.0)


def _wait_for_long_sentence(player: PlayerProcess, answered: set[float], timeout: float) -> bool:
    """Wait until a long sentence has just begun (0.3 s ago)."""
    deadline = time.monotonic() + timeout
    seen = {line.at for line in player.lines}
    while time.monotonic() < deadline:
        _answer_questions(player, answered)
        for line in list(player.lines):
            if line.at in seen or not line.text.startswith("Said:"):
                continue
            seen.add(line.at)
            if len(line.text.split()) > LONG_SENTENCE_WORDS:
                time.sleep(max(0.0, line.at + 0.3 - time.monotonic()))
                return True
        time.sleep(0.02)
    return False


def _make_quiet(player: PlayerProcess, recording: RoomRecording) -> bool:
    """Pause the session and wait until the room has been silent for half a second."""
    typed = time.monotonic()
    player.type("pause")
    if player.wait_for("Paused.", after=typed, timeout=3.0) is None:
        return False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if time.monotonic() - typed > 1.0 and recording.level_db_recent(0.5) < -55:
            return True
        time.sleep(0.02)
    return False


def _answer_questions(player: PlayerProcess, answered: set[float]) -> None:
    """A person at the keyboard: answers the session's questions and self-paced sets."""
    for line in player.lines[-3:]:
        if line.at in answered:
            continue
        if line.text.startswith("Waiting for your answer"):
            answered.add(line.at)
            player.type("skip")
        elif line.text.startswith("Say done when"):
            answered.add(line.at)
            player.type("done")


def _stopped(player: PlayerProcess) -> bool:
    states = [line for line in player.lines if line.text in ("Stopped.", "Paused.")]
    resumed = [line for line in player.lines if line.text.startswith("Said: Carrying on")]
    return bool(states) and (not resumed or resumed[-1].at < states[-1].at)


def _analyse(trial: Trial, audio: np.ndarray, offset: float) -> dict[str, Any]:
    out: dict[str, Any] = {
        "clip": trial.clip.name,
        "wanted": "over speech" if trial.want_speech else "quiet",
        "played": trial.played_at > 0,
    }
    if not trial.played_at or not np.isfinite(offset):
        return out
    start = int((trial.played_at - offset - 0.2) * RATE)
    window = audio[max(0, start) : max(0, start) + int((len(trial.samples) / RATE + 1.5) * RATE)]
    lag, score = _locate(window, trial.samples)
    if lag is None or score < 0.5:
        out["note"] = f"clip not found in the recording (match {score:.2f})"
        return out
    clip_at = max(0, start) + lag
    end_of_speech = clip_at + trial.clip.speech_end
    eos_wall = offset + end_of_speech / RATE
    out["clip_match"] = round(score, 3)
    out["paplay_to_sound_s"] = round(offset + clip_at / RATE - trial.played_at, 4)
    if trial.stopped_at is not None:
        out["to_stopped_line_s"] = round(trial.stopped_at - eos_wall, 4)
    cut = _speech_cut(trial, audio, offset, end_of_speech)
    out.update(cut)
    return out


def _locate(haystack: np.ndarray, needle: np.ndarray) -> tuple[int | None, float]:
    """Offset of `needle` in `haystack` by normalised cross-correlation, and the match
    (0-1). Near-silent stretches of `haystack` are left out: there the normalisation
    would make noise look like a match."""
    if len(haystack) < len(needle) or len(needle) == 0:
        return None, 0.0
    n = 1 << int(np.ceil(np.log2(len(haystack) + len(needle))))
    corr = np.fft.irfft(np.fft.rfft(haystack, n) * np.conj(np.fft.rfft(needle, n)), n)
    corr = corr[: len(haystack) - len(needle) + 1]
    energy = np.convolve(np.square(haystack.astype(np.float64)), np.ones(len(needle)), "valid")
    norm = np.sqrt(np.maximum(energy, 1e-12) * float(np.sum(np.square(needle, dtype=np.float64))))
    match = np.where(energy > 1e-3 * float(energy.max()), corr / norm, 0.0)
    best = int(np.argmax(match))
    return best, float(match[best])


def _speech_cut(
    trial: Trial, audio: np.ndarray, offset: float, end_of_speech: int
) -> dict[str, Any]:
    """When the sentence the player was saying stopped sounding in the room.

    The sentence is synthesised again and found in the recording near its "Said:" line.
    The room's resampling differs from ours by a fraction of a sample, so sample-exact
    subtraction is not possible; instead each 40 ms window after the end of speech is
    compared with the expected sentence by normalised correlation (best of +-2 samples):
    >= 0.5 still sounding, < 0.25 gone (windows where the sentence is quiet are skipped).
    """
    from voicecoach.recognition.audio_files import resample
    from voicecoach.settings import SpeechSettings
    from voicecoach.speech_synth import SpeechCache

    if not trial.said_before:
        return {}
    samples, rate = SpeechCache(SpeechSettings()).get(trial.said_before)
    sentence = resample(np.asarray(samples, np.float32), rate).astype(np.float64)
    said = int((trial.said_before_at - offset) * RATE)
    lo = max(0, said - RATE // 2)
    head = sentence[: int(1.5 * RATE)]
    lag, score = _locate(audio[lo : lo + len(head) + RATE].astype(np.float64), head)
    if lag is None or score < 0.2:
        return {"speech_note": f"sentence not found (match {score:.2f})"}
    begin = lo + lag
    eos = end_of_speech - begin
    window, hop = 2 * FRAME, FRAME
    first_missing: int | None = None
    last_present: int | None = None
    for f in range(max(0, eos), len(sentence) - window, hop):
        expected = sentence[f : f + window]
        if float(np.sqrt(np.mean(np.square(expected)))) < 0.01:
            continue  # a pause in the sentence tells nothing
        best = 0.0
        for shift in range(-2, 3):
            start = begin + f + shift
            heard = audio[start : start + window].astype(np.float64)
            if start < 0 or len(heard) < window:
                continue
            denominator = float(np.sqrt(np.dot(heard, heard) * np.dot(expected, expected)))
            best = max(best, float(np.dot(heard, expected)) / max(denominator, 1e-12))
        if best >= 0.5:
            last_present = f
        elif best < 0.25:
            first_missing = f
            break
    if last_present is None:
        return {"over_speech": False}
    if first_missing is None:
        return {"over_speech": True, "speech_note": "the sentence played to its end"}
    if trial.stopped_at is None:
        return {"over_speech": True, "speech_note": "sentence cut, but no 'Stopped.' line"}
    return {
        "over_speech": True,
        "to_speech_cut_s": round((first_missing + hop - eos) / RATE, 4),
        "speech_cut_lower_bound_s": round((last_present + hop - eos) / RATE, 4),
        "sentence_match": round(score, 3),
    }
