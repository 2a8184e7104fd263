"""Command latency through the streaming path: from the end of a spoken "stop" to the
session engine's StopSpeech, in stream time.

A session (the default chair script) is played by the engine on a stream clock that
advances 20 ms per microphone block. What it says is synthesised and "played"; the
microphone hears that through the simulated room (stream_path.RoomEcho), a faint noise
floor, and now and then a real human "stop" from the speech corpus, placed over the
player's speech (every other clip) or in a quiet moment, at a fixed level above the echo.
Each block goes through the echo canceller, the talk-over checks (SelfSpeechGate,
LouderThanEcho, OwnSpeechGuard) and the CommandListener, and what is heard goes to the
engine at the block's end time, exactly as the player's listening thread and loop do.
Latency = the block end at which the engine answered StopSpeech minus the clip's end of
speech (audio_files.speech_end). A simulated person says "continue" a
second after the player acknowledges, and answers its questions, so the session goes on.

Processing time (the wall time spent on that block, canceller to engine) comes on top in
a live session; it is reported beside the stream-time figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.context import BenchContext
from benchmarks.results import Figure, Goal, Measurement
from benchmarks.stats import percentile, summary
from benchmarks.stream_path import (
    BLOCK,
    RATE,
    RoomEcho,
    SpokenClip,
    clips_of,
    noise,
    speech_track,
)
from voicecoach.audio.levels import active_rms

GOAL = Goal("<=", 0.300)
SNR_DB = 10.0
SETTLE_S = 1.0
LISTEN_AFTER_S = 2.0
"""A clip not acted on within this long after its end of speech counts as missed."""
BLOCK_S = BLOCK / RATE
FIRST_CLIP_S = 3.0
"""The echo canceller converges in about a second; the first clip comes after this."""
PREROLL_S = 2.0
"""Continuous audio fed before each clip, so the echo canceller and the recogniser's
stream (the keyword spotter's accuracy depends on its 1.6 s cycle) are as live."""
STARVING_S = 60.0
"""When no moment of the wanted kind came for this long, take the other kind."""
SCRIPT = "chair-gentle-start"
CLIPS = 40
"""Of the corpus's 85 human "stop" clips, spread evenly (the time budget)."""


def measure(ctx: BenchContext) -> Measurement:
    m = Measurement(
        "latency",
        "Command latency, streaming path",
        method=f"{ctx.reps(CLIPS, 20)} of the corpus's human 'stop' clips, mixed {SNR_DB:g} dB "
        "above the player's own echoed speech (every other clip over a sentence, the rest "
        "in a quiet moment), fed in 20 ms blocks through echo canceller (given the exact "
        "played samples: the player's own alignment is measured in the room), the live "
        "talk-over checks (over speech a word acts only when a person is detected), listener "
        "and session engine; end of speech to the engine's StopSpeech, in stream time. Clips "
        f"not acted on within {LISTEN_AFTER_S:g} s are left out of the percentiles.",
    )
    m.notes.append(
        'Only "stop" is measured: the corpus has no human recordings of "pain" (or of '
        "pause, continue, easier), and synthetic speech is no stand-in for people."
    )
    labels = ("p50 stop latency", "p95 stop latency")
    if ctx.manifest is None:
        for engine in ctx.engines():
            for label in labels:
                m.not_measured(f"{engine}: {label}", "ms", GOAL, "no speech corpus", scale=1000)
        return m
    clips = clips_of(ctx.manifest, "stop", limit=ctx.reps(CLIPS, 20))
    for engine, missing in ctx.engines().items():
        if missing is not None:
            for label in labels:
                m.not_measured(f"{engine}: {label}", "ms", GOAL, missing, scale=1000)
            continue
        run = StreamRun(engine, clips)
        run.run()
        heard = [r for r in run.results if r["latency_s"] is not None]
        latencies = [max(0.0, r["latency_s"]) for r in heard]
        processing = [r["processing_s"] for r in heard]
        share = f"{len(heard)}/{len(run.results)} clips acted on"
        m.figures += [
            Figure(
                f"{engine}: p50 stop latency",
                percentile(latencies, 50),
                "ms",
                GOAL,
                scale=1000,
                note=share,
            ),
            Figure(
                f"{engine}: p95 stop latency",
                percentile(latencies, 95),
                "ms",
                GOAL,
                scale=1000,
                note=f"+ processing p95 {_ms(percentile(processing, 95))}",
            ),
        ]
        m.raw[engine] = {
            "clips": len(run.results),
            "acted_on": len(heard),
            "snr_db": SNR_DB,
            "latency_s": summary(latencies),
            "latency_over_speech_s": summary(
                [max(0.0, r["latency_s"]) for r in heard if r["over_speech"]]
            ),
            "latency_quiet_s": summary(
                [max(0.0, r["latency_s"]) for r in heard if not r["over_speech"]]
            ),
            "processing_of_that_block_s": summary(processing),
            "stops_without_a_clip": run.false_stops,
            "stream_seconds_fed": round(run.fed_seconds, 1),
            "results": run.results,
        }
    return m


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


@dataclass
class _Playing:
    """The simulated speaker at 16 kHz: what it plays, block by block."""

    cache: Any
    volume: float
    current: tuple[int, np.ndarray, int] | None = None
    finished: list[int] = field(default_factory=list)

    def say(self, uid: int, text: str) -> None:
        from voicecoach.audio.resampling import resample

        samples, rate = self.cache.get(text)
        audio = resample(np.asarray(samples, np.float32), rate) * np.float32(self.volume)
        self.stop()
        self.current = (uid, audio.astype(np.float32), 0)

    def stop(self) -> None:
        if self.current is not None:
            self.finished.append(self.current[0])
            self.current = None

    def next_block(self) -> np.ndarray:
        out = np.zeros(BLOCK, dtype=np.float32)
        if self.current is None:
            return out
        uid, audio, pos = self.current
        part = audio[pos : pos + BLOCK]
        out[: len(part)] = part
        if pos + BLOCK >= len(audio):
            self.finished.append(uid)
            self.current = None
        else:
            self.current = (uid, audio, pos + BLOCK)
        return out

    def skip(self, seconds: float) -> None:
        """Time passes without anyone listening."""
        if self.current is None:
            return
        uid, audio, pos = self.current
        pos += int(seconds * RATE)
        if pos >= len(audio):
            self.finished.append(uid)
            self.current = None
        else:
            self.current = (uid, audio, pos)

    @property
    def speaking(self) -> bool:
        return self.current is not None

    def remaining_s(self) -> float:
        if self.current is None:
            return 0.0
        return (len(self.current[1]) - self.current[2]) / RATE


@dataclass
class _Active:
    clip: SpokenClip
    samples: np.ndarray
    """Scaled to the wanted level."""
    start_t: float
    end_of_speech_t: float
    position: int = 0
    over_speech: bool = False


class StreamRun:
    def __init__(self, engine_name: str, clips: list[SpokenClip]) -> None:
        self.engine_name = engine_name
        self.clips = list(clips)
        self.results: list[dict[str, Any]] = []
        self.false_stops: list[dict[str, Any]] = []
        self.fed_seconds = 0.0

    def run(self) -> None:
        from voicecoach.audio.echo.canceller import (
            EchoCanceller,
            SelfSpeechGate,
            simulate_room,
        )
        from voicecoach.audio.echo.talk_over import LouderThanEcho
        from voicecoach.audio.levels import SOUNDING_FLOOR, rms
        from voicecoach.config.settings import RecognitionSettings, Settings
        from voicecoach.evaluation.own_speech_mix import OWN_SENTENCES
        from voicecoach.listening.factory import create_recognizer
        from voicecoach.listening.listener import CommandListener
        from voicecoach.listening.own_voice import OwnSpeechGuard
        from voicecoach.script.library import find_script
        from voicecoach.session.vocabulary import vocabulary_for
        from voicecoach.speech.synth import SpeechCache

        settings = Settings(recognition=RecognitionSettings(engine=self.engine_name))
        vocabulary = vocabulary_for(settings.recognition)
        listener = CommandListener(create_recognizer(settings.recognition, "spot"), vocabulary)
        canceller = EchoCanceller(sample_rate=RATE)
        # The live listening thread's checks: a word over the player's speech acts only
        # if it is stop/pain/pause and a person was heard talking over (barge_in.py).
        gate, louder, own_speech = SelfSpeechGate(), LouderThanEcho(), OwnSpeechGuard()
        room = RoomEcho()
        rng = np.random.default_rng(11)
        script = find_script(SCRIPT)
        player = _Playing(SpeechCache(settings.speech), settings.speech.volume)
        sample = speech_track(OWN_SENTENCES[:3])
        echo_level = active_rms(simulate_room(sample, RATE))
        self._listener = listener
        self._player = player
        self._settings = settings
        self._script = script
        self._vocabulary = vocabulary

        t = 0.0
        engine = self._new_engine(t)
        settle_until = FIRST_CLIP_S
        planned: tuple[float, str] | None = None
        active: _Active | None = None
        fed_from = 0.0  # the stream has been fed without a gap since then
        quiet_for = 0.0
        recent_reference: list[float] = []
        pending = list(self.clips)
        want_speech = True
        wanting_since = 0.0
        guard = 120.0 * (len(pending) + 2)
        while (pending or active is not None) and t < guard:
            if engine.finished:
                engine = self._new_engine(t)
                settle_until = t + SETTLE_S
            # The person answers what the session waits for.
            if planned is None and active is None and not player.speaking:
                planned = _answer(engine, t)
            if planned is not None and planned[0] <= t + 1e-9:
                self._apply(engine, engine.handle(_heard(t, planned[1])))
                planned = None
                settle_until = t + SETTLE_S
            # Choose the moment of the next "stop": over speech, or in a quiet moment, after
            # enough continuous audio for the recogniser's stream to be as live.
            if t - wanting_since > STARVING_S:
                want_speech, wanting_since = not want_speech, t
            deadline = engine.next_deadline()
            if active is None and pending and t >= settle_until and t - fed_from >= PREROLL_S:
                needed = len(pending[0].samples) / RATE + 0.3
                ready = _can_stop(engine) and (planned is None or planned[0] - t >= needed)
                over = player.speaking and player.remaining_s() >= needed
                quiet = (
                    not player.speaking
                    and quiet_for >= 0.3
                    and (deadline is None or deadline - t >= 0.5)
                )
                if ready and ((want_speech and over) or (not want_speech and quiet)):
                    clip = pending.pop(0)
                    gain = echo_level * 10 ** (SNR_DB / 20) / max(active_rms(clip.samples), 1e-9)
                    active = _Active(
                        clip,
                        (clip.samples * gain).astype(np.float32),
                        t,
                        t + clip.speech_end / RATE,
                    )
            # Skip what need not be heard (the player acknowledging a stop, silence before
            # the speech a clip waits for, speech before a quiet moment), keeping
            # PREROLL_S of continuous audio before any clip. The player hearing its own
            # speech as a command is eval-self's measure.
            if active is None:
                next_event = min(
                    (
                        x
                        for x in (
                            deadline,
                            planned[0] if planned else None,
                            t + player.remaining_s() if player.speaking else None,
                        )
                        if x is not None
                    ),
                    default=None,
                )
                target: float | None = None
                if not _can_stop(engine) or not pending:
                    target = next_event
                elif want_speech and not player.speaking and next_event is not None:
                    target = next_event - PREROLL_S
                elif not want_speech and player.speaking:
                    target = t + player.remaining_s() - PREROLL_S
                if target is None and not player.speaking and deadline is None and not planned:
                    raise RuntimeError(f"the session is stuck in {engine.state.value}")
                if target is not None and target > t + BLOCK_S:
                    player.skip(target - t)
                    t = fed_from = target
                    room.reset()
                    quiet_for = 0.0
                    for uid in player.finished:
                        self._apply(engine, engine.handle(_finished(t, uid)))
                    player.finished.clear()
                    self._apply(engine, engine.handle(_tick(t)))
                    continue
            # One microphone block.
            reference = player.next_block()
            mic = room.process(reference) + noise(rng, BLOCK)
            if active is not None:
                part = active.samples[active.position : active.position + BLOCK]
                mic[: len(part)] += part
                active.position += BLOCK
            began = time.perf_counter()
            clean = canceller.process(mic, reference)
            gate.process(clean, reference)
            person = louder.louder(mic, reference) and gate.person_talking
            own_speech.block(
                BLOCK_S,
                player_sounding=rms(reference) > SOUNDING_FLOOR,
                person_talking=person,
            )
            heard = [h for h in listener.feed(clean) if own_speech.accepts(h.meaning)]
            t += BLOCK_S
            self.fed_seconds += BLOCK_S
            loud = float(np.max(np.abs(reference))) > 1e-3
            quiet_for = 0.0 if loud else quiet_for + BLOCK_S
            recent_reference = [*recent_reference[-14:], 1.0 if loud else 0.0]
            if active is not None and abs(t - active.end_of_speech_t) < BLOCK_S / 2 + 1e-9:
                active.over_speech = sum(recent_reference) > 0  # speech in the last 300 ms
            for phrase in heard:
                actions = engine.handle(_heard(t, phrase.text))
                if any(_is_stop(a) for a in actions):
                    spent = time.perf_counter() - began
                    if active is not None:
                        self._record(active, t, spent)
                        active = None
                        want_speech, wanting_since = not want_speech, t
                    else:
                        self.false_stops.append({"t": round(t, 2), "heard": phrase.text})
                    planned = None
                self._apply(engine, actions)
            for uid in player.finished:
                self._apply(engine, engine.handle(_finished(t, uid)))
            player.finished.clear()
            self._apply(engine, engine.handle(_tick(t)))
            if active is not None and t > active.end_of_speech_t + LISTEN_AFTER_S:
                self._record(active, None, None)
                active = None
                want_speech, wanting_since = not want_speech, t
                settle_until = t + SETTLE_S

    def _new_engine(self, t: float) -> Any:
        from voicecoach.session.engine import SessionEngine

        engine = SessionEngine(self._script, self._settings.session, vocabulary=self._vocabulary)
        self._apply(engine, engine.start(t))
        return engine

    def _apply(self, engine: Any, actions: list[Any]) -> None:
        from voicecoach.session.events import ListenFor, Say, StopSpeech

        for action in actions:
            if isinstance(action, StopSpeech):
                self._player.stop()
            elif isinstance(action, Say):
                self._player.say(action.utterance_id, action.text)
            elif isinstance(action, ListenFor):
                self._listener.listen_for(action.role, action.answers)

    def _record(self, active: _Active, t: float | None, spent: float | None) -> None:
        self.results.append(
            {
                "clip": active.clip.name,
                "over_speech": active.over_speech,
                "latency_s": None if t is None else round(t - active.end_of_speech_t, 4),
                "processing_s": None if spent is None else round(spent, 5),
                "at_s": round(active.start_t, 2),
            }
        )


def _answer(engine: Any, t: float) -> tuple[float, str] | None:
    from benchmarks.simulated import answer_for

    wanted = answer_for(engine)
    return None if wanted is None else (t + wanted[1], wanted[0])


def _can_stop(engine: Any) -> bool:
    """A "stop" now would stop the session (not end it: that is "stop" when stopped)."""
    from voicecoach.session.engine import State

    return engine.state not in (State.STOPPED, State.PAUSED, State.ENDED)


def _is_stop(action: Any) -> bool:
    from voicecoach.session.events import StopSpeech

    return isinstance(action, StopSpeech)


def _heard(t: float, text: str) -> Any:
    from voicecoach.session.events import Heard

    return Heard(t, text)


def _tick(t: float) -> Any:
    from voicecoach.session.events import Tick

    return Tick(t)


def _finished(t: float, uid: int) -> Any:
    from voicecoach.session.events import SpeechFinished

    return SpeechFinished(t, uid)
