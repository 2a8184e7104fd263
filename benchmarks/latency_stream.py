"""Command latency through the whole live chain: from the end of a spoken "stop" to the
session engine acting on it, in stream time.

It runs `voicecoach eval-commands --live` (voicecoach.evaluation.live_chain): the default
chair script played by the engine through the live loop on a stream clock; the player's
speech through the simulated room, a faint noise floor, and now and then a real human
"stop" from the speech corpus at SNR_DB above the player's echoed speech, placed in turn
over a sentence, in the first second after one, and in a quiet moment. Each block goes
through the echo canceller, the player's listening step (own-voice decision, the player
yielding the floor, listener) and the engine, exactly as the listening thread and the
live loop do it. Latency = the block end at which the engine received "stop" minus the
clip's end of speech. The CPU time of that block (canceller to engine) is reported beside
the stream-time figures; the device's input block and output latency come on top live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from benchmarks.context import BenchContext
from benchmarks.results import Figure, Goal, Measurement
from benchmarks.stats import percentile, summary

if TYPE_CHECKING:
    from voicecoach.evaluation.eval_commands import Clip

GOAL = Goal("<=", 0.300)
SNR_DB = 10.0
CLIPS = 40
"""Of the corpus's 85 human "stop" clips, spread evenly (the time budget)."""


def measure(ctx: BenchContext) -> Measurement:
    count = ctx.reps(CLIPS, 12)
    m = Measurement(
        "latency",
        "Command latency, live chain",
        method=f"{count} of the corpus's human 'stop' clips, {SNR_DB:g} dB above the player's "
        "own echoed speech, placed in turn over a sentence, in the first second after one "
        "and in a quiet moment of a chair session, fed in 20 ms blocks through the whole "
        "live chain (voicecoach eval-commands --live: simulated room, echo canceller, "
        "own-voice decision, the player yielding the floor, listener, engine); end of "
        "speech to the engine receiving 'stop', in stream time. Clips not acted on within "
        "2 s are left out of the percentiles.",
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
    from voicecoach.evaluation.eval_commands import read_manifest, select

    clips = select([c for c in read_manifest(ctx.manifest) if c.word == "stop"], limit=count)
    for engine, missing in ctx.engines().items():
        if missing is not None:
            for label in labels:
                m.not_measured(f"{engine}: {label}", "ms", GOAL, missing, scale=1000)
            continue
        data = _run(engine, clips)
        every = data["all"]
        acted = [c for c in data["clips"] if c["acted"]]
        latencies = [max(0.0, c["latency_ms"]) / 1000 for c in acted]
        compute = [c["processing_ms"] / 1000 for c in acted if c["processing_ms"] is not None]
        places = ", ".join(
            f"{name} {s['acted_on']}/{s['clips']}" for name, s in data["placements"].items()
        )
        m.figures += [
            Figure(
                f"{engine}: p50 stop latency",
                percentile(latencies, 50),
                "ms",
                GOAL,
                scale=1000,
                note=f"{every['acted_on']}/{every['clips']} clips acted on ({places})",
            ),
            Figure(
                f"{engine}: p95 stop latency",
                percentile(latencies, 95),
                "ms",
                GOAL,
                scale=1000,
                note=f"+ CPU per detection p95 {_ms(percentile(compute, 95))}",
            ),
        ]
        m.raw[engine] = {
            "snr_db": SNR_DB,
            "latency_s": summary(latencies),
            "cpu_per_detection_s": summary(compute),
            **{k: v for k, v in data.items() if k != "clips"},
            "results": data["clips"],
        }
    return m


def _run(engine: str, clips: list[Clip]) -> dict[str, Any]:
    from voicecoach.config.settings import RecognitionSettings
    from voicecoach.evaluation.live_chain import LiveChain
    from voicecoach.listening.factory import create_recognizer
    from voicecoach.listening.listener import CommandListener
    from voicecoach.session.vocabulary import vocabulary_for

    settings = RecognitionSettings(engine=engine)
    vocabulary = vocabulary_for(settings)
    recognizer = create_recognizer(settings, "spot", tuning={})
    chain = LiveChain(
        lambda: CommandListener(recognizer, vocabulary),
        vocabulary,
        snr_db=SNR_DB,
        engine_name=engine,
    )
    return chain.run(clips).to_json()


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"
