"""Session history: every session and its logged events, kept in one SQLite file.

The file lives in the user data directory (platformdirs), or in $VOICECOACH_DATA_DIR
when that is set. It holds health data, so it is created with mode 0600 and tightened
again if it is found readable by others. Each event is committed on its own with
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
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.errors import VoiceCoachError

if TYPE_CHECKING:  # only for type hints: `voicecoach history` should start quickly
    from voicecoach.session.events import Log

DATA_DIR_VARIABLE = "VOICECOACH_DATA_DIR"
HISTORY_FILE_NAME = "history.sqlite3"
INTERRUPTED = "interrupted"
DIRECTIONS = ("easier", "harder", "back to normal")


class HistoryError(VoiceCoachError):
    """The history file cannot be opened, read or written."""


def data_dir() -> Path:
    """Where voicecoach keeps its data: $VOICECOACH_DATA_DIR, else the user data dir."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override).expanduser()
    import platformdirs  # only needed when no override is given

    return Path(platformdirs.user_data_dir("voicecoach", appauthor=False))


def default_history_path() -> Path:
    return data_dir() / HISTORY_FILE_NAME


@dataclass(frozen=True)
class SessionSummary:
    """One session as a person would describe it afterwards."""

    id: int
    date: datetime
    """When the session started (timezone-aware, UTC)."""
    script_id: str
    title: str
    minutes: float
    """Session time from its first to its last event, in minutes (one decimal)."""
    completed_share: float
    """Completed steps / planned steps, 0..1."""
    pain_start: int | None
    pain_end: int | None
    changes: list[str]
    """Variant changes in order, e.g. "easier: Bridging", "back to normal: Bridging"."""
    end_reason: str
    """"completed", "stopped", "pain", ... or "interrupted" when the session never ended."""
    ended: datetime
    """When it ended; for an interrupted session, the time of its last event (UTC)."""
    position: str = ""

    def to_json(self) -> dict[str, Any]:
        """The keys of `voicecoach history --json`; dates in local time with offset."""
        return {
            "id": self.id,
            "date": self.date.astimezone().isoformat(timespec="seconds"),
            "script_id": self.script_id,
            "title": self.title,
            "minutes": self.minutes,
            "completed_share": self.completed_share,
            "pain_start": self.pain_start,
            "pain_end": self.pain_end,
            "changes": list(self.changes),
            "end_reason": self.end_reason,
        }


# MIGRATIONS[n] holds the statements that upgrade the schema from version n to n + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            script_id TEXT NOT NULL,
            script_title TEXT NOT NULL,
            position TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            end_reason TEXT,
            planned_steps INTEGER NOT NULL,
            completed_steps INTEGER NOT NULL DEFAULT 0,
            pain_start INTEGER,
            pain_end INTEGER,
            first_t REAL,
            last_t REAL,
            last_at TEXT,
            changes TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX sessions_by_start ON sessions (started_at, id)",
        "CREATE INDEX sessions_by_script ON sessions (script_id)",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id),
            t REAL NOT NULL,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX events_by_session ON events (session_id, id)",
        "CREATE INDEX events_by_kind ON events (kind, session_id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# The per-session figures are worked out by SQLite, in SessionSummary field order.
_SUMMARY_COLUMNS = f"""
    id, started_at, script_id, script_title,
    ROUND((COALESCE(last_t, 0) - COALESCE(first_t, 0)) / 60.0, 1),
    CASE WHEN planned_steps > 0
        THEN ROUND(MIN(1.0, CAST(completed_steps AS REAL) / planned_steps), 3) ELSE 0.0 END,
    pain_start, pain_end, changes,
    CASE WHEN ended_at IS NULL THEN '{INTERRUPTED}' ELSE COALESCE(end_reason, 'ended') END,
    COALESCE(ended_at, last_at, started_at),
    position
"""
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
        self._conn = self._open()

    # ------------------------------------------------------------ opening

    def _open(self) -> sqlite3.Connection:
        try:
            self._create_private_file()
            conn = sqlite3.connect(
                self.path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
        except OSError as error:
            raise HistoryError(
                f"cannot open the history file {self.path}: {error.strerror or error}. "
                f"Check the folder's permissions, or set {DATA_DIR_VARIABLE} to another folder."
            ) from error
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._migrate(conn)
        except sqlite3.OperationalError as error:
            conn.close()
            if "locked" not in str(error):
                raise HistoryError(
                    f"cannot open the history file {self.path}: {error}. Check the file's "
                    f"permissions and free disk space, or set {DATA_DIR_VARIABLE} to another "
                    "folder."
                ) from error
            raise HistoryError(
                f"the history file {self.path} is busy (another voicecoach is writing to it). "
                "Try again when that session has ended."
            ) from error
        except sqlite3.DatabaseError as error:
            conn.close()
            raise HistoryError(
                f"the history file {self.path} cannot be read ({error}). It may be damaged "
                "or from a newer voicecoach; move it aside to start a new history."
            ) from error
        return conn

    def _create_private_file(self) -> None:
        """Create the file 0600 before SQLite opens it (its -wal/-shm copy that mode)."""
        folder = self.path.parent
        if not folder.exists():
            folder.mkdir(parents=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            mode = stat.S_IMODE(os.fstat(fd).st_mode)
            if mode & 0o077:
                # Found readable by others (copied in, or made by an older tool): tighten.
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        if self._schema_version(conn) == SCHEMA_VERSION:
            return
        # Read the version again under the write lock: another process may be migrating.
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = self._schema_version(conn)
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"schema version {version}; this voicecoach knows up to {SCHEMA_VERSION}"
                )
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _schema_version(conn: sqlite3.Connection) -> int:
        try:
            row = conn.execute("SELECT version FROM schema_version").fetchone()
        except sqlite3.OperationalError:  # no such table: a new, empty file
            return 0
        return int(row[0]) if row else 0

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
                (script_id, title, _text(position), _utc_text(started), int(planned_steps)),
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
            moment, score = detail.get("moment"), _score(detail.get("score"))
            if score is not None and moment in ("start", "end"):
                updates.append(f"pain_{moment} = :score")
                values["score"] = score
        elif kind == "session_ended":
            updates += ["ended_at = :at", "end_reason = :reason"]
            values["reason"] = str(detail.get("reason") or "ended")
            # The engine's own totals, when it gives them, are the final word.
            for key, column in _ENDED_TOTALS.items():
                number = _score(detail.get(key))
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
        direction, level = detail.get("direction"), _level(detail)
        if level == 0:
            direction = "back to normal"  # whichever way it came: the usual version again
        elif direction not in DIRECTIONS:
            # No direction given: compare with the level before (in this session, else 0).
            before = _score(detail.get("from"))
            if before is None:
                before = _previous_level(conn, session_id, detail["exercise"])
            direction = _direction(level, before)
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
            f"SELECT {_SUMMARY_COLUMNS} FROM sessions {_NEWEST_FIRST} LIMIT ?", (count,)
        )
        return [_summary(row) for row in rows]

    def pain_reports(self) -> dict[int, list[dict[str, Any]]]:
        """Every pain score given, per session id, in order: at the start, during the
        session (after "pain") and at the end. Keys: t (session seconds), moment, score,
        zone, exercise (those the engine gave)."""
        rows = self._read(
            "SELECT session_id, t, detail FROM events WHERE kind = 'pain_score' ORDER BY id"
        )
        reports: dict[int, list[dict[str, Any]]] = {}
        for session_id, t, detail_json in rows:
            detail = _detail(detail_json)
            report: dict[str, Any] = {"t": round(float(t), 1)}
            for key in ("moment", "score", "zone", "exercise"):
                if key in detail:
                    report[key] = detail[key]
            reports.setdefault(int(session_id), []).append(report)
        return reports

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
            detail = _detail(detail_json)
            name, level = detail.get("exercise"), _level(detail)
            if isinstance(name, str) and level is not None:
                levels[name] = level
        return levels

    def last_start_pain(self) -> int | None:
        """The pain score given at the start of the most recent session that asked."""
        rows = self._read(
            f"SELECT pain_start FROM sessions WHERE pain_start IS NOT NULL {_NEWEST_FIRST} LIMIT 1"
        )
        return int(rows[0][0]) if rows else None


# ---------------------------------------------------------------- helpers


def _text(value: object) -> str:
    # Enums such as script_model.Position store their value, not "Position.BED".
    return str(getattr(value, "value", value))


def _score(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _level(detail: Mapping[str, Any]) -> int | None:
    if detail.get("direction") == "back to normal":
        return 0
    return _score(detail.get("level"))


def _direction(level: int | None, before: int) -> str:
    if not level:
        return "back to normal"
    return "easier" if level < before else "harder"


def _previous_level(conn: sqlite3.Connection, session_id: int, exercise: str) -> int:
    rows = conn.execute(
        "SELECT detail FROM events WHERE session_id = ? AND kind = 'level_change' ORDER BY id DESC",
        (session_id,),
    )
    for (detail_json,) in rows:
        detail = _detail(detail_json)
        if detail.get("exercise") == exercise:
            return _level(detail) or 0
    return 0


def _detail(detail_json: str) -> dict[str, Any]:
    try:
        value = json.loads(detail_json)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _summary(row: Sequence[Any]) -> SessionSummary:
    # Filled in without __init__: a frozen dataclass's __init__ sets each field through
    # object.__setattr__, which doubled the time to list 10 000 sessions. The row holds
    # exactly the fields (see _SUMMARY_COLUMNS); tests compare it with a normal instance.
    summary: SessionSummary = object.__new__(SessionSummary)
    summary.__dict__.update(
        id=row[0],
        date=datetime.fromisoformat(row[1]),
        script_id=row[2],
        title=row[3],
        minutes=row[4],
        completed_share=row[5],
        pain_start=row[6],
        pain_end=row[7],
        changes=row[8].splitlines(),
        end_reason=row[9],
        ended=datetime.fromisoformat(row[10]),
        position=row[11],
    )
    return summary
