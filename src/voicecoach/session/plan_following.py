"""A session following the plan file (script/plan_file.py): the script as this person plays it.

- Exercises the plan switches off are left out (a script left with no main exercise
  cannot be played: PlanError says so).
- `sides: affected` exercises go to the plan's side; with `both`, left then right.
- A level rule caps "harder" (`Exercise.level_cap`, kept by adaptation.level_range); a
  locked level is also where every session starts, whatever was carried over.
The pain zones and how often to exercise are read by the player from the plan itself.
"""

from __future__ import annotations

from dataclasses import replace

from voicecoach.config.settings import PainZones, SessionSettings
from voicecoach.script.model import Exercise, Script, Sides
from voicecoach.script.plan_file import Plan, PlanError


def apply_plan(script: Script, plan: Plan) -> Script:
    def kept(exercises: tuple[Exercise, ...]) -> tuple[Exercise, ...]:
        return tuple(_follow(e, plan) for e in exercises if not plan.is_off(e.name))

    exercises = kept(script.exercises)
    if not exercises:
        raise PlanError(
            [
                f"{plan.path}: switched_off: every exercise of {script.id} is switched off "
                "(expected at least one to play; choose another session, or switch fewer off)"
            ]
        )
    return replace(script, exercises=exercises, cool_down=kept(script.cool_down))


def _follow(exercise: Exercise, plan: Plan) -> Exercise:
    if exercise.sides is Sides.AFFECTED and plan.affected_side is not None:
        if plan.affected_side == "both":
            exercise = replace(exercise, sides=Sides.LEFT_THEN_RIGHT)
        else:
            exercise = replace(exercise, side=plan.affected_side)
    rule = plan.rule(exercise.name)
    if rule is not None:
        exercise = replace(exercise, level_cap=rule.cap)
    return exercise


def planned_levels(script: Script, levels: dict[str, int], plan: Plan) -> dict[str, int]:
    """The levels to start at: locked levels as the plan says, others at most their cap."""
    out = dict(levels)
    for exercise in script.all_exercises:
        rule = plan.rule(exercise.name)
        if rule is None:
            continue
        if rule.locked is not None:
            out[exercise.name] = rule.locked
        elif out.get(exercise.name, 0) > rule.cap:
            out[exercise.name] = rule.cap
    return out


def followed_settings(settings: SessionSettings, plan: Plan) -> SessionSettings:
    """The session settings with the plan's own pain zones, when it sets them."""
    if plan.pain_zones is None:
        return settings
    green, amber = plan.pain_zones
    return replace(settings, pain_zones=PainZones(green_max=green, amber_max=amber))
