"""Closing the player mid-session is recorded as "closed"; a typed session's pain report
reaches `voicecoach history --json`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLAY = [sys.executable, "-m", "voicecoach", "play", "chair-gentle-start", "--text"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONUNBUFFERED": "1",
        "VOICECOACH_DATA_DIR": str(tmp_path / "data"),
        "VOICECOACH_CONFIG_DIR": str(tmp_path / "config"),
    }


def _history_json(tmp_path: Path) -> list[dict[str, Any]]:
    listed = subprocess.run(
        [sys.executable, "-m", "voicecoach", "history", "--json"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    sessions: list[dict[str, Any]] = json.loads(listed.stdout)
    return sessions


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_session_closed_by_the_person_says_closed_in_the_history(
    tmp_path: Path, sig: signal.Signals
) -> None:
    player = subprocess.Popen(
        PLAY,
        cwd=ROOT,
        env=_env(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert player.stdout is not None and player.stdin is not None
    for line in player.stdout:  # the session has begun once the welcome is said
        if line.startswith("Welcome."):
            break
    os.kill(player.pid, sig)
    _, err = player.communicate(timeout=30)
    assert player.returncode == 130
    assert "voicecoach: stopped." in err and "Traceback" not in err
    (session,) = _history_json(tmp_path)
    assert session["end_reason"] == "closed"


def test_a_typed_session_lists_its_pain_report_in_history_json(tmp_path: Path) -> None:
    subprocess.run(
        [*PLAY, "--time-scale", "50"],
        cwd=ROOT,
        env=_env(tmp_path),
        input="p\n5\ns\ns\nskip\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    (session,) = _history_json(tmp_path)
    during = [r for r in session["pain_reports"] if r["moment"] == "during"]
    assert [(r["score"], r["zone"]) for r in during] == [(5, "amber")]
