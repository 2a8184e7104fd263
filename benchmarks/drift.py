"""Timing drift: when each count is spoken, against the whole second it belongs to.

The first 30 minutes of a long session are played by the real session loop
(live_session.LiveSession, as the voice player runs it) in real time on a scaled clock
(ScaledClock, --time-scale), with a simulated person and a silent speaker whose
utterances last as long as their synthesised samples; synthesis is real (SpeechCache,
count words warmed first and the session's sentences in the background, as the player
does). The onset of every count word ("Hold.", "one" ...), rep cue and "And relax." is
the clock time at which the speaker is handed its samples; the engine schedules all of
them on whole seconds of the session clock.

Scaling multiplies real delays: at scale 6 a 5 ms late wake-up reads as 30 ms of session
time, so the figures are pessimistic for a real session (their real-time equivalents are
in the raw results).

Runs as a child process (`python -m benchmarks.drift --child`), so nothing else in
the benchmark's own process disturbs its timing.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from benchmarks.context import BenchContext, run_timed
from benchmarks.results import Figure, Goal, Measurement
from benchmarks.stats import summary

PER_COUNT_GOAL = Goal("<=", 0.050)
CUMULATIVE_GOAL = Goal("<=", 0.2)


def measure(ctx: BenchContext) -> Measurement:
    minutes = 30.0 if not ctx.quick else 10.0
    scale = 6.0 if not ctx.quick else 10.0
    m = Measurement(
        "drift",
        "Timing drift",
        method=f"A {minutes:.0f}-minute session driven in real time by the session loop on a "
        f"clock running {scale:g}x faster ({minutes * 60 / scale / 60:.1f} minutes of wall "
        "time), silent speaker timed by the synthesised samples, real synthesis. Error = "
        "onset of each count minus its whole second, in session seconds (real delays count "
        f"{scale:g}x: pessimistic). Cumulative drift = the trend of the error over the "
        "session (least-squares slope x session length).",
    )
    timeout = minutes * 60 / scale + 120
    run = run_timed(
        [
            ctx.python,
            "-m",
            "benchmarks.drift",
            "--child",
            "--minutes",
            str(minutes),
            "--scale",
            str(scale),
            "--folder",
            str(ctx.work),
        ],
        ctx.env(),
        timeout=timeout,
    )
    if run.returncode != 0:
        raise RuntimeError(f"the drift session failed: {run.stderr[-800:]}")
    data = json.loads(run.stdout)
    m.raw = data
    counts = data["counts"]
    m.figures += [
        Figure(
            "max error of a count",
            counts["max_abs_error_s"],
            "ms",
            PER_COUNT_GOAL,
            scale=1000,
            note=f"{counts['n']} counts at {scale:g}x; p50 "
            f"{counts['error_s']['p50'] * 1000:.0f} ms, p95 {counts['error_s']['p95'] * 1000:.0f}"
            f" ms; max / scale = {counts['max_abs_error_real_time_s'] * 1000:.0f} ms real time",
        ),
        Figure(
            "cumulative drift over the session",
            abs(data["cumulative_drift_s"]),
            "s",
            CUMULATIVE_GOAL,
            digits=3,
            note=f"{data['session_minutes']:.1f} session minutes",
        ),
    ]
    beats = data["cues"]
    if beats["n"]:
        m.notes.append(
            f"Rep cues and 'And relax.' ({beats['n']}, also on whole seconds): max error "
            f"{beats['max_abs_error_s'] * 1000:.0f} ms, p50 {beats['error_s']['p50'] * 1000:.0f}"
            " ms (sentences not yet synthesised are synthesised when due)."
        )
    return m


# ---------------------------------------------------------------- the child


def run_child(minutes: float, scale: float, folder: Path) -> dict[str, Any]:
    from benchmarks.long_script import write_long_script
    from benchmarks.simulated import LoopPerson, TimedSpeaker
    from voicecoach.config.settings import Settings
    from voicecoach.player.live_session import LiveSession
    from voicecoach.player.runner import ScaledClock
    from voicecoach.player.voice_output import VoiceSpeech
    from voicecoach.session.engine import SessionEngine, State
    from voicecoach.session.events import Action, Say
    from voicecoach.session.preview import said_texts
    from voicecoach.session.vocabulary import vocabulary_for
    from voicecoach.speech.synth import SpeechCache, count_words

    folder.mkdir(parents=True, exist_ok=True)
    # Real speech runs longer than preview's estimate, so the script is long enough;
    # the session is cut after `minutes` of session time.
    _, script = write_long_script(folder, minutes)
    settings = Settings()
    cache = SpeechCache(settings.speech)
    cache.warm([*count_words(), "Hold.", "And relax.", "Ten seconds."])
    warming = threading.Thread(target=cache.warm, args=(said_texts(script, settings),), daemon=True)
    warming.start()
    clock = ScaledClock(scale)
    speaker = TimedSpeaker(clock.now)
    vocabulary = vocabulary_for(settings.recognition)
    engine = SessionEngine(script, settings.session, vocabulary=vocabulary)
    person = LoopPerson(engine, speaker, clock.now, scale)
    whole_second: dict[int, str] = {}

    def note(action: Action, t: float) -> None:
        if isinstance(action, Say):
            if action.kind == "count":
                whole_second[action.utterance_id] = "count"
            elif engine.state is State.COUNTING or action.text == "And relax.":
                whole_second[action.utterance_id] = "cue"

    output = VoiceSpeech(speaker, cache, settings.speech.volume)
    LiveSession(engine, output, person.wait, clock.now, on_action=note).run(
        max_seconds=minutes * 60
    )
    errors: dict[str, list[tuple[float, float]]] = {"count": [], "cue": []}
    for onset in speaker.onsets:
        kind = whole_second.get(onset.utterance_id)
        if kind is not None:
            errors[kind].append((onset.at, onset.at - round(onset.at)))
    counts = errors["count"]
    session_seconds = clock.now()
    slope = _slope(counts)
    return {
        "scale": scale,
        "session_minutes": session_seconds / 60,
        "script_minutes_by_preview": round(minutes, 1),
        "session_ended": engine.finished,
        "counts": _errors(counts, scale),
        "cues": _errors(errors["cue"], scale),
        "cumulative_drift_s": slope * session_seconds,
        "error_slope_s_per_hour": slope * 3600,
        "first_5_min_p50_s": summary([e for t, e in counts if t < 300])["p50"],
        "last_5_min_p50_s": summary([e for t, e in counts if t >= session_seconds - 300])["p50"],
        "count_errors": [[round(t, 3), round(e, 4)] for t, e in counts],
    }


def _errors(points: list[tuple[float, float]], scale: float) -> dict[str, Any]:
    errors = [e for _, e in points]
    return {
        "n": len(points),
        "error_s": summary(errors),
        "max_abs_error_s": round(max((abs(e) for e in errors), default=0.0), 4),
        "max_abs_error_real_time_s": round(max((abs(e) for e in errors), default=0.0) / scale, 4),
    }


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of error against session time (seconds per second)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_e = sum(e for _, e in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return 0.0
    return sum((t - mean_t) * (e - mean_e) for t, e in points) / spread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.drift")
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--scale", type=float, default=6.0)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args(argv)
    json.dump(run_child(args.minutes, args.scale, args.folder), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
