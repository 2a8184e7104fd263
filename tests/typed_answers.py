"""Driving `voicecoach play|start --text` as a person types: each answer once its cue is
printed (an answer typed ahead would reach whatever is listening at that moment)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAST = ("--time-scale", "50")


def answer_as_printed(
    args: list[str], env: dict[str, str], answers: list[tuple[str, str]], timeout: float = 120
) -> list[str]:
    """Run `voicecoach ARGS`, typing each (cue, answer) once a printed line starts with the
    cue; the lines printed, once the process has ended. Fails on a non-zero exit, a
    traceback, or an answer whose cue never came; killed after `timeout` seconds."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        # stderr to a file: a full pipe nobody reads would block the player.
        process = subprocess.Popen(
            [sys.executable, "-m", "voicecoach", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=ROOT,
            env=env,
        )
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        assert process.stdin is not None and process.stdout is not None
        lines: list[str] = []
        pending = list(answers)
        try:
            for line in process.stdout:
                lines.append(line.rstrip("\n"))
                while pending and line.startswith(pending[0][0]):
                    process.stdin.write(pending.pop(0)[1] + "\n")
                    process.stdin.flush()
            process.wait(timeout=30)
        finally:
            watchdog.cancel()
        errors.seek(0)
        err = errors.read()
    assert process.returncode == 0, err or lines
    assert "Traceback" not in err
    assert not pending, f"never asked: {pending}"
    return lines
