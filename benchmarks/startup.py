"""Start-up: from starting `voicecoach play chair-gentle-start --plain` (voice mode) to
its first spoken word, and whole-process timings of quick commands.

The first word is the first "Said: ..." line of the plain display, which the voice
player prints once the speaker has started the sentence. The player runs in the private
PulseAudio room (real output and input streams) when PulseAudio is installed; without
it, the player finds no sound device and prints its speech instead, which is said in
the results. Each run is stopped (SIGTERM to its PID) once the line has come.
"""

from __future__ import annotations

from benchmarks.context import BenchContext, median_runs, run_timed
from benchmarks.results import Figure, Goal, Measurement
from benchmarks.room import PlayerProcess, virtual_room
from benchmarks.stats import median, summary

GOAL = Goal("<=", 2.0)
SCRIPT = "chair-gentle-start"
QUICK_COMMANDS = (("--help",), ("list",))


def measure(ctx: BenchContext) -> Measurement:
    runs = ctx.reps(5, 3)
    m = Measurement(
        "startup",
        "Start-up",
        method=f"`voicecoach play {SCRIPT} --plain` started {runs + 1} times (the first, "
        "with cold caches, reported apart): process start to its first 'Said:' line. "
        "Quick commands: wall time of the whole process, median of "
        f"{runs} runs after a warm-up.",
    )
    with virtual_room(ctx.root) as (room, why):
        env = ctx.env(base=room.env if room is not None else None)
        where = "in the PulseAudio room" if room is not None else f"no room ({why}): printed"
        times: list[float] = []
        cold: float | None = None
        failures: list[str] = []
        for attempt in range(runs + 1):
            player = PlayerProcess(ctx.voicecoach("play", SCRIPT, "--plain"), env)
            line = player.wait_for("Said:", timeout=30)
            player.stop()
            if line is None:
                failures.append("; ".join(player.errors[-3:]) or "no 'Said:' line")
                continue
            elapsed = line.at - player.started
            if attempt == 0:
                cold = elapsed
            else:
                times.append(elapsed)
    label = "process start to first spoken word"
    if times:
        m.figures.append(
            Figure(
                label,
                median(times),
                "s",
                GOAL,
                digits=2,
                note=f"{where}; first (cold) run {cold:.2f} s" if cold else where,
            )
        )
    else:
        m.not_measured(label, "s", GOAL, f"the player never spoke: {failures[:1]}", digits=2)
    m.raw["first_word"] = {"where": where, "cold_s": cold, "warm_s": summary(times)}
    if failures:
        m.raw["first_word"]["failures"] = failures
    for args in QUICK_COMMANDS:
        command = ctx.voicecoach(*args)
        done = [run_timed(command, ctx.env()) for _ in range(runs + 1)][1:]
        figures = median_runs(done)
        m.figures.append(
            Figure(
                f"`voicecoach {' '.join(args)}`, whole process",
                figures["wall_s"],
                "s",
                None,
                digits=2,
                note=f"CPU {figures['cpu_s']:.2f} s, peak {figures['max_rss_mb']:.0f} MB",
            )
        )
        m.raw[" ".join(args)] = {**figures, "wall_s_runs": summary([r.wall for r in done])}
    return m
