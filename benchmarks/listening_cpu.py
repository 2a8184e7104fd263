"""Listening CPU: CPU seconds per second of audio, echo canceller + recogniser, per engine.

The microphone signal is made first (the player's own speech echoed by the simulated
room, a faint noise floor, and a human "stop" every few seconds); then only the player's
listening work is timed: each 20 ms block through the echo canceller, the talk-over
checks (SelfSpeechGate, LouderThanEcho) and CommandListener.feed, as the listening
thread does it. CPU time is this process's own
(time.process_time: every thread, user + system), divided by the audio's length.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from benchmarks.context import BenchContext
from benchmarks.results import Figure, Goal, Measurement
from benchmarks.stats import median, summary
from benchmarks.stream_path import (
    BLOCK,
    RATE,
    RoomEcho,
    clips_of,
    noise,
    speech_track,
)
from voicecoach.audio.levels import active_rms

GOAL = Goal("<=", 0.10)
CLIP_EVERY_S = 5.0
CLIP_SNR_DB = 10.0


def measure(ctx: BenchContext) -> Measurement:
    seconds = 30.0 if not ctx.quick else 20.0
    runs = ctx.reps(3, 1)
    m = Measurement(
        "cpu",
        "Listening CPU",
        method=f"{seconds:.0f} s of microphone signal (the player's echoed speech, a noise "
        f"floor, a human 'stop' every {CLIP_EVERY_S:.0f} s) fed in 20 ms blocks through the "
        "echo canceller, the talk-over checks and the listener; CPU seconds "
        f"(process_time) per audio second, median of {runs} runs.",
    )
    mic, reference = microphone_signal(ctx, seconds)
    for engine, missing in ctx.engines().items():
        label = f"{engine}: CPU per audio second (with echo canceller)"
        if missing is not None:
            m.not_measured(label, "", GOAL, missing, digits=3)
            continue
        ratios: list[float] = []
        parts: list[dict[str, float]] = []
        for _ in range(runs):
            total, part = feed(engine, mic, reference)
            ratios.append(total / seconds)
            parts.append({k: v / seconds if k != "heard" else v for k, v in part.items()})
        m.figures.append(Figure(label, median(ratios), "", GOAL, digits=3))
        m.raw[engine] = {
            "audio_seconds": seconds,
            "real_time_factor": summary(ratios),
            "canceller_rtf": median([p["canceller"] for p in parts]),
            "listener_rtf": median([p["listener"] for p in parts]),
            "stop_clips_heard_per_run": [int(p["heard"]) for p in parts],
        }
    return m


def microphone_signal(ctx: BenchContext, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    from voicecoach.evaluation.own_speech_mix import OWN_SENTENCES

    n = int(seconds * RATE)
    track = speech_track(OWN_SENTENCES)
    reference = np.resize(track, n).astype(np.float32)
    room = RoomEcho()
    echo = np.concatenate(
        [room.process(reference[i : i + BLOCK]) for i in range(0, n, BLOCK)]
    ).astype(np.float32)
    rng = np.random.default_rng(7)
    mic = echo + noise(rng, n)
    clips = (
        clips_of(ctx.manifest, "stop", limit=int(seconds / CLIP_EVERY_S)) if ctx.manifest else []
    )
    level = active_rms(echo)
    for k, clip in enumerate(clips):
        start = int((k * CLIP_EVERY_S + 1.0) * RATE)
        if start + len(clip.samples) > n:
            break
        gain = level * 10 ** (CLIP_SNR_DB / 20) / max(active_rms(clip.samples), 1e-9)
        mic[start : start + len(clip.samples)] += gain * clip.samples
    return mic.astype(np.float32), reference


def feed(engine: str, mic: np.ndarray, reference: np.ndarray) -> tuple[float, dict[str, float]]:
    """CPU seconds to listen to `mic` (total, and per part) with a fresh recogniser."""
    from voicecoach.audio.echo.canceller import EchoCanceller
    from voicecoach.config.settings import RecognitionSettings
    from voicecoach.listening.factory import create_recognizer
    from voicecoach.listening.listener import CommandListener
    from voicecoach.listening.own_voice import OwnVoice
    from voicecoach.session.vocabulary import vocabulary_for

    settings = RecognitionSettings(engine=engine)
    listener = CommandListener(create_recognizer(settings, "spot"), vocabulary_for(settings))
    canceller = EchoCanceller(sample_rate=RATE)
    own_voice = OwnVoice()
    heard: list[Any] = []
    in_canceller = in_listener = 0.0
    clock = time.process_time
    started = clock()
    for i in range(0, len(mic), BLOCK):
        a = clock()
        block, played = mic[i : i + BLOCK], reference[i : i + BLOCK]
        clean = canceller.process(block, played)
        own_voice.hear(block, clean, played)
        b = clock()
        heard += listener.feed(clean)
        in_canceller += b - a
        in_listener += clock() - b
    total = clock() - started
    return total, {
        "canceller": in_canceller,
        "listener": in_listener,
        "heard": float(sum(1 for h in heard if h.text == "stop")),
    }
