"""The history file on disk: where it lives, opening it privately, and its schema.

The file lives in the user data directory (platformdirs), or in $VOICECOACH_DATA_DIR
when that is set. It holds health data, so it is created with mode 0600 and tightened
again if it is found readable by others. MIGRATIONS upgrades older files in place.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime
from pathlib import Path

from voicecoach.errors import VoiceCoachError

DATA_DIR_VARIABLE = "VOICECOACH_DATA_DIR"
HISTORY_FILE_NAME = "history.sqlite3"


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


def open_history_file(path: Path) -> tuple[sqlite3.Connection, Path | None]:
    """A connection to the history file at `path`, created 0600 and migrated to
    SCHEMA_VERSION, and where a damaged file was set aside (None when it was sound);
    HistoryError with the fix when it cannot be opened."""
    set_aside = _set_aside(path) if _is_damaged(path) else None
    try:
        _create_private_file(path)
        conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    except OSError as error:
        raise HistoryError(
            f"cannot open the history file {path}: {error.strerror or error}. "
            f"Check the folder's permissions, or set {DATA_DIR_VARIABLE} to another folder."
        ) from error
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(conn)
    except sqlite3.OperationalError as error:
        conn.close()
        if "locked" not in str(error):
            raise HistoryError(
                f"cannot open the history file {path}: {error}. Check the file's "
                f"permissions and free disk space, or set {DATA_DIR_VARIABLE} to another "
                "folder."
            ) from error
        raise HistoryError(
            f"the history file {path} is busy (another voicecoach is writing to it). "
            "Try again when that session has ended."
        ) from error
    except sqlite3.DatabaseError as error:
        conn.close()
        raise HistoryError(
            f"the history file {path} cannot be read ({error}). It may be damaged "
            "or from a newer voicecoach; move it aside to start a new history."
        ) from error
    return conn, set_aside


def _is_damaged(path: Path) -> bool:
    """Whether SQLite finds the existing file damaged (PRAGMA quick_check), or not a
    database at all. Read through a read-only connection, so a damaged file is never
    written to (no journal replayed into it, no checkpoint on close).

    quick_check, not integrity_check: on a history of 10 000 sessions (13.9 MB) it took
    35 ms against 131 ms, and of 30 random overwrites (16 B to 4 kB) both missed the same
    4, bytes inside a record that still read as values (measured with benchmarks.scale's
    fill_history, December)."""
    try:
        if path.stat().st_size == 0:
            return False  # a new file: nothing to check
    except OSError:  # missing, or not ours to look at: the ordinary open says so
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
    except sqlite3.Error:  # cannot even open it read-only: the ordinary open says why
        return False
    try:
        verdict = conn.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.OperationalError:  # busy, locked, no permission: not damage
        return False
    except sqlite3.DatabaseError:  # "file is not a database", "disk image is malformed"
        return True
    finally:
        conn.close()
    return verdict != [("ok",)]


def _set_aside(path: Path) -> Path:
    """Rename the damaged file (and its -wal and -shm companions, which belong to it) to
    history.sqlite3.damaged-YYYYMMDD-HHMMSS beside it, bytes untouched; returns the new
    name."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    try:
        for companion in ("-wal", "-shm"):
            old = path.with_name(path.name + companion)
            if old.exists():
                os.replace(old, aside.with_name(aside.name + companion))
        os.replace(path, aside)
    except OSError as error:
        raise HistoryError(
            f"the history file {path} is damaged and could not be set aside "
            f"({error.strerror or error}). Move it elsewhere by hand to start a new history, "
            f"or set {DATA_DIR_VARIABLE} to another folder."
        ) from error
    return aside


def _create_private_file(path: Path) -> None:
    """Create the file 0600 before SQLite opens it (its -wal/-shm copy that mode)."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode & 0o077:
            # Found readable by others (copied in, or made by an older tool): tighten.
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _migrate(conn: sqlite3.Connection) -> None:
    if _schema_version(conn) == SCHEMA_VERSION:
        return
    # Read the version again under the write lock: another process may be migrating.
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        version = _schema_version(conn)
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


def _schema_version(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT version FROM schema_version").fetchone()
    except sqlite3.OperationalError:  # no such table: a new, empty file
        return 0
    return int(row[0]) if row else 0
