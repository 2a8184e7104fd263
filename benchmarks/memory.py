"""Peak memory of a session, per engine: a child process loads what the voice player
loads (recogniser, echo canceller, synthesis cache with the count words and the
session's sentences), plays the default chair session to its end on a clock running
faster than real time, with a silent speaker and a listening thread feeding the
recogniser faint noise in real time, 20 ms at a time. Its peak resident set size
(ru_maxrss, from wait4) is the figure.

The child does not open sound devices (PortAudio adds a few MB in the real player);
the real player's own peak in the PulseAudio room is in the room latency results.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any

from benchmarks.context import BenchContext, run_timed
from benchmarks.results import Figure, Goal, Measurement

GOAL = Goal("<=", 300.0)
SCRIPT = "chair-gentle-start"


def measure(ctx: BenchContext) -> Measurement:
    scale = 40.0 if not ctx.quick else 80.0
    m = Measurement(
        "memory",
        "Peak memory of a session",
        method=f"Child process: recogniser + echo canceller + synthesis cache, the {SCRIPT} "
        f"session played to its end at {scale:g}x speed, listener fed noise in real time; "
        "peak RSS (ru_maxrss).",
    )
    for engine, missing in ctx.engines().items():
        label = f"{engine}: peak memory"
        if missing is not None:
            m.not_measured(label, "MB", GOAL, missing)
            continue
        command = [ctx.python, "-m", "benchmarks.memory", "--child", engine, str(scale)]
        run = run_timed(command, ctx.env(), timeout=300)
        if run.returncode != 0:
            raise RuntimeError(f"the memory session failed: {run.stderr[-800:]}")
        data = json.loads(run.stdout)
        m.figures.append(
            Figure(
                label,
                run.max_rss_mb,
                "MB",
                GOAL,
                note=f"{data['session_minutes']:.1f} session minutes, "
                f"{data['audio_seconds']:.0f} s of audio listened to",
            )
        )
        m.raw[engine] = {
            "max_rss_mb": round(run.max_rss_mb, 1),
            "wall_s": round(run.wall, 1),
            **data,
        }
    return m


def run_child(engine_name: str, scale: float) -> dict[str, Any]:
    import numpy as np

    from benchmarks.simulated import LoopPerson, TimedSpeaker
    from voicecoach.audio.echo.canceller import EchoCanceller
    from voicecoach.config.settings import RecognitionSettings, Settings
    from voicecoach.listening.factory import create_recognizer
    from voicecoach.listening.listener import CommandListener
    from voicecoach.player.live_session import InputItem, LiveSession
    from voicecoach.player.runner import ScaledClock
    from voicecoach.player.voice_output import VoiceSpeech
    from voicecoach.script.library import find_script
    from voicecoach.session.engine import SessionEngine
    from voicecoach.session.preview import said_texts
    from voicecoach.session.vocabulary import vocabulary_for
    from voicecoach.speech.synth import SpeechCache, count_words

    settings = Settings(recognition=RecognitionSettings(engine=engine_name))
    script = find_script(SCRIPT)
    listener = CommandListener(
        create_recognizer(settings.recognition, "spot"), vocabulary_for(settings.recognition)
    )
    canceller = EchoCanceller(sample_rate=16000)
    cache = SpeechCache(settings.speech)
    cache.warm([*count_words(), "Hold.", "And relax.", "Ten seconds."])
    threading.Thread(target=cache.warm, args=(said_texts(script, settings),), daemon=True).start()
    clock = ScaledClock(scale)
    speaker = TimedSpeaker(clock.now)
    engine = SessionEngine(
        script, settings.session, vocabulary=vocabulary_for(settings.recognition)
    )
    person = LoopPerson(engine, speaker, clock.now, scale)
    stop = threading.Event()
    fed = [0]

    def listen() -> None:
        rng = np.random.default_rng(3)
        next_block = time.monotonic()
        while not stop.is_set():
            block = (rng.standard_normal(320) * 10 ** (-60 / 20)).astype(np.float32)
            clean = canceller.process(block, speaker.played_reference(320))
            for heard in listener.feed(clean):
                person.heard.put(InputItem("heard", heard.text))
            fed[0] += 1
            next_block += 0.02
            stop.wait(max(0.0, next_block - time.monotonic()))

    listening = threading.Thread(target=listen, daemon=True)
    listening.start()
    output = VoiceSpeech(speaker, cache, settings.speech.volume)
    LiveSession(engine, output, person.wait, clock.now).run()
    stop.set()
    listening.join(timeout=5)
    return {
        "vm_hwm_mb": _peak_memory_mb(),
        "session_minutes": round(clock.now() / 60, 2),
        "audio_seconds": round(fed[0] * 0.02, 1),
        "sentences_cached": len(cache),
        "ended": engine.finished,
    }


def _peak_memory_mb() -> float | None:
    """This process's own peak resident memory (VmHWM), as a cross-check of ru_maxrss."""
    from pathlib import Path

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024
    except OSError:  # not Linux
        pass
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("engine")
    parser.add_argument("scale", type=float)
    args = parser.parse_args(argv)
    json.dump(run_child(args.engine, args.scale), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
