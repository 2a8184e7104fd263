"""Which level each exercise starts at next time, from the sessions before (docs/safety.md,
"Limits"). Pure: the history is read by the store, the clock is given.

- Easier is carried over at once: "Last time you made ankle pumps easier; we'll keep that."
- Harder is carried over only when the last SETTLED_SESSIONS sessions of this script each
  ended with the pain back at (or below) its start score, with no red score: seed 003 says
  pain should return to its pre-exercise baseline within about 30 minutes. Otherwise the
  level the last session started at is kept, and the person is told why.
- A red score during the last session steps the exercise it came from back one level from
  where it was; a red score with no exercise (or at the end) steps every exercise back.
- After a gap of more than GAP_DAYS since the last session of any script, every exercise
  that had been made harder steps back one level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SETTLED_SESSIONS = 2
GAP_DAYS = 14


@dataclass(frozen=True)
class PastSession:
    """What the rules need to know about one earlier session of the script."""

    date: datetime
    start_levels: dict[str, int] = field(default_factory=dict)
    """The level each exercise started at (the engine's session_started log)."""
    end_levels: dict[str, int] = field(default_factory=dict)
    """The level each exercise was left at (start levels with the level changes applied)."""
    pain_start: int | None = None
    pain_end: int | None = None
    red_exercises: frozenset[str] = frozenset()
    """Exercises a red pain score came from during the session."""
    red_elsewhere: bool = False
    """A red score with no exercise (between exercises, or the end score)."""

    @property
    def settled(self) -> bool:
        """The pain was back at its start score by the end, and nothing was red."""
        return (
            self.pain_start is not None
            and self.pain_end is not None
            and self.pain_end <= self.pain_start
            and not self.red_exercises
            and not self.red_elsewhere
        )


@dataclass(frozen=True)
class Carried:
    levels: dict[str, int]
    notes: tuple[str, ...]
    """Said in the introduction, so the person knows why the level is what it is."""


def carry_over(
    names: Sequence[str],
    past: Sequence[PastSession],
    last_any: datetime | None,
    now: datetime,
) -> Carried:
    """Start levels for the exercises `names`, from `past` sessions of this script (oldest
    first) and the date of the last session of any script."""
    if not past:
        return Carried({}, ())
    last = past[-1]
    settled = len(past) >= SETTLED_SESSIONS and all(s.settled for s in past[-SETTLED_SESSIONS:])
    gap = last_any is not None and now - last_any > timedelta(days=GAP_DAYS)
    levels: dict[str, int] = {}
    notes: list[str] = []
    held_back: list[str] = []
    stepped_after_pain: list[str] = []
    stepped_after_gap: list[str] = []
    for name in names:
        start = last.start_levels.get(name, 0)
        end = last.end_levels.get(name, start)
        level = end
        if end < start:
            notes.append(f"Last time you made {_lower(name)} easier; we'll keep that.")
        elif end > start and settled:
            notes.append(f"Last time you made {_lower(name)} harder; we'll keep that.")
        elif end > start:
            level = start
            held_back.append(name)
        if name in last.red_exercises or last.red_elsewhere:
            level = min(start, end) - 1
            stepped_after_pain.append(name)
        elif gap and level > 0:
            level -= 1
            stepped_after_gap.append(name)
        if level != 0:
            levels[name] = level
    if held_back:
        notes.append(
            f"Last time you made {_and(held_back)} harder. We'll stay at the earlier level "
            f"until {SETTLED_SESSIONS} sessions in a row end with your pain back where it "
            "started."
        )
    if stepped_after_pain:
        notes.append(f"After the pain last time, {_are(stepped_after_pain)} one step easier today.")
    if stepped_after_gap:
        notes.append(
            "It has been more than two weeks since your last session, so "
            f"{_are(stepped_after_gap)} one step easier today."
        )
    return Carried(levels, tuple(notes))


def _lower(name: str) -> str:
    return name[:1].lower() + name[1:]


def _and(names: Sequence[str]) -> str:
    words = [_lower(n) for n in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _are(names: Sequence[str]) -> str:
    return f"{_and(names)} {'is' if len(names) == 1 else 'are'}"
