"""The plan file: what a physiotherapist sets for one person (docs/safety.md, "The plan file").

A small YAML file, `plan.yaml` beside the settings file, checked like a script: every
problem is reported at once as FILE:LINE:COLUMN: field: what is wrong (what was expected).

    affected_side: left              # left, right or both: for the nerve glide
    how_often: {times: 2, per: day}  # 1 to 6 times, a day or a week
    pain_zones: {green_max: 2, amber_max: 4}
    switched_off: [Forward bend in sitting]
    levels:
      Bridging: {highest: 1}         # never more than one step harder than written
      Pelvic lift: {locked: -1}      # always one step easier; never harder

Exercise names are those of the bundled library (letter case and spaces do not count).
Applying a plan to a script is the session's business (session/plan_following.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicecoach.errors import UsageError
from voicecoach.script.loader import MAX_FILE_BYTES
from voicecoach.script.problem import FieldPath, Problem, at_start
from voicecoach.script.text_file import FileRefused, read_capped
from voicecoach.script.yaml_text import compose, encoding_problem
from voicecoach.script.yaml_values import ValueTree

SIDES = ("left", "right", "both")
PERIODS = ("day", "week")
TOP_KEYS = ("affected_side", "how_often", "pain_zones", "switched_off", "levels")
LEVEL_KEYS = ("highest", "locked")
LEVEL_RANGE = (-10, 10)


class PlanError(UsageError):
    """A plan file failed to load; `problems` holds every FILE:LINE:COL line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LevelRule:
    """How far one exercise may go: `highest` caps "harder"; `locked` also starts there."""

    highest: int | None = None
    locked: int | None = None

    @property
    def cap(self) -> int:
        value = self.locked if self.locked is not None else self.highest
        assert value is not None
        return value


@dataclass(frozen=True)
class Plan:
    affected_side: str | None = None
    """"left", "right" or "both"; None: not set."""
    times: int | None = None
    """How many sessions in each `per`."""
    per: str | None = None
    """"day" or "week"."""
    pain_zones: tuple[int, int] | None = None
    """(green_max, amber_max), or None for the settings' zones."""
    switched_off: frozenset[str] = frozenset()
    """Exercise names, normalised (see `exercise_key`)."""
    levels: dict[str, LevelRule] = field(default_factory=dict)
    """Per exercise name, normalised."""
    path: str = ""

    def how_often(self) -> str | None:
        """ "twice a day", "three times a week"; None when the plan does not say."""
        if self.times is None or self.per is None:
            return None
        words = {1: "once", 2: "twice"}.get(self.times)
        if words is None:
            words = f"{('three', 'four', 'five', 'six')[self.times - 3]} times"
        return f"{words} a {self.per}"

    def rule(self, exercise: str) -> LevelRule | None:
        return self.levels.get(exercise_key(exercise))

    def is_off(self, exercise: str) -> bool:
        return exercise_key(exercise) in self.switched_off


def exercise_key(name: str) -> str:
    return " ".join(name.lower().split())


def load_plan(path: str | Path, known: Sequence[str]) -> Plan:
    """Read and check the plan in `path`; `known` are the exercise names it may use.
    Raises PlanError listing every problem."""
    file = str(path)
    try:
        data = read_capped(path, MAX_FILE_BYTES)
    except FileRefused as refused:  # a pipe, a device, a huge file: refused before reading
        raise PlanError([str(at_start(file, f"the file {refused}"))]) from None
    except OSError as error:  # missing, no permission: all the person's to fix
        reason = error.strerror or str(error)
        raise PlanError(
            [f"{file}: cannot read the file: {reason} (expected a readable .yaml plan file)"]
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanError([str(encoding_problem(file, data, error))]) from None
    return load_plan_text(text, file, known)


def load_plan_text(text: str, name: str, known: Sequence[str]) -> Plan:
    tree = ValueTree(name)
    root, syntax = compose(text, name)
    if syntax:
        raise PlanError([str(p) for p in syntax])
    document = tree.build(root, ()) if root is not None else None
    if root is None or document is None:
        return Plan(path=name)  # an empty plan sets nothing
    checker = _Checker(tree, {exercise_key(n): n for n in known})
    if not isinstance(document, dict):
        problems = [tree.problem((), f"is not a mapping (expected {_TOP_EXPECTED})")]
    else:
        problems = [*tree.problems, *checker.problems(document)]
    if problems:
        problems.sort(key=lambda p: (p.line, p.column))
        raise PlanError([str(p) for p in problems])
    assert isinstance(document, dict)
    return _build(document, name)


_TOP_EXPECTED = "a mapping with any of: " + ", ".join(TOP_KEYS)


class _Checker:
    def __init__(self, tree: ValueTree, known: dict[str, str]) -> None:
        self.tree = tree
        self.known = known

    def problems(self, document: dict[str, Any]) -> Iterator[Problem]:
        yield from self._unknown_keys(document, (), TOP_KEYS)
        side = document.get("affected_side")
        if "affected_side" in document and side not in SIDES:
            yield self._bad(("affected_side",), side, "one of: " + ", ".join(SIDES))
        if "how_often" in document:
            yield from self._how_often(document["how_often"])
        if "pain_zones" in document:
            yield from self._pain_zones(document["pain_zones"])
        if "switched_off" in document:
            yield from self._switched_off(document["switched_off"])
        if "levels" in document:
            yield from self._levels(document["levels"])

    def _bad(self, path: FieldPath, value: object, expected: str) -> Problem:
        return self.tree.problem(path, f"{_show(value)} is not allowed here (expected {expected})")

    def _unknown_keys(
        self, mapping: dict[str, Any], path: FieldPath, allowed: Sequence[str]
    ) -> Iterator[Problem]:
        for key in mapping:
            if key not in allowed:
                near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f'; did you mean "{near[0]}"?' if near else ""
                yield self.tree.problem(
                    (*path, key),
                    f"unknown key (expected one of: {', '.join(allowed)}{hint})",
                    key=True,
                )

    def _whole(self, path: FieldPath, value: object, low: int, high: int) -> Iterator[Problem]:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            yield self._bad(path, value, f"a whole number from {low} to {high}")

    def _how_often(self, value: object) -> Iterator[Problem]:
        path: FieldPath = ("how_often",)
        if not isinstance(value, dict):
            yield self._bad(path, value, "a mapping like {times: 2, per: day}")
            return
        yield from self._unknown_keys(value, path, ("times", "per"))
        for key in ("times", "per"):
            if key not in value:
                yield self.tree.problem(
                    (*path, key),
                    "required key is missing (expected times: 1 to 6, per: day or week)",
                )
        if "times" in value:
            yield from self._whole((*path, "times"), value["times"], 1, 6)
        if "per" in value and value["per"] not in PERIODS:
            yield self._bad((*path, "per"), value["per"], "day or week")

    def _pain_zones(self, value: object) -> Iterator[Problem]:
        path: FieldPath = ("pain_zones",)
        if not isinstance(value, dict):
            yield self._bad(path, value, "a mapping like {green_max: 3, amber_max: 5}")
            return
        yield from self._unknown_keys(value, path, ("green_max", "amber_max"))
        green, amber = value.get("green_max"), value.get("amber_max")
        for key, low, high in (("green_max", 0, 8), ("amber_max", 1, 9)):
            if key not in value:
                yield self.tree.problem(
                    (*path, key),
                    "required key is missing (expected green_max 0 to 8 and amber_max 1 to 9)",
                )
            else:
                yield from self._whole((*path, key), value[key], low, high)
        if isinstance(green, int) and isinstance(amber, int) and not green < amber:
            yield self.tree.problem(
                (*path, "amber_max"),
                f"{amber} is not above green_max {green} (expected amber_max above green_max: "
                "scores above green_max and up to amber_max are amber)",
            )

    def _exercise(self, path: FieldPath, name: object) -> Iterator[Problem]:
        if not isinstance(name, str) or not name.strip():
            yield self._bad(path, name, "an exercise name, like Bridging")
            return
        if exercise_key(name) in self.known:
            return
        near = difflib.get_close_matches(exercise_key(name), list(self.known), n=1, cutoff=0.6)
        hint = f'; did you mean "{self.known[near[0]]}"?' if near else ""
        yield self.tree.problem(
            path,
            f"{_show(name)} is not an exercise of the library (expected an exercise name as "
            f"`voicecoach show` prints it{hint})",
            key=len(path) > 1 and path[0] == "levels",
        )

    def _switched_off(self, value: object) -> Iterator[Problem]:
        if not isinstance(value, list):
            yield self._bad(("switched_off",), value, "a list of exercise names")
            return
        for index, name in enumerate(value):
            yield from self._exercise(("switched_off", index), name)

    def _levels(self, value: object) -> Iterator[Problem]:
        if not isinstance(value, dict):
            yield self._bad(("levels",), value, "a mapping of exercise names to {highest: N}")
            return
        low, high = LEVEL_RANGE
        for name, rule in value.items():
            path: FieldPath = ("levels", name)
            yield from self._exercise(path, name)
            expected = "{highest: N} or {locked: N}, one of the two"
            if isinstance(rule, dict) and len(rule) != 1:
                keys = " and ".join(rule) or "no key"
                yield self.tree.problem(path, f"gives {keys} (expected {expected})")
                continue
            if not isinstance(rule, dict):
                yield self._bad(path, rule, expected)
                continue
            yield from self._unknown_keys(rule, path, LEVEL_KEYS)
            for key, level in rule.items():
                if key in LEVEL_KEYS:
                    yield from self._whole((*path, key), level, low, high)


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a mapping"
    return f'"{value}"' if isinstance(value, str) else str(value)


def _build(document: dict[str, Any], name: str) -> Plan:
    often = document.get("how_often") or {}
    zones = document.get("pain_zones")
    levels = {
        exercise_key(exercise): LevelRule(highest=rule.get("highest"), locked=rule.get("locked"))
        for exercise, rule in (document.get("levels") or {}).items()
    }
    return Plan(
        affected_side=document.get("affected_side"),
        times=often.get("times"),
        per=often.get("per"),
        pain_zones=(zones["green_max"], zones["amber_max"]) if zones else None,
        switched_off=frozenset(exercise_key(n) for n in document.get("switched_off") or ()),
        levels=levels,
        path=name,
    )
