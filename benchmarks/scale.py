"""Scale: a 60-minute preview, and `voicecoach history` over 10 000 stored sessions.

Each is timed twice: the command's own work in this process (its `run()` with output
thrown away, median of several runs), and the whole process as a person runs it
(`voicecoach preview FILE`, `voicecoach history`; median wall time of several runs after
a warm-up, from outside).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from benchmarks.context import BenchContext, ProcessRun, median_runs, run_timed
from benchmarks.long_script import write_long_script
from benchmarks.results import Figure, Goal, Measurement
from benchmarks.stats import median, summary

PREVIEW_MINUTES = 60
SESSIONS = 10_000
PREVIEW_GOAL = Goal("<", 2.0)
HISTORY_GOAL = Goal("<", 0.100)


def measure(ctx: BenchContext) -> Measurement:
    m = Measurement(
        "scale",
        "Scale",
        method=f"A {PREVIEW_MINUTES}-minute chair script built from the bundled exercises is "
        "previewed; a private history is filled with "
        f"{SESSIONS:,} sessions (8 events each) and listed with `voicecoach history`. "
        "In-process: the command's run() with its output discarded; whole process: "
        "wall time of the command run from outside. Medians.",
    )
    runs = ctx.reps(5, 3)
    _preview(ctx, m, runs)
    _history(ctx, m, runs)
    return m


def _parsed(*argv: str) -> argparse.Namespace:
    """The arguments as the command line parses them (every option at its default)."""
    from voicecoach.cli.main import build_parser

    return build_parser(argv[0]).parse_args(list(argv))


def _preview(ctx: BenchContext, m: Measurement, runs: int) -> None:
    from voicecoach.cli import preview as preview_command
    from voicecoach.session.preview import preview

    folder = ctx.work / "scale"
    folder.mkdir(parents=True, exist_ok=True)
    path, script = write_long_script(folder, PREVIEW_MINUTES)
    from voicecoach.config.settings import Settings

    lines = preview(script, Settings())
    session_minutes = lines[-1].t / 60 if lines else 0.0
    args = _parsed("preview", str(path))
    with _environment(ctx):
        inside = _time_in_process(lambda: preview_command.run(args), runs)
    whole = [run_timed(ctx.voicecoach("preview", str(path)), ctx.env()) for _ in range(runs + 1)]
    whole = whole[1:]  # the first run warms the file cache
    _check(whole, "voicecoach preview")
    m.figures += [
        Figure(
            f"{PREVIEW_MINUTES}-min preview, in-process",
            median(inside),
            "s",
            PREVIEW_GOAL,
            digits=3,
        ),
        Figure(
            f"{PREVIEW_MINUTES}-min preview, whole process",
            median_runs(whole)["wall_s"],
            "s",
            PREVIEW_GOAL,
            digits=3,
        ),
    ]
    m.raw["preview"] = {
        "session_minutes": round(session_minutes, 2),
        "exercises": len(script.exercises),
        "transcript_lines": len(lines),
        "in_process_s": summary(inside),
        "whole_process": median_runs(whole),
        "whole_process_wall_s": summary([r.wall for r in whole]),
    }


def _history(ctx: BenchContext, m: Measurement, runs: int) -> None:
    from voicecoach.cli import history as history_command

    data = ctx.work / "scale-history"
    data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    events = fill_history(data / "history.sqlite3", SESSIONS)
    fill_seconds = time.perf_counter() - started
    extra = {"VOICECOACH_DATA_DIR": str(data)}
    table = _parsed("history")
    as_json = _parsed("history", "--json")
    with _environment(ctx, extra):
        inside = _time_in_process(lambda: history_command.run(table), runs)
        inside_json = _time_in_process(lambda: history_command.run(as_json), runs)
    env = ctx.env(extra)
    whole = [run_timed(ctx.voicecoach("history"), env) for _ in range(runs + 1)][1:]
    _check(whole, "voicecoach history")
    whole_json = [run_timed(ctx.voicecoach("history", "--json"), env) for _ in range(runs)]
    _check(whole_json, "voicecoach history --json")
    m.figures += [
        Figure(
            f"history of {SESSIONS:,} sessions, in-process",
            median(inside),
            "ms",
            HISTORY_GOAL,
            scale=1000,
        ),
        Figure(
            f"history of {SESSIONS:,} sessions, whole process",
            median_runs(whole)["wall_s"],
            "ms",
            HISTORY_GOAL,
            scale=1000,
            note="includes starting Python and importing voicecoach",
        ),
    ]
    m.raw["history"] = {
        "sessions": SESSIONS,
        "events": events,
        "fill_seconds": round(fill_seconds, 2),
        "table_in_process_s": summary(inside),
        "table_whole_process": median_runs(whole),
        "json_all_in_process_s": summary(inside_json),
        "json_all_whole_process": median_runs(whole_json),
    }


def fill_history(path: Path, sessions: int) -> int:
    """`sessions` finished sessions, one a day going back, with pain scores and steps."""
    from voicecoach.store.history import History

    first = datetime(2020, 1, 1, 9, 0, tzinfo=timezone.utc)
    events = 0
    with History(path) as history, history.bulk():
        for n in range(sessions):
            at = first + timedelta(hours=8 * n)
            sid = history.start_session(
                "chair-gentle-start", "Gentle start in a chair", "chair", 6, at
            )
            script: list[tuple[str, dict[str, Any], float]] = [
                ("session_started", {"planned_steps": 6}, 0.0),
                ("pain_score", {"moment": "start", "score": n % 5}, 20.0),
                *[
                    ("step_completed", {"exercise": f"Exercise {k}", "completed": k}, 60.0 * k)
                    for k in range(1, 5)
                ],
                ("pain_score", {"moment": "end", "score": (n + 1) % 5}, 440.0),
                ("session_ended", {"reason": "completed"}, 466.0),
            ]
            for kind, detail, t in script:
                history.record(sid, kind, detail, t, at=at + timedelta(seconds=t))
                events += 1
    return events


def _time_in_process(run: Callable[[], int], runs: int) -> list[float]:
    """Seconds of each of `runs` calls (after one warm-up call), stdout thrown away."""
    times = []
    for attempt in range(runs + 1):
        sink = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(sink):
            code = run()
        elapsed = time.perf_counter() - started
        if code != 0:
            raise RuntimeError(f"the command returned {code}")
        if attempt > 0:
            times.append(elapsed)
    return times


@contextlib.contextmanager
def _environment(ctx: BenchContext, extra: dict[str, str] | None = None) -> Iterator[None]:
    """This process's environment as a child's would be, for in-process runs."""
    wanted = {k: v for k, v in ctx.env(extra).items() if k.startswith("VOICECOACH_")}
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _check(runs: Sequence[ProcessRun], what: str) -> None:
    for run in runs:
        if run.returncode != 0:
            raise RuntimeError(f"{what} exited with {run.returncode}: {run.stderr[-500:]}")
