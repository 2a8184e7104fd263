"""Session history: every session and its logged events, kept in one SQLite file.

Where the file lives and how it is opened (privately, migrated) is history_file.py; the
rows as a person reads them are history_rows.py. Each event is committed on its own with
WAL + synchronous=FULL: whatever `record()` returned from survives the player being
killed, and a power cut as far as the disk honours fsync.

Tables:
- sessions: one row per session, with running aggregates (completed steps, pain at
  start and end, time of the latest event) kept up to date by `record()`, so listing
  10 000 sessions is one indexed scan, not a query per session.
- events: every Log action of the engine: session seconds `t`, wall clock `at`,
  `kind` and a JSON `detail`.
- schema_version: the schema number; MIGRATIONS upgrades older files in place.

Event details this module reads (the engine's Log actions):
- pain_score: {"moment": "start" | "end" | ..., "score": 0-10}
- level_change: {"exercise": name, "level": int, "from": int (optional), "direction":
  "easier" | "harder" (optional; derived from the levels when missing)}; level 0 is
  shown as "back to normal". Level changes without "exercise" (pace) are kept as events
  only.
- session_ended: {"reason": "completed" | "stopped" | "pain" | ..., and optionally the
  engine's totals "completed", "planned", "pain_start", "pain_end"}
A session that has no session_ended event is reported as "interrupted".
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.session.progression import PastSession
from voicecoach.store.history_file import (
    DATA_DIR_VARIABLE,
    HISTORY_FILE_NAME,
    HistoryError,
    data_dir,
    default_history_path,
    open_history_file,
)
from voicecoach.store.history_rows import (
    DIRECTIONS,
    INTERRUPTED,
    SUMMARY_COLUMNS,
    SessionSummary,
    details_of,
    direction_of,
    level_in,
    previous_level,
    stored_text,
    summary_from_row,
    whole_number,
)

if TYPE_CHECKING:  # only for type hints: `voicecoach history` should start quickly
    from voicecoach.session.events import Log

__all__ = [
    "DATA_DIR_VARIABLE",
    "DIRECTIONS",
    "HISTORY_FILE_NAME",
    "INTERRUPTED",
    "History",
    "HistoryError",
    "SessionSummary",
    "data_dir",
    "default_history_path",
]

_NEWEST_FIRST = "ORDER BY started_at DESC, id DESC"
_ENDED_TOTALS = {
    "completed": "completed_steps",
    "planned": "planned_steps",
    "pain_start": "pain_start",
    "pain_end": "pain_end",
}
"""session_ended detail keys -> the session columns they settle."""


def _utc_text(moment: datetime) -> str:
    # Naive datetimes are taken as local time, like datetime.astimezone() does.
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class History:
    """The session history file. Safe to share between threads; close() when done."""

    def __init__(
        self, path: Path | str | None = None, *, now: Callable[[], datetime] = _utc_now
    ) -> None:
        self.path = Path(path) if path is not None else default_history_path()
        self._now = now
        self._lock = threading.RLock()
        self._in_bulk = False
        self._conn, self.set_aside = open_history_file(self.path)
        """Where a damaged history file was moved when this one was opened, else None."""

    @property
    def damage_note(self) -> str:
        """What to tell the person when a damaged file was set aside; empty otherwise."""
        if self.set_aside is None:
            return ""
        return (
            f"The history file {self.path} was damaged, so it was set aside as "
            f"{self.set_aside}, exactly as it was (a copy to keep or to repair). A new "
            "history starts here: this session and the next ones are saved in it."
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------ writing

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._in_bulk:
                yield self._conn
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    # Also after a failed COMMIT (disk full): leave no transaction open.
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise HistoryError(
                    f"could not save to the history file {self.path}: {error}. "
                    "Check free disk space and the file's permissions."
                ) from error

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Write many sessions in one transaction (imports, tests): one commit at the end.

        Other threads wait until the block ends; nothing inside is saved if it raises.
        """
        with self._lock, self._transaction():
            self._in_bulk = True
            try:
                yield
            finally:
                self._in_bulk = False

    def start_session(
        self,
        script_id: str,
        title: str,
        position: str,
        planned_steps: int,
        started_at: datetime | None = None,
    ) -> int:
        """Add a session row and return its id. Events are added with `record()`."""
        started = started_at if started_at is not None else self._now()
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO sessions (script_id, script_title, position, started_at,"
                " planned_steps) VALUES (?, ?, ?, ?, ?)",
                (script_id, title, stored_text(position), _utc_text(started), int(planned_steps)),
            )
        return int(cursor.lastrowid or 0)

    def record(
        self,
        session_id: int,
        kind: str,
        detail: Mapping[str, Any],
        t: float,
        *,
        at: datetime | None = None,
    ) -> None:
        """Store one event and commit it before returning.

        `t` is session seconds (the engine's clock); `at` the wall clock, now by default.
        """
        when = _utc_text(at if at is not None else self._now())
        detail_json = json.dumps(dict(detail), sort_keys=True, default=str)
        updates = [
            "first_t = COALESCE(first_t, :t)",
            "last_t = MAX(COALESCE(last_t, :t), :t)",
            "last_at = :at",
        ]
        values: dict[str, Any] = {"id": session_id, "t": float(t), "at": when}
        if kind == "step_completed":
            updates.append("completed_steps = completed_steps + 1")
        elif kind == "pain_score":
            moment, score = detail.get("moment"), whole_number(detail.get("score"))
            if score is not None and moment in ("start", "end"):
                updates.append(f"pain_{moment} = :score")
                values["score"] = score
        elif kind == "session_ended":
            updates += ["ended_at = :at", "end_reason = :reason"]
            values["reason"] = str(detail.get("reason") or "ended")
            # The engine's own totals, when it gives them, are the final word.
            for key, column in _ENDED_TOTALS.items():
                number = whole_number(detail.get(key))
                if number is not None:
                    updates.append(f"{column} = :{column}")
                    values[column] = number
        with self._transaction() as conn:
            if kind == "level_change":
                change = self._change_text(conn, session_id, detail)
                if change:
                    updates.append("changes = changes || :change")
                    values["change"] = change + "\n"
            try:
                conn.execute(
                    "INSERT INTO events (session_id, t, at, kind, detail) VALUES (?, ?, ?, ?, ?)",
                    (session_id, float(t), when, kind, detail_json),
                )
            except sqlite3.IntegrityError as error:
                raise HistoryError(
                    f"there is no session {session_id} in the history {self.path}; "
                    "call start_session() first."
                ) from error
            conn.execute(f"UPDATE sessions SET {', '.join(updates)} WHERE id = :id", values)

    @staticmethod
    def _change_text(
        conn: sqlite3.Connection, session_id: int, detail: Mapping[str, Any]
    ) -> str | None:
        """ "easier: Bridging" for a level_change, kept on the session row for listing."""
        name = detail.get("exercise")
        if not isinstance(name, str):
            return None
        name = " ".join(name.split())  # one line per change in the changes column
        direction, level = detail.get("direction"), level_in(detail)
        if level == 0:
            direction = "back to normal"  # whichever way it came: the usual version again
        elif direction not in DIRECTIONS:
            # No direction given: compare with the level before (in this session, else 0).
            before = whole_number(detail.get("from"))
            if before is None:
                before = previous_level(conn, session_id, detail["exercise"])
            direction = direction_of(level, before)
        return f"{direction}: {name}"

    def recorder(self, session_id: int) -> Callable[[Log, float], None]:
        """A callable that stores the engine's Log actions (with their time `t`)."""

        def record_log(log: Log, t: float) -> None:
            self.record(session_id, log.kind, log.detail, t)

        return record_log

    # ------------------------------------------------------------ reading

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, parameters).fetchall()
            except sqlite3.Error as error:
                raise HistoryError(
                    f"cannot read the history file {self.path}: {error}. It may be damaged; "
                    "move it aside to start a new history."
                ) from error

    def count_sessions(self) -> int:
        [(count,)] = self._read("SELECT COUNT(*) FROM sessions")
        return int(count)

    def sessions(self, limit: int | None = None) -> list[SessionSummary]:
        """The most recent `limit` sessions (all when None), newest first."""
        count = -1 if limit is None else max(0, int(limit))  # SQLite: LIMIT -1 is no limit
        rows = self._read(
            f"SELECT {SUMMARY_COLUMNS} FROM sessions {_NEWEST_FIRST} LIMIT ?", (count,)
        )
        return [summary_from_row(row) for row in rows]

    def pain_reports(self) -> dict[int, list[dict[str, Any]]]:
        """Every pain score given, per session id, in order: at the start, during the
        session (after "pain") and at the end. Keys: t (session seconds), moment, score,
        zone, exercise (those the engine gave)."""
        rows = self._read(
            "SELECT session_id, t, detail FROM events WHERE kind = 'pain_score' ORDER BY id"
        )
        reports: dict[int, list[dict[str, Any]]] = {}
        for session_id, t, detail_json in rows:
            detail = details_of(detail_json)
            report: dict[str, Any] = {"t": round(float(t), 1)}
            for key in ("moment", "score", "zone", "exercise"):
                if key in detail:
                    report[key] = detail[key]
            reports.setdefault(int(session_id), []).append(report)
        return reports

    def level_reports(self) -> dict[int, list[dict[str, Any]]]:
        """Every level an exercise started at (other than as written) and every change of
        level, per session id, in order. Keys: t, exercise, level, and "from" for a change
        during the session ("carried" for a level the session started at)."""
        rows = self._read(
            "SELECT session_id, t, kind, detail FROM events"
            " WHERE kind IN ('session_started', 'level_change') ORDER BY id"
        )
        reports: dict[int, list[dict[str, Any]]] = {}
        for session_id, t, kind, detail_json in rows:
            detail = details_of(detail_json)
            found = reports.setdefault(int(session_id), [])
            if kind == "session_started" and isinstance(detail.get("levels"), dict):
                for name, level in sorted(detail["levels"].items()):
                    if whole_number(level):
                        found.append(
                            {"t": 0.0, "exercise": name, "level": whole_number(level),
                             "carried": True}
                        )  # fmt: skip
            elif kind == "level_change" and isinstance(detail.get("exercise"), str):
                found.append(
                    {
                        "t": round(float(t), 1),
                        "exercise": detail["exercise"],
                        "level": level_in(detail),
                        "from": whole_number(detail.get("from")),
                    }
                )
        return {k: v for k, v in reports.items() if v}

    def last_session(self) -> SessionSummary | None:
        latest = self.sessions(limit=1)
        return latest[0] if latest else None

    def levels_for(self, script_id: str) -> dict[str, int]:
        """The level last chosen for each exercise of a script (0 after "back to normal")."""
        rows = self._read(
            "SELECT e.detail FROM events AS e JOIN sessions AS s ON s.id = e.session_id"
            " WHERE s.script_id = ? AND e.kind = 'level_change' ORDER BY e.id",
            (script_id,),
        )
        levels: dict[str, int] = {}
        for (detail_json,) in rows:
            detail = details_of(detail_json)
            name, level = detail.get("exercise"), level_in(detail)
            if isinstance(name, str) and level is not None:
                levels[name] = level
        return levels

    def past_sessions(self, script_id: str, limit: int = 3) -> list[PastSession]:
        """The last `limit` sessions of a script, oldest first, as the level rules read
        them (session/progression.py): start and end levels, pain, red scores."""
        rows = self._read(
            "SELECT id, started_at, pain_start, pain_end FROM sessions WHERE script_id = ?"
            f" {_NEWEST_FIRST} LIMIT ?",
            (script_id, max(0, int(limit))),
        )
        past = []
        for session_id, started_at, pain_start, pain_end in reversed(rows):
            events = self._read(
                "SELECT kind, detail FROM events WHERE session_id = ?"
                " AND kind IN ('session_started', 'level_change', 'pain_score') ORDER BY id",
                (session_id,),
            )
            start: dict[str, int] = {}
            end: dict[str, int] = {}
            red: set[str] = set()
            red_elsewhere = False
            for kind, detail_json in events:
                detail = details_of(detail_json)
                if kind == "session_started" and isinstance(detail.get("levels"), dict):
                    start = {str(k): int(v) for k, v in detail["levels"].items()}
                    end = dict(start)
                elif kind == "level_change" and isinstance(detail.get("exercise"), str):
                    level = level_in(detail)
                    if level is not None:
                        end[detail["exercise"]] = level
                elif kind == "pain_score" and detail.get("zone") == "red":
                    if detail.get("moment") == "start":
                        continue  # brought to the session, not caused by it
                    name = detail.get("exercise")
                    if isinstance(name, str):
                        red.add(name)
                    else:
                        red_elsewhere = True
            past.append(
                PastSession(
                    date=datetime.fromisoformat(started_at),
                    start_levels=start,
                    end_levels=end,
                    pain_start=pain_start,
                    pain_end=pain_end,
                    red_exercises=frozenset(red),
                    red_elsewhere=red_elsewhere,
                )
            )
        return past

    def last_session_date(self) -> datetime | None:
        """When the most recent session of any script started."""
        latest = self.last_session()
        return latest.date if latest else None

    def last_start_pain(self) -> int | None:
        """The pain score given at the start of the most recent session that asked."""
        rows = self._read(
            f"SELECT pain_start FROM sessions WHERE pain_start IS NOT NULL {_NEWEST_FIRST} LIMIT 1"
        )
        return int(rows[0][0]) if rows else None
