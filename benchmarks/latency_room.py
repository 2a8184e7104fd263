"""Command latency through the real player in a private PulseAudio room.

`voicecoach play chair-gentle-start --plain` runs under the room (its speaker and
microphone are the room's; its own speech is in what it hears), with the speech model.
A human "stop" clip, brought to 10 dB above the player's speech level, is played into
the room with paplay, alternately over the player's speech (just after a long sentence
began) and in a quiet moment (made by typing "pause" on the player's stdin); a second
after the player stops, "continue" is typed so the session goes on. Questions are
answered "skip" and self-paced sets "done", as a person at the keyboard would. The
room's monitor is recorded (parec) with the wall clock of each sample.

From the recording: the clip is found by cross-correlation, so its end of speech is
known on the wall clock. Two latencies from there:
- to the "Stopped." line of the plain display (the state change, as the person sees it);
- to the player's speech being cut, for clips played over a long sentence: the player
  drops the sentence and starts its answer ("Stopped. ...") at once, so the cut is where
  the answer begins in the recording (found by cross-correlation), or where the silence
  before it begins when the answer had to be synthesised first.
"""

from __future__ import annotations

import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.context import BenchContext
from benchmarks.results import Figure, Goal, Measurement
from benchmarks.room import RATE, PlayerProcess, RoomRecording, virtual_room
from benchmarks.stats import percentile, summary
from benchmarks.stream_path import SpokenClip, clips_of
from voicecoach.audio.levels import active_rms

GOAL = Goal("<=", 0.300)
SCRIPT = "chair-gentle-start"
SNR_DB = 10.0
LONG_SENTENCE_WORDS = 9
FRAME = RATE // 50
ANSWER = "Stopped. Say continue to carry on, or stop again to finish."
"""What the player says on "stop" (engine.py); its start marks the cut in the recording."""
ANSWER_HEAD_S = 0.4
SILENT_DB = -50.0


@dataclass
class Trial:
    clip: SpokenClip
    path: Path
    samples: np.ndarray
    """As played (scaled), 16 kHz."""
    want_speech: bool
    played_at: float = 0.0
    stopped_at: float | None = None


def measure(ctx: BenchContext) -> Measurement:
    m = Measurement(
        "room-latency",
        "Command latency, PulseAudio room",
        method=f"The real player (`voicecoach play {SCRIPT} --plain`) in a private "
        f"PulseAudio room; {ctx.reps(10, 4)} human 'stop' clips {SNR_DB:g} dB above its speech "
        "level played into the room (paplay), alternately over a long sentence and in a "
        "quiet moment (made by typing 'pause'); 'continue' typed after each. The room "
        "recorded (parec). From the clip's end of speech (found in the recording by "
        "cross-correlation) to the 'Stopped.' line of the display, and to the player's "
        "sentence being cut in the recording. Clips not acted on within 3 s are left out "
        "of the percentiles.",
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
        players = _Players(lambda: PlayerProcess(ctx.voicecoach("play", SCRIPT, "--plain"), env))
        try:
            _run(players, room, recording, trials)
        finally:
            players.stop()
            recording.stop()
    audio, offset = recording.audio()
    results = [_analyse(t, audio, offset) for t in trials]
    stopped = [r["to_stopped_line_s"] for r in results if r.get("to_stopped_line_s") is not None]
    cuts = [r["to_speech_cut_s"] for r in results if r.get("to_speech_cut_s") is not None]
    played = sum(1 for t in trials if t.played_at)
    heard = f"{len(stopped)} of {played} clips played acted on"
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
    if players.endings:
        m.notes.append(
            f"The session ended on its own {len(players.endings)} time(s) during the trials "
            "(the player was started again); each ending's last lines are in the raw results "
            "(a second 'stop' heard while stopped ends a session)."
        )
    skipped = sum(1 for t in trials if not t.played_at)
    if skipped:
        m.notes.append(f"{skipped} clip(s) not played: no moment of their kind came in time.")
    if players.peak_mb is not None:
        m.notes.append(
            f"The real player's peak memory in the room (VmHWM, part of a session): "
            f"{players.peak_mb:.0f} MB."
        )
    m.raw = {
        "trials": results,
        "to_stopped_line_s": summary(stopped),
        "to_speech_cut_s": summary(cuts),
        "player_peak_memory_mb": players.peak_mb,
        "player_stderr_tail": players.errors[-5:],
        "sessions_ended": players.endings,
        "snr_db": SNR_DB,
    }
    return m


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


def _prepare(ctx: BenchContext, count: int) -> list[Trial]:
    """Clips scaled to SNR_DB above the player's speech, written as 16-bit WAV files."""
    from benchmarks.stream_path import speech_track
    from voicecoach.evaluation.own_speech_mix import OWN_SENTENCES

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


class _Players:
    """The player process, started again if its session ends before the trials do."""

    RESTARTS = 3

    def __init__(self, start: Callable[[], PlayerProcess]) -> None:
        self._start = start
        self.current = start()
        self.endings: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.peak_mb: float | None = None

    def alive(self) -> PlayerProcess | None:
        """The running player, after a restart if its session had ended; None when it
        keeps ending."""
        if self.current.process.poll() is None:
            return self.current
        self._retire()
        if len(self.endings) > self.RESTARTS:
            return None
        self.current = self._start()
        if self.current.wait_for("Said:", timeout=30) is None:
            return None
        return self.current

    def _retire(self) -> None:
        player = self.current
        self.endings.append(
            {
                "status": player.process.poll(),
                "last_lines": [f"{x.at - player.started:.2f} {x.text}" for x in player.lines[-6:]],
            }
        )
        self.errors += player.errors[-5:]

    def stop(self) -> None:
        peak = self.current.peak_memory_mb()
        if peak is not None:
            self.peak_mb = max(peak, self.peak_mb or 0.0)
        self.errors += self.current.errors[-5:]
        self.current.stop()


def _run(players: _Players, room: Any, recording: RoomRecording, trials: list[Trial]) -> None:
    """Play each clip at a moment of its kind. Quiet moments are made by typing "pause"
    (the player says so, then is silent); over-speech moments are the start of any
    sentence longer than LONG_SENTENCE_WORDS words (after "continue" the interrupted
    sentence is said again, so they come round)."""
    if players.current.wait_for("Said:", timeout=30) is None:
        raise RuntimeError(f"the player never spoke: {players.current.errors[-3:]}")
    answered: set[float] = set()
    for trial in trials:
        player = players.alive()
        if player is None:
            break  # the session keeps ending; the trials so far are reported
        if trial.want_speech and not _wait_for_long_sentence(player, answered, timeout=15):
            trial.want_speech = False  # none came: a quiet moment instead
        if not trial.want_speech and not _make_quiet(player, recording):
            continue
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
            # Not the player's answer to a stop or pause: a "stop" then ends the session.
            answer = line.text.startswith(("Said: Stopped.", "Said: Paused.", "Said: Say "))
            if len(line.text.split()) > LONG_SENTENCE_WORDS and not answer and not _stopped(player):
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
    cut = _speech_cut(trial, audio, end_of_speech)
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
    squares = np.concatenate([[0.0], np.cumsum(np.square(haystack.astype(np.float64)))])
    energy = squares[len(needle) :] - squares[: len(squares) - len(needle)]
    norm = np.sqrt(np.maximum(energy, 1e-12) * float(np.sum(np.square(needle, dtype=np.float64))))
    match = np.where(energy > 1e-3 * float(energy.max()), corr / norm, 0.0)
    best = int(np.argmax(match))
    return best, float(match[best])


def _speech_cut(trial: Trial, audio: np.ndarray, end_of_speech: int) -> dict[str, Any]:
    """When the sentence the player was saying was cut, from the recording.

    On "stop" the player drops its sentence and starts its answer ("Stopped. Say
    continue ...") at once, so the cut is where the answer begins, or, when the answer
    had to be synthesised first, where the silence before it begins. The answer is found
    by its first word ("Stopped."), synthesised again: espeak's output varies slightly
    from run to run, so only a short stretch is compared.
    """
    if trial.stopped_at is None or not trial.want_speech:
        return {}
    head = _answer_head()
    lo = max(0, end_of_speech)
    search = audio[lo : lo + int(2.5 * RATE) + len(head)].astype(np.float64)
    lag, score = _locate(search, head)
    if lag is None or score < 0.5:
        return {"speech_note": f"the player's answer not found (match {score:.2f})"}
    onset = lo + lag
    cut = onset
    while cut - FRAME >= end_of_speech and _level_db(audio[cut - FRAME : cut]) < SILENT_DB:
        cut -= FRAME  # the silence while the answer was synthesised
    return {
        "to_speech_cut_s": round((cut - end_of_speech) / RATE, 4),
        "to_answer_s": round((onset - end_of_speech) / RATE, 4),
        "answer_match": round(score, 3),
    }


def _answer_head() -> np.ndarray:
    from voicecoach.audio.resampling import resample
    from voicecoach.config.settings import SpeechSettings
    from voicecoach.speech.synth import SpeechCache

    samples, rate = SpeechCache(SpeechSettings()).get(ANSWER)
    sentence = resample(np.asarray(samples, np.float32), rate).astype(np.float64)
    return sentence[: int(ANSWER_HEAD_S * RATE)]


def _level_db(x: np.ndarray) -> float:
    return 20 * float(np.log10(max(float(np.sqrt(np.mean(np.square(x)))), 1e-9)))
