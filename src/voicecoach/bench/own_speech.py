"""The player hearing its own speech as a command, per hour: `voicecoach eval-self --json`
over every bundled script (every distinct sentence, through a simulated room, echo
canceller on). Nobody else speaks, so every command heard is a false accept."""

from __future__ import annotations

import json

from voicecoach.bench.context import THROUGHPUT_NICENESS, BenchContext, run_timed
from voicecoach.bench.results import Figure, Goal, Measurement

GOAL = Goal("<=", 0.0)
QUICK_SENTENCES = 40


def measure(ctx: BenchContext) -> Measurement:
    extra = [] if not ctx.quick else ["--sentences", str(QUICK_SENTENCES)]
    m = Measurement(
        "own-speech",
        "Own speech heard as a command",
        method="`voicecoach eval-self --json` over all bundled scripts"
        + (f" (first {QUICK_SENTENCES} sentences only: --quick)" if ctx.quick else "")
        + ": every sentence synthesised, echoed by a simulated room, echo canceller on.",
    )
    for engine, missing in ctx.engines().items():
        label = f"{engine}: own-speech false accepts per hour"
        if missing is not None:
            m.not_measured(label, "/h", GOAL, missing, digits=1)
            continue
        command = ctx.voicecoach("eval-self", "--json", "--engine", engine, *extra)
        run = run_timed(command, ctx.env(), timeout=1200, nice=THROUGHPUT_NICENESS)
        if run.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {run.stderr[-800:]}")
        data = json.loads(run.stdout)
        without = data.get("without_echo_cancel", {})
        m.figures += [
            Figure(
                label,
                data["per_hour"],
                "/h",
                GOAL,
                digits=1,
                note=f"{data['false_accepts']} in {data['hours'] * 60:.0f} min of speech "
                f"({data['sentences']} sentences), {data['safety_false_accepts']} of them "
                "stop/pain",
            ),
            Figure(
                f"{engine}: same without echo cancelling",
                without.get("per_hour"),
                "/h",
                None,
                digits=1,
                note=f"{without.get('false_accepts')} false accepts; echo reduced by "
                f"{data.get('echo_reduction_db')} dB",
            ),
        ]
        m.raw[engine] = {"command": " ".join(command[1:]), "seconds": round(run.wall, 1), **data}
    return m
