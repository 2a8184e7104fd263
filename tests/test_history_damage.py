"""A damaged history file: noticed when opened, kept untouched beside a fresh one, and the
session still runs; a bad row is shown as such, never a traceback."""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from voicecoach.store.history import History

START = datetime(2024, 5, 6, 9, 30, tzinfo=timezone.utc)
WAIT = 60.0


def _history_with_sessions(path: Path, count: int = 400) -> None:
    with History(path) as history, history.bulk():
        for day in range(count):
            at = START + timedelta(days=day)
            session = history.start_session("chair-gentle-start", "Gentle start", "chair", 8, at)
            history.record(session, "pain_score", {"moment": "start", "score": 3}, 5, at=at)
            history.record(session, "session_ended", {"reason": "completed"}, 600, at=at)


def _damage(path: Path) -> bytes:
    """Random bytes over a page in the middle of the file (a disk or copy gone wrong); the
    same bytes every run, so the damage is the same."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 4096] = random.Random(13).randbytes(4096)
    path.write_bytes(bytes(data))
    return bytes(data)


def _environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "VOICECOACH_DATA_DIR": str(tmp_path / "data"),
        "VOICECOACH_CONFIG_DIR": str(tmp_path / "config"),
    }


def _voicecoach(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
        env=_environment(tmp_path),
    )


def test_a_damaged_file_is_set_aside_untouched_and_a_new_history_begins(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    _history_with_sessions(path)
    damaged = _damage(path)
    with History(path) as history:
        assert history.set_aside is not None
        assert history.set_aside.read_bytes() == damaged  # kept exactly as it was
        assert history.set_aside.parent == tmp_path
        assert str(history.set_aside) in history.damage_note
        assert history.count_sessions() == 0
        session = history.start_session("chair-gentle-start", "Gentle start", "chair", 8)
        history.record(session, "session_ended", {"reason": "completed"}, 60)
    with History(path) as again:
        assert again.set_aside is None
        assert again.count_sessions() == 1


def test_a_file_that_is_not_a_database_is_set_aside_too(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a history file\n" * 100)
    with History(path) as history:
        assert history.set_aside is not None
        assert history.set_aside.read_bytes() == b"this is not a history file\n" * 100
        assert history.count_sessions() == 0


def test_a_sound_file_is_left_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    _history_with_sessions(path, count=3)
    with History(path) as history:
        assert history.set_aside is None
        assert history.count_sessions() == 3
    assert [p.name for p in tmp_path.iterdir() if "damaged" in p.name] == []


def test_play_runs_with_a_damaged_history_and_says_so_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _history_with_sessions(data / "history.sqlite3")
    damaged = _damage(data / "history.sqlite3")
    result = _voicecoach(
        tmp_path, "play", "chair-gentle-start", "--text", "--time-scale", "50", stdin="s\ns\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    (aside,) = [p for p in data.iterdir() if re.search(r"\.damaged-[0-9-]+$", p.name)]
    assert aside.read_bytes() == damaged
    assert str(aside) in result.stderr
    spoken = [line for line in result.stdout.splitlines() if "history" in line.lower()]
    assert len(spoken) == 1, result.stdout
    listed = _voicecoach(tmp_path, "history", "--json")
    assert listed.returncode == 0, listed.stderr
    (session,) = json.loads(listed.stdout)  # this session was saved, in the new file
    assert session["end_reason"] == "stopped"


@pytest.fixture
def bad_row_history(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "history.sqlite3"
    path.parent.mkdir()
    _history_with_sessions(path, count=2)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sessions SET started_at = 'yesterday-ish' WHERE id = 1")
    return path


def test_history_shows_a_bad_row_as_such(tmp_path: Path, bad_row_history: Path) -> None:
    result = _voicecoach(tmp_path, "history")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "'yesterday-ish'" in result.stdout + result.stderr
    listed = _voicecoach(tmp_path, "history", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 2
    assert [row["id"] for row in rows if row.get("problem")] == [1]


def test_report_leaves_out_a_bad_row_and_says_so(tmp_path: Path, bad_row_history: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "report.html"
    result = _voicecoach(tmp_path, "report", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "session 1" in result.stderr and "'yesterday-ish'" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert "Session 1 (Gentle start) could not be read and is left out" in page
    assert "1 session " in page  # the one readable session is the one summed up
