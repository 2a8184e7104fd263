"""What a session script is, once loaded and validated (see docs/script-format.md).

A script holds exercises; an exercise holds reps in sets, optionally on each side, with
optional holds, ordered easier/harder variants, and a ceiling: the most its seed advises.
Everything is frozen: the engine derives the exercise actually played (base + variant
level) with `Exercise.at_level`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class Position(str, Enum):
    BED = "bed"
    CHAIR = "chair"


class Sides(str, Enum):
    NONE = "none"
    LEFT_THEN_RIGHT = "left-then-right"
    ALTERNATING = "alternating"
    AFFECTED = "affected"
    """Only the side with the symptoms (the plan's affected side; both when it says both)."""


class Pace(str, Enum):
    COUNTED = "counted"
    SELF = "self"


@dataclass(frozen=True)
class Ceiling:
    """The most an exercise's seed advises; None: the most the script itself writes."""

    reps: int | None = None
    """Reps in a set (on each side)."""
    sets: int | None = None
    hold: int | None = None
    """Seconds of each hold."""


@dataclass(frozen=True)
class Variant:
    """One step easier or harder: number overrides and/or a sentence saying what changes."""

    say: str | None = None
    replaces: str | None = None
    """A sentence of the setup that `say` takes the place of at this level."""
    reps: int | None = None
    sets: int | None = None
    hold: int | None = None
    rest: int | None = None
    tempo: float | None = None
    setup: str | None = None
    cues: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Exercise:
    name: str
    source: str
    """Which seed document the exercise comes from, e.g. "seed-003"."""
    setup: str
    """Spoken once before the first set: position and how to move."""
    cues: tuple[str, ...]
    """Spoken on each rep, one per beat (with a hold: first cue, then the hold)."""
    reps: int
    sets: int = 1
    hold: int = 0
    """Seconds to hold on each rep; 0 for none."""
    sides: Sides = Sides.NONE
    rest: int = 30
    """Seconds of rest between sets (and between sides)."""
    tempo: float = 3.0
    """Seconds per beat of a counted rep."""
    pace: Pace = Pace.COUNTED
    easier: tuple[Variant, ...] = ()
    harder: tuple[Variant, ...] = ()
    ceiling: Ceiling = field(default_factory=Ceiling)
    frequency: str = ""
    """How often the seed advises doing it, e.g. "three to four times a day"; said at its end."""
    side: str | None = None
    """For `sides: affected`: "left" or "right" when a plan names the side, else None."""
    level_cap: int | None = None
    """The highest level a plan allows (0 is as written); None: only the ceiling limits."""
    area: str | None = None
    """The part of the body it works ("lower back", "hips", ...); None when not given."""
    line: int = 0
    """Line of the exercise in its script file, for messages."""

    def at_level(self, level: int) -> Exercise:
        """This exercise made `level` steps harder (negative: easier).

        Steps apply cumulatively: level -2 applies easier[0] then easier[1].
        Levels beyond the script's own variants are clamped by the caller
        (see `variant_steps`).
        """
        steps = self.easier[:-level] if level < 0 else self.harder[:level]
        ex = self
        for v in steps:
            setup = v.setup if v.setup is not None else ex.setup
            if v.replaces and v.say:
                setup = setup.replace(v.replaces, v.say)
            ex = replace(
                ex,
                reps=v.reps if v.reps is not None else ex.reps,
                sets=v.sets if v.sets is not None else ex.sets,
                hold=v.hold if v.hold is not None else ex.hold,
                rest=v.rest if v.rest is not None else ex.rest,
                tempo=v.tempo if v.tempo is not None else ex.tempo,
                setup=setup,
                cues=v.cues if v.cues is not None else ex.cues,
            )
        return ex

    def limits(self) -> tuple[int, int, int]:
        """The most reps, sets and hold seconds this exercise may reach: its ceiling, and
        where the ceiling leaves one open, the most the script's own levels reach."""
        levels = [self.at_level(-k) for k in range(len(self.easier) + 1)]
        levels += [self.at_level(k) for k in range(1, len(self.harder) + 1)]
        ceiling = self.ceiling
        return (
            ceiling.reps if ceiling.reps is not None else max(e.reps for e in levels),
            ceiling.sets if ceiling.sets is not None else max(e.sets for e in levels),
            ceiling.hold if ceiling.hold is not None else max(e.hold for e in levels),
        )

    def variant_steps(self, direction: int) -> int:
        return len(self.harder) if direction > 0 else len(self.easier)

    def variant_sentence(self, level: int) -> str | None:
        """What the person is told when moving to `level` from one step nearer zero."""
        if level < 0 and -level <= len(self.easier):
            return self.easier[-level - 1].say
        if level > 0 and level <= len(self.harder):
            return self.harder[level - 1].say
        return None


@dataclass(frozen=True)
class Script:
    id: str
    title: str
    position: Position
    description: str
    safety: str
    """Spoken at the start of every session of this script."""
    exercises: tuple[Exercise, ...]
    cool_down: tuple[Exercise, ...]
    closing: str = ""
    path: str = ""
    """Where the script was loaded from, for messages."""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def all_exercises(self) -> tuple[Exercise, ...]:
        return self.exercises + self.cool_down
