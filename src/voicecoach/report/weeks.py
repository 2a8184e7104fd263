"""Sessions summed up by week (Monday to Sunday, local time), for the report's charts
and tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean

from voicecoach.store.history import SessionSummary


@dataclass(frozen=True)
class WeekSummary:
    """The sessions of one week (Monday to Sunday, local time)."""

    start: date
    sessions: int
    minutes: float
    completed_share: float
    """Average share of planned steps completed, 0..1."""
    pain_start: float | None
    """Average pain score before sessions, None when never asked."""
    pain_end: float | None


def weekly(sessions: Sequence[SessionSummary]) -> list[WeekSummary]:
    """Weeks that had sessions, oldest first."""
    by_week: dict[date, list[SessionSummary]] = {}
    for session in sessions:
        day = session.date.astimezone().date()
        by_week.setdefault(day - timedelta(days=day.weekday()), []).append(session)
    return [
        WeekSummary(
            start=start,
            sessions=len(group),
            minutes=sum(s.minutes for s in group),
            completed_share=fmean(s.completed_share for s in group),
            pain_start=mean([s.pain_start for s in group]),
            pain_end=mean([s.pain_end for s in group]),
        )
        for start, group in sorted(by_week.items())
    ]


def mean(values: Sequence[int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None
