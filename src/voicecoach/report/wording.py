"""Numbers and dates in the words of the report ("3 sessions", "Mon 6 May 2024", "4 → 2")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from statistics import fmean


def mean(values: Sequence[int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def count(number: float, noun: str) -> str:
    if isinstance(number, float) and not number.is_integer():
        return f"{number:.1f} {noun}s"
    whole = int(number)
    return f"{whole} {noun}" + ("" if whole == 1 else "s")


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def pain_pair(before: float | None, after: float | None) -> str:
    def one(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f}".removesuffix(".0")

    return f"{one(before)} → {one(after)}"


def day(moment: date) -> str:
    """ "Mon 6 May 2024", in local time for datetimes."""
    if isinstance(moment, datetime):
        moment = moment.astimezone()
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def day_month(moment: date) -> str:
    return f"{moment.day} {moment:%b}"


def years(first: date, last: date) -> str:
    return str(first.year) if first.year == last.year else f"{first.year}-{last.year}"


def when(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{day(local)} {local:%H:%M}"


def minutes_seconds(seconds: float) -> str:
    """Session time as "12:05" (minutes and seconds from the start)."""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"
