"""`voicecoach start --text`: the hands-free start, driven by typed answers."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _start(answers: list[tuple[str, str]], tmp_path: Path) -> str:
    """`start --text`, typing each answer once a printed line starts with its cue (as a
    person answers what they hear); everything printed, once the process has ended."""
    process = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "start", "--text", "--time-scale", "50"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "VOICECOACH_DATA_DIR": str(tmp_path / "data"),
            "VOICECOACH_CONFIG_DIR": str(tmp_path / "config"),
        },
    )
    watchdog = threading.Timer(120, process.kill)
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
        err = process.stderr.read() if process.stderr is not None else ""
    finally:
        watchdog.cancel()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert not pending, f"never asked: {pending}"
    return "\n".join(lines) + "\n"


WHERE = "Welcome. Are you in bed, or in a chair?"
SAME = "Welcome back. Same as last time"
STOP_THE_SESSION = [
    ("Welcome. This is", "s"),
    ("Stopped. Say continue", "s"),
    ("How is your pain now", "skip"),
]


def test_typed_chair_and_yes_start_a_chair_script(tmp_path: Path) -> None:
    out = _start(
        [(WHERE, "chair"), ("Gentle start in a chair, about", "yes"), *STOP_THE_SESSION], tmp_path
    )
    lines = out.splitlines()
    assert "Welcome. Are you in bed, or in a chair?" in lines
    offer = next(line for line in lines if line.endswith("Say yes, or next."))
    assert offer.startswith("Gentle start in a chair, about ")
    assert "Starting Gentle start in a chair." in lines
    assert "Welcome. This is Gentle start in a chair." in lines
    assert "Stopped. Say continue to carry on, or stop again to finish." in lines


def test_the_next_start_offers_the_same_as_last_time(tmp_path: Path) -> None:
    _start(
        [
            (WHERE, "chair"),
            ("Gentle start in a chair, about", "next"),
            ("Seated back and hip mobility, about", "yes"),
            *STOP_THE_SESSION,
        ],
        tmp_path,
    )
    out = _start([(SAME, "yes"), *STOP_THE_SESSION], tmp_path)
    lines = out.splitlines()
    assert lines[1] == "Keys now: b bed, c chair, y or Enter yes, n next, s stop."
    first = lines[2]
    assert first.startswith("Welcome back. Same as last time, ")
    chosen = first.removeprefix("Welcome back. Same as last time, ").removesuffix(
        "? Say yes, or no."
    )
    assert f"Starting {chosen}." in out


def test_saying_chair_when_asked_about_a_bed_session_offers_chair_sessions(
    tmp_path: Path,
) -> None:
    _start([(WHERE, "bed"), ("Gentle start in bed, about", "yes"), *STOP_THE_SESSION], tmp_path)
    out = _start(
        [(SAME, "chair"), ("All right. Gentle start in a chair", "yes"), *STOP_THE_SESSION],
        tmp_path,
    )
    assert "Welcome back. Same as last time, Gentle start in bed? Say yes, or no." in out
    assert "All right. Gentle start in a chair, about " in out
    assert "Starting Gentle start in a chair." in out
    assert "Starting Gentle start in bed." not in out
