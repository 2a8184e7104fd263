"""Session history: what is stored survives, reads back as a person would describe it,
and stays private."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

import pytest

from voicecoach.cli.main import main
from voicecoach.session.events import Log
from voicecoach.store.history import (
    HISTORY_FILE_NAME,
    History,
    HistoryError,
    default_history_path,
)

START = datetime(2024, 5, 6, 9, 30, tzinfo=timezone.utc)
CHILD = Path(__file__).parent / "history_crash_child.py"
WAIT = 60.0
"""Seconds to wait for a child process before failing (generous: shared, slow machines)."""


class SteppingClock:
    """Wall clock for History: each reading is `step` later than the one before."""

    def __init__(self, start: datetime = START, step: timedelta = timedelta(seconds=30)) -> None:
        self.now = start - step
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / HISTORY_FILE_NAME, now=SteppingClock()) as opened:
        yield opened


def play_session(history: History, *, end: str | None = "completed") -> int:
    """What the engine logs during a short session: 4 steps planned, 3 done."""
    session_id = history.start_session("chair-back-basics", "Seated back basics", "chair", 4)
    record = history.recorder(session_id)
    record(Log("session_started", {"script_id": "chair-back-basics"}), 0.0)
    record(Log("pain_score", {"moment": "start", "score": 5}), 12.0)
    record(Log("step_completed", {"exercise": "Ankle pumps"}), 60.0)
    record(Log("level_change", {"exercise": "Bridging", "level": -1}), 90.0)
    record(Log("command_heard", {"command": "pain"}), 100.0)
    record(Log("pain_score", {"moment": "during", "score": 7}), 110.0)
    record(Log("step_completed", {"exercise": "Bridging"}), 150.0)
    record(Log("level_change", {"exercise": "Bridging", "level": 0}), 170.0)
    record(Log("step_completed", {"exercise": "Bridging"}), 200.0)
    record(Log("pain_score", {"moment": "end", "score": 3}), 290.0)
    if end is not None:
        record(Log("session_ended", {"reason": end}), 300.0)
    return session_id


def test_a_session_reads_back_as_it_was_played(history: History) -> None:
    session_id = play_session(history)

    [summary] = history.sessions()

    assert summary.id == session_id
    assert summary.date == START
    assert (summary.script_id, summary.title) == ("chair-back-basics", "Seated back basics")
    assert summary.minutes == 5.0
    assert summary.completed_share == 0.75
    assert (summary.pain_start, summary.pain_end) == (5, 3)
    assert summary.changes == ["easier: Bridging", "back to normal: Bridging"]
    assert summary.end_reason == "completed"
    assert replace(summary) == summary  # read back complete, as if made by __init__
    assert history.last_session() == summary
    assert history.last_start_pain() == 5


def test_minutes_count_from_the_first_event_whatever_the_clock_started_at(
    history: History,
) -> None:
    session_id = history.start_session("chair-back-basics", "Seated back basics", "chair", 4)
    for t in (1000.0, 1100.0, 1300.0):
        history.record(session_id, "step_completed", {}, t)

    assert history.sessions()[0].minutes == 5.0


def test_sessions_are_listed_newest_first_and_limited(history: History) -> None:
    ids = [play_session(history, end=reason) for reason in ("completed", "stopped", "pain")]

    assert [s.id for s in history.sessions()] == ids[::-1]
    assert [s.end_reason for s in history.sessions(limit=2)] == ["pain", "stopped"]
    assert history.count_sessions() == 3


def test_a_session_that_never_ended_is_interrupted_at_its_last_event(history: History) -> None:
    play_session(history, end=None)

    [summary] = history.sessions()

    assert summary.end_reason == "interrupted"
    # The clock steps 30 s per reading: start, then 10 events.
    assert summary.ended == START + timedelta(seconds=30 * 10)
    assert summary.minutes == pytest.approx(290 / 60, abs=0.05)


def test_an_empty_history_has_no_last_session(history: History) -> None:
    assert history.sessions() == []
    assert history.last_session() is None
    assert history.last_start_pain() is None
    assert history.levels_for("chair-back-basics") == {}


def test_levels_follow_easier_harder_and_back_to_normal(history: History) -> None:
    first = history.start_session("chair-back-basics", "Seated back basics", "chair", 6)
    history.record(first, "level_change", {"exercise": "Bridging", "level": -1}, 10)
    history.record(first, "level_change", {"exercise": "Bridging", "level": -2}, 20)
    history.record(first, "level_change", {"exercise": "Ankle pumps", "level": 1}, 30)
    history.record(first, "level_change", {"exercise": "Knee rolls", "level": 1}, 40)
    second = history.start_session("chair-back-basics", "Seated back basics", "chair", 6)
    history.record(
        second, "level_change", {"exercise": "Knee rolls", "direction": "back to normal"}, 5
    )
    history.record(second, "level_change", {"exercise": "Bridging", "level": -1}, 15)
    other = history.start_session("bed-hips", "Hips in bed", "bed", 3)
    history.record(other, "level_change", {"exercise": "Bridging", "level": 2}, 5)

    assert history.levels_for("chair-back-basics") == {
        "Bridging": -1,
        "Ankle pumps": 1,
        "Knee rolls": 0,
    }
    assert history.levels_for("bed-hips") == {"Bridging": 2}
    by_id = {s.id: s.changes for s in history.sessions()}
    assert by_id[first] == [
        "easier: Bridging",
        "easier: Bridging",
        "harder: Ankle pumps",
        "harder: Knee rolls",
    ]
    # Level -1 after -2 in an earlier session: the level this session started from is
    # not known, so the sign decides.
    assert by_id[second] == ["back to normal: Knee rolls", "easier: Bridging"]


def test_a_direction_given_by_the_engine_wins(history: History) -> None:
    session_id = history.start_session("chair-back-basics", "Seated back basics", "chair", 6)
    history.record(
        session_id, "level_change", {"exercise": "Bridging", "level": -1, "direction": "harder"}, 1
    )
    history.record(session_id, "level_change", {"exercise": "Bridging", "level": -2, "from": -3}, 2)

    assert history.sessions()[0].changes == ["harder: Bridging", "harder: Bridging"]


def test_the_file_is_private_and_is_made_private_again(tmp_path: Path) -> None:
    path = tmp_path / "new folder" / HISTORY_FILE_NAME
    old_umask = os.umask(0o022)
    try:
        with History(path) as history:
            play_session(history, end=None)
            wal = Path(f"{path}-wal")
            assert wal.exists()
            assert stat.S_IMODE(wal.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

        path.chmod(0o644)  # e.g. copied from a backup with loose permissions
        with History(path) as history:
            assert history.count_sessions() == 1
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)


def test_the_data_dir_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path / "elsewhere"))

    with History() as history:
        play_session(history)

    assert history.path == tmp_path / "elsewhere" / HISTORY_FILE_NAME == default_history_path()
    assert history.path.exists()


def test_the_file_uses_wal_and_a_schema_version(history: History) -> None:
    with closing(sqlite3.connect(history.path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]


def test_a_history_from_a_newer_voicecoach_is_refused(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_FILE_NAME
    History(path).close()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE schema_version SET version = 99")

    with pytest.raises(HistoryError, match="move it aside"):
        History(path)


def test_a_damaged_file_is_set_aside_with_a_note_naming_both_paths(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_FILE_NAME
    path.write_bytes(b"this is not a database, it is a shopping list " * 100)

    with History(path) as history:
        assert history.set_aside is not None
        assert f"{path} was damaged" in history.damage_note
        assert f"set aside as {history.set_aside}" in history.damage_note


def test_recording_into_an_unknown_session_says_so(history: History) -> None:
    with pytest.raises(HistoryError, match="no session 42"):
        history.record(42, "step_completed", {}, 1.0)


def test_nothing_of_a_failed_bulk_write_is_kept(history: History) -> None:
    with pytest.raises(RuntimeError), history.bulk():
        play_session(history)
        raise RuntimeError("import failed half way")

    assert history.sessions() == []


# ---------------------------------------------------------------- crash safety


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line.strip())
    into.put("")  # end of output


def test_every_committed_event_survives_a_kill(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_FILE_NAME
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(path)],
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert child.stdout is not None
    threading.Thread(target=_lines, args=(child.stdout, lines), daemon=True).start()
    reported: list[int] = []
    try:
        first = lines.get(timeout=WAIT)
        assert first.startswith("session "), first
        session_id = int(first.split()[1])
        deadline = time.monotonic() + WAIT
        while len(reported) < 40:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line, "the child stopped before it was killed"
            reported.append(int(line))
        os.kill(child.pid, signal.SIGKILL)  # in the middle of its session
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=WAIT)
    assert child.returncode == -signal.SIGKILL

    with History(path) as history:
        [summary] = history.sessions()
        with closing(sqlite3.connect(path)) as conn:
            stored = {
                json.loads(detail)["number"]
                for (detail,) in conn.execute(
                    "SELECT detail FROM events WHERE session_id = ? AND kind = 'command_heard'",
                    (session_id,),
                )
            }

    assert set(reported) <= stored
    assert summary.id == session_id
    assert summary.end_reason == "interrupted"
    assert summary.minutes >= reported[-1] / 60 - 0.05  # t of the last event, 1 s per event
    assert summary.ended >= summary.date


# ---------------------------------------------------------------- the command


def test_history_json_lists_sessions_for_other_tools(tmp_path: Path) -> None:
    with History(tmp_path / HISTORY_FILE_NAME, now=SteppingClock()) as history:
        play_session(history)
        play_session(history, end=None)
    environment = {**os.environ, "VOICECOACH_DATA_DIR": str(tmp_path)}

    result = subprocess.run(
        [sys.executable, "-m", "voicecoach", "history", "--json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=WAIT,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    newest, oldest = json.loads(result.stdout)
    assert set(oldest) == {
        "id",
        "date",
        "script_id",
        "title",
        "minutes",
        "completed_share",
        "pain_start",
        "pain_end",
        "changes",
        "end_reason",
        "pain_reports",
    }
    assert oldest["pain_reports"] == [
        {"t": 12.0, "moment": "start", "score": 5},
        {"t": 110.0, "moment": "during", "score": 7},
        {"t": 290.0, "moment": "end", "score": 3},
    ]
    assert datetime.fromisoformat(oldest["date"]) == START
    assert oldest["title"] == "Seated back basics"
    assert oldest["completed_share"] == 0.75
    assert (oldest["pain_start"], oldest["pain_end"]) == (5, 3)
    assert oldest["changes"] == ["easier: Bridging", "back to normal: Bridging"]
    assert oldest["end_reason"] == "completed"
    assert newest["end_reason"] == "interrupted"


@pytest.fixture
def new_zealand_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time UTC+12 (a POSIX TZ rule, so no time zone database is needed)."""
    monkeypatch.setenv("TZ", "NZST-12")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_history_table_shows_local_dates_and_what_happened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], new_zealand_time: None
) -> None:
    with History(default_history_path(), now=SteppingClock()) as history:
        play_session(history)
        play_session(history, end="pain")

    assert main(["history"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "Date",
        "Script",
        "Minutes",
        "Done",
        "Pain",
        "start→end",
        "Ended",
        "Changes",
    ]
    # 09:30 UTC is 21:30 in New Zealand. Newest first: the session stopped for pain.
    assert lines[2].startswith("Mon 6 May 2024 21:30  Seated back basics")
    assert "75%" in lines[2] and "5→3" in lines[2] and "done" in lines[2]
    assert lines[2].endswith("easier: Bridging, back to normal: Bridging")
    assert "pain" in lines[1].split()


def test_history_limit_says_how_many_more_there_are(capsys: pytest.CaptureFixture[str]) -> None:
    with History(default_history_path()) as history:
        for _ in range(3):
            play_session(history)

    assert main(["history", "--limit", "2"]) == 0

    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1 + 2 + 2  # header, 2 rows, blank, note
    assert "2 most recent of 3 sessions" in out


def test_empty_history_is_a_friendly_line_and_creates_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["history"]) == 0
    assert capsys.readouterr().out.startswith("No sessions yet.")
    assert main(["history", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert not default_history_path().exists()


def test_a_bad_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--limit", "0"]) == 2
    assert "--limit must be 1 or more" in capsys.readouterr().err


# ---------------------------------------------------------------- with the real engine


def engine_session(history: History, command: str) -> int:
    """Play the sample script with the engine, saying `command` during a Bridging hold,
    and record its Log actions the way the player does; returns the session id."""
    from engine_driver import MOMENTS, EngineDriver
    from sample_scripts import sample_script

    script = sample_script()
    driver = EngineDriver(script, levels=history.levels_for(script.id))
    driver.start()
    MOMENTS["holding"](driver)
    driver.hear(command)
    driver.finish()
    [started] = driver.logs("session_started")
    session_id = history.start_session(
        script.id, script.title, script.position.value, started.detail["planned_steps"]
    )
    record = history.recorder(session_id)
    for entry in driver.records:
        if isinstance(entry.action, Log):
            record(entry.action, entry.t)
    return session_id


def test_sessions_played_by_the_engine_read_back_and_remember_levels(history: History) -> None:
    first = engine_session(history, "easier")
    script_id = history.sessions()[0].script_id

    assert history.levels_for(script_id) == {"Bridging": -1}

    second = engine_session(history, "back to normal")  # starts at the remembered level

    by_id = {s.id: s for s in history.sessions()}
    assert by_id[first].changes == ["easier: Bridging"]
    assert by_id[second].changes == ["back to normal: Bridging"]
    assert history.levels_for(script_id) == {"Bridging": 0}
    for summary in by_id.values():
        assert summary.end_reason == "completed"
        assert summary.completed_share == 1.0
        assert summary.minutes > 1
