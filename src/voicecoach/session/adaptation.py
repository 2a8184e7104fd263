"""Easier and harder: one step at a time along an exercise's variants.

The script's own variants come first (nearest first). Past them, generic steps apply:
easier = fewer reps, shorter hold, slower tempo, longer rest; harder = more reps, a longer
hold, one more set, each only up to the exercise's ceiling (the most its seed advises, see
`Exercise.limits`): "harder" stops there, and `ceiling_sentence` says so.
Level 0 is the exercise as written; -1 is one step easier; +1 one step harder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from voicecoach.script.model import Exercise
from voicecoach.session.vocabulary import count_word

GenericStep = Callable[[Exercise], Exercise | None]


@dataclass(frozen=True)
class _Generic:
    say: str
    apply: GenericStep


def _fewer_reps(ex: Exercise) -> Exercise | None:
    reps = max(1, round(ex.reps * 0.7))
    return replace(ex, reps=reps) if reps < ex.reps else None


def _shorter_hold(ex: Exercise) -> Exercise | None:
    hold = max(1, round(ex.hold * 0.6)) if ex.hold > 1 else ex.hold
    return replace(ex, hold=hold) if hold < ex.hold else None


def _slower_tempo(ex: Exercise) -> Exercise:
    return replace(ex, tempo=min(20.0, round(ex.tempo * 1.3, 1)))


def _longer_rest(ex: Exercise) -> Exercise:
    return replace(ex, rest=min(600, max(ex.rest + 15, round(ex.rest * 1.5))))


def _more_reps(ex: Exercise) -> Exercise | None:
    reps = min(ex.limits()[0], max(ex.reps + 1, round(ex.reps * 1.3)))
    return replace(ex, reps=reps) if reps > ex.reps else None


def _longer_hold(ex: Exercise) -> Exercise | None:
    hold = min(ex.limits()[2], ex.hold + 2)
    return replace(ex, hold=hold) if 0 < ex.hold < hold else None


def _one_more_set(ex: Exercise) -> Exercise | None:
    return replace(ex, sets=ex.sets + 1) if ex.sets < ex.limits()[1] else None


GENERIC_EASIER: tuple[_Generic, ...] = (
    _Generic("Let's do fewer this time.", _fewer_reps),
    _Generic("Let's hold for a shorter time.", _shorter_hold),
    _Generic("Let's slow the pace right down.", _slower_tempo),
    _Generic("You'll get a longer rest between sets.", _longer_rest),
)
GENERIC_HARDER: tuple[_Generic, ...] = (
    _Generic("Let's do a few more each set.", _more_reps),
    _Generic("Let's hold each one a little longer.", _longer_hold),
    _Generic("Let's add one more set.", _one_more_set),
)


@dataclass(frozen=True)
class Adapted:
    exercise: Exercise
    sentence: str | None
    """What to tell the person about the last step taken; None at level 0."""


def adapt(base: Exercise, level: int) -> Adapted:
    """`base` moved `level` steps (negative: easier). Clamp with `level_range` first."""
    own = base.variant_steps(level)
    step = 1 if level > 0 else -1
    if abs(level) <= own:
        return Adapted(base.at_level(level), base.variant_sentence(level))
    exercise = base.at_level(step * own)
    sentence: str | None = None
    for generic in _applicable(exercise, step)[: abs(level) - own]:
        changed = generic.apply(exercise)
        if changed is not None:
            exercise, sentence = changed, generic.say
    return Adapted(exercise, sentence)


def level_range(base: Exercise) -> tuple[int, int]:
    """The easiest and hardest levels this exercise can take (a plan's cap included)."""
    lowest = -base.variant_steps(-1) - len(_applicable(base.at_level(-base.variant_steps(-1)), -1))
    highest = _natural_highest(base)
    if base.level_cap is not None:
        highest = max(lowest, min(highest, base.level_cap))
    return lowest, highest


def _natural_highest(base: Exercise) -> int:
    return base.variant_steps(1) + len(_applicable(base.at_level(base.variant_steps(1)), 1))


def _applicable(exercise: Exercise, step: int) -> list[_Generic]:
    """Generic steps that would change this exercise, in order, applied cumulatively."""
    found: list[_Generic] = []
    current = exercise
    for generic in GENERIC_HARDER if step > 0 else GENERIC_EASIER:
        changed = generic.apply(current)
        if changed is not None and changed != current:
            found.append(generic)
            current = changed
    return found


def ceiling_sentence(base: Exercise) -> str:
    """What "harder" says at the hardest level: how far the exercise goes, in its numbers,
    or that the plan keeps it here."""
    if base.level_cap is not None and base.level_cap < _natural_highest(base):
        return "Your plan keeps this exercise at this level. Ask your physiotherapist first."
    reps, sets, hold = base.limits()
    amount = f"{count_word(sets)} sets of {count_word(reps)}" if sets > 1 else count_word(reps)
    held = f", holding for {count_word(hold)} seconds" if hold else ""
    return (
        f"This is as far as this exercise goes: up to {amount}{held}. "
        "Keep it here; that is the most its guidance advises."
    )
