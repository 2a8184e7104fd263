"""The benchmark suite: `scripts/bench` (or `python -m benchmarks`).

Measures how well voicecoach does its job on this machine and writes docs/benchmarks.md
(each figure beside its goal) and bench-results.json (every raw number).

One module per measurement, each with `measure(ctx) -> Measurement`:

latency_stream.py  command latency through the file-fed streaming path
latency_room.py    command latency through a private PulseAudio room (real player process)
accuracy.py        command accuracy and false accepts, quiet and over the player's speech
own_speech.py      the player hearing its own speech as a command, per hour
listening_cpu.py   CPU seconds per audio second while listening
memory.py          peak memory of a session (child process)
startup.py         process start to the first spoken word; whole-process timings
drift.py           count onsets against whole seconds over a long session
scale.py           a 60-minute preview, and `history` over 10 000 sessions

Shared parts: results.py (figures and goals), stats.py (percentiles), context.py (paths,
environment, timed child processes), machine.py, long_script.py, simulated.py (a person
and a speaker for driving sessions), report.py (the two output files).
"""
