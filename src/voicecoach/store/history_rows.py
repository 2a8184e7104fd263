"""History rows as a person reads them: one SessionSummary per session, worked out by
SQLite (SUMMARY_COLUMNS), and the event details read back from their JSON.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

INTERRUPTED = "interrupted"
DIRECTIONS = ("easier", "harder", "back to normal")


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
    problem: str = ""
    """Why this row cannot be read as a session (e.g. a start time that is not a date);
    empty for a sound row. A damaged row keeps its id and whatever text it holds."""

    def to_json(self) -> dict[str, Any]:
        """The keys of `voicecoach history --json`; dates in local time with offset.
        A damaged row has no date and says its `problem`."""
        if self.problem:
            return {
                "id": self.id,
                "date": None,
                "script_id": self.script_id,
                "title": self.title,
                "problem": self.problem,
            }
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


# The per-session figures are worked out by SQLite, in SessionSummary field order.
SUMMARY_COLUMNS = f"""
    id, started_at, script_id, script_title,
    ROUND((COALESCE(last_t, 0) - COALESCE(first_t, 0)) / 60.0, 1),
    CASE WHEN planned_steps > 0
        THEN ROUND(MIN(1.0, CAST(completed_steps AS REAL) / planned_steps), 3) ELSE 0.0 END,
    pain_start, pain_end, changes,
    CASE WHEN ended_at IS NULL THEN '{INTERRUPTED}' ELSE COALESCE(end_reason, 'ended') END,
    COALESCE(ended_at, last_at, started_at),
    position
"""


def stored_text(value: object) -> str:
    # Enums such as script_model.Position store their value, not "Position.BED".
    return str(getattr(value, "value", value))


def whole_number(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def level_in(detail: Mapping[str, Any]) -> int | None:
    if detail.get("direction") == "back to normal":
        return 0
    return whole_number(detail.get("level"))


def direction_of(level: int | None, before: int) -> str:
    if not level:
        return "back to normal"
    return "easier" if level < before else "harder"


def previous_level(conn: sqlite3.Connection, session_id: int, exercise: str) -> int:
    rows = conn.execute(
        "SELECT detail FROM events WHERE session_id = ? AND kind = 'level_change' ORDER BY id DESC",
        (session_id,),
    )
    for (detail_json,) in rows:
        detail = details_of(detail_json)
        if detail.get("exercise") == exercise:
            return level_in(detail) or 0
    return 0


def details_of(detail_json: str) -> dict[str, Any]:
    try:
        value = json.loads(detail_json)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


UNKNOWN_DATE = datetime(1970, 1, 1, tzinfo=timezone.utc)
"""The date of a damaged row, which has none that can be read."""


def summary_from_row(row: Sequence[Any]) -> SessionSummary:
    """The row as a SessionSummary; a row whose values cannot be read (written by hand or
    damaged on disk) comes back with its `problem` said, never an exception."""
    try:
        return _sound_summary(row)
    except (ValueError, TypeError, AttributeError) as error:  # a value of the wrong form
        return SessionSummary(
            id=row[0] if isinstance(row[0], int) else -1,
            date=UNKNOWN_DATE,
            script_id=str(row[2]),
            title=str(row[3]),
            minutes=0.0,
            completed_share=0.0,
            pain_start=None,
            pain_end=None,
            changes=[],
            end_reason="",
            ended=UNKNOWN_DATE,
            problem=_row_problem(row, error),
        )


def _row_problem(row: Sequence[Any], error: Exception) -> str:
    for column, index in (("started_at", 1), ("ended_at", 10)):
        try:
            datetime.fromisoformat(row[index])
        except (ValueError, TypeError):
            return f"its {column} {row[index]!r} is not a date and time"
    return f"a value cannot be read ({error})"


def _sound_summary(row: Sequence[Any]) -> SessionSummary:
    # Filled in without __init__: a frozen dataclass's __init__ sets each field through
    # object.__setattr__, which doubled the time to list 10 000 sessions. The row holds
    # exactly the fields (see SUMMARY_COLUMNS); tests compare it with a normal instance.
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
