"""Rules for a script that its JSON Schema cannot express, each placed at FILE:LINE:COLUMN.

- Each exercise name is used once in a script, so it names one thing in speech and logs.
- Every level the script writes stays within the exercise's ceiling (the most its seed
  advises): the exercise as written, and each easier and harder variant as it applies
  cumulatively. The generic harder steps are held to the same ceiling (adaptation.py).
- A variant's `replaces` is a sentence of the setup as it stands at that level.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from voicecoach.script.model import Exercise, Script
from voicecoach.script.problem import FieldPath, Problem, format_path
from voicecoach.script.yaml_values import ValueTree

SECTIONS = ("exercises", "cool_down")


def name_problems(document: dict[str, Any], tree: ValueTree) -> Iterator[Problem]:
    """Exercise names that are used twice (letter case and spaces do not count)."""
    first: dict[str, FieldPath] = {}
    for section in SECTIONS:
        items = document.get(section)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or not name:
                continue
            key = " ".join(name.lower().split())
            path: FieldPath = (section, index, "name")
            if key in first:
                yield tree.problem(
                    path,
                    f"{json.dumps(name, ensure_ascii=False)} is already the name of "
                    f"{format_path(first[key][:-1])} (expected a different name for each exercise)",
                )
            else:
                first[key] = path


def level_problems(script: Script, tree: ValueTree) -> Iterator[Problem]:
    """Levels above the ceiling, and `replaces` sentences the setup does not hold."""
    for section, exercises in (("exercises", script.exercises), ("cool_down", script.cool_down)):
        for index, exercise in enumerate(exercises):
            yield from _exercise_problems(exercise, (section, index), tree)


def _exercise_problems(exercise: Exercise, at: FieldPath, tree: ValueTree) -> Iterator[Problem]:
    most_reps, most_sets, most_hold = exercise.limits()
    levels: list[tuple[FieldPath, Exercise]] = [(at, exercise)]
    sides = (("easier", exercise.easier, -1), ("harder", exercise.harder, 1))
    for direction, variants, sign in sides:
        for number, variant in enumerate(variants):
            path: FieldPath = (*at, direction, number)
            before = exercise.at_level(sign * number)
            if variant.replaces and variant.replaces not in (variant.setup or before.setup):
                yield tree.problem(
                    (*path, "replaces"),
                    "is not a sentence of the setup at this level (expected the words exactly "
                    "as the setup says them, so the variant's say can take their place)",
                )
            levels.append((path, exercise.at_level(sign * (number + 1))))
    for path, level in levels:
        for key, value, most in (
            ("reps", level.reps, most_reps),
            ("sets", level.sets, most_sets),
            ("hold", level.hold, most_hold),
        ):
            if value > most and _writes(tree, (*path, key)):
                yield tree.problem(
                    (*path, key),
                    f"{value} is above the ceiling of {most} (expected at most "
                    f"{format_path((*at, 'ceiling', key))}: the most the exercise's source "
                    "advises; lower this, or raise the ceiling if the source advises more)",
                )


def _writes(tree: ValueTree, path: FieldPath) -> bool:
    """Whether the file writes this key itself (a carried-over value is reported where it
    was written, once)."""
    return tree.has_key(path)
