"""The player hearing its own speech as a command, per hour: `voicecoach eval-self --json`
over every bundled script (every distinct sentence, through a simulated room, echo
canceller on). Nobody else speaks, so every command heard is a false accept.

To finish within the time budget on two cores, the library is split into two halves of
about equal length (by preview), evaluated by two eval-self processes side by side; the
figures add up (false accepts over hours of speech). A sentence used by scripts in both
halves is heard twice."""

from __future__ import annotations

import json
import threading
from typing import Any

from benchmarks.context import BenchContext, ProcessRun, run_timed
from benchmarks.results import Figure, Goal, Measurement

GOAL = Goal("<=", 0.0)
QUICK_SENTENCES = 40


def measure(ctx: BenchContext) -> Measurement:
    m = Measurement(
        "own-speech",
        "Own speech heard as a command",
        method="`voicecoach eval-self --json --scripts ...` over all bundled scripts (two "
        "processes, half the library each)"
        + (f", first {QUICK_SENTENCES} sentences of each half only (--quick)" if ctx.quick else "")
        + ": every sentence synthesised, echoed by a simulated room, echo canceller on.",
    )
    for engine, missing in ctx.engines().items():
        label = f"{engine}: own-speech false accepts per hour"
        if missing is not None:
            m.not_measured(label, "/h", GOAL, missing, digits=1)
            continue
        extra = [] if not ctx.quick else ["--sentences", str(QUICK_SENTENCES)]
        commands = [
            ctx.voicecoach("eval-self", "--json", "--engine", engine, *extra, "--scripts", *half)
            for half in library_halves()
        ]
        runs: list[ProcessRun | None] = [None] * len(commands)
        threads = [
            threading.Thread(target=_run, args=(ctx, c, runs, i), name=f"eval-self-{i}")
            for i, c in enumerate(commands)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        parts: list[dict[str, Any]] = []
        for command, done in zip(commands, runs, strict=True):
            if done is None or done.returncode != 0:
                why = done.stderr[-800:] if done is not None else "did not run"
                raise RuntimeError(f"{' '.join(command)} failed: {why}")
            parts.append(json.loads(done.stdout))
        total = combine(parts)
        without = total["without_echo_cancel"]
        m.figures += [
            Figure(
                label,
                total["per_hour"],
                "/h",
                GOAL,
                digits=1,
                note=f"{total['false_accepts']} in {total['hours'] * 60:.0f} min of speech "
                f"({total['sentences']} sentences), {total['safety_false_accepts']} of them "
                "stop/pain",
            ),
            Figure(
                f"{engine}: same without echo cancelling",
                without["per_hour"],
                "/h",
                None,
                digits=1,
                note=f"{without['false_accepts']} false accepts, "
                f"{without['safety_false_accepts']} of them stop/pain",
            ),
        ]
        m.raw[engine] = {
            **total,
            "runs": [
                {"command": " ".join(c[1:]), "seconds": round(r.wall, 1) if r else None, **p}
                for c, r, p in zip(commands, runs, parts, strict=True)
            ],
        }
    return m


def _run(ctx: BenchContext, command: list[str], into: list[ProcessRun | None], at: int) -> None:
    into[at] = run_timed(command, ctx.env(), timeout=1200, throughput=True)


def library_halves() -> list[list[str]]:
    """The bundled script ids in two groups of about equal session length."""
    from voicecoach.script.library import load_library
    from voicecoach.session.preview import estimated_seconds

    timed = sorted(((estimated_seconds(s), s.id) for s in load_library()), reverse=True)
    halves: list[list[str]] = [[], []]
    lengths = [0.0, 0.0]
    for seconds, script_id in timed:
        shorter = 0 if lengths[0] <= lengths[1] else 1
        halves[shorter].append(script_id)
        lengths[shorter] += seconds
    return [h for h in halves if h]


def combine(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals of several eval-self results: counts and hours add up; rates are recomputed."""

    def rates(passes: list[dict[str, Any]], hours: float) -> dict[str, Any]:
        false_accepts = sum(int(p["false_accepts"]) for p in passes)
        by_command: dict[str, int] = {}
        for p in passes:
            for command, count in (p.get("by_command") or {}).items():
                by_command[command] = by_command.get(command, 0) + int(count)
        return {
            "false_accepts": false_accepts,
            "safety_false_accepts": sum(int(p["safety_false_accepts"]) for p in passes),
            "per_hour": round(false_accepts / hours, 2) if hours else None,
            "by_command": by_command,
            "triggers": [t for p in passes for t in p.get("triggers", [])],
        }

    hours = sum(float(p["hours"]) for p in parts)
    return {
        "engine": parts[0].get("engine") if parts else None,
        "scripts": [s for p in parts for s in p.get("scripts", [])],
        "sentences": sum(int(p["sentences"]) for p in parts),
        "hours": round(hours, 4),
        **rates(parts, hours),
        "without_echo_cancel": rates([p["without_echo_cancel"] for p in parts], hours),
        "echo_reduction_db": [p.get("echo_reduction_db") for p in parts],
    }
