"""Closing the player mid-session (Ctrl-C, a closed terminal) is recorded as "closed"."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONUNBUFFERED": "1",
        "VOICECOACH_DATA_DIR": str(tmp_path / "data"),
        "VOICECOACH_CONFIG_DIR": str(tmp_path / "config"),
    }


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_session_closed_by_the_person_says_closed_in_the_history(
    tmp_path: Path, sig: signal.Signals
) -> None:
    player = subprocess.Popen(
        [sys.executable, "-m", "voicecoach.cli", "play", "chair-gentle-start", "--text"],
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
    listed = subprocess.run(
        [sys.executable, "-m", "voicecoach.cli", "history", "--json"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    (session,) = json.loads(listed.stdout)
    assert session["end_reason"] == "closed"
