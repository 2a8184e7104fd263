"""Sessions summed up by week, and how often each exercise was made easier or harder."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean

from voicecoach.report.wording import mean
from voicecoach.store.history import DIRECTIONS, SessionSummary


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


def exercise_changes(sessions: Sequence[SessionSummary]) -> dict[str, Counter[str]]:
    """How often each exercise was made easier, harder or put back to normal.

    Most changed first.
    """
    counts: dict[str, Counter[str]] = {}
    for session in sessions:
        for change in session.changes:
            direction, _, name = change.partition(": ")
            if direction in DIRECTIONS and name:
                counts.setdefault(name, Counter())[direction] += 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1].total(), item[0])))
