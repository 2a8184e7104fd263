"""What a measurement produces: figures, each beside its goal, plus the raw numbers."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Goal:
    op: str
    """One of <=, <, >=, >, ==."""
    target: float

    def met_by(self, value: float) -> bool:
        return _COMPARE[self.op](value, self.target)


@dataclass(frozen=True)
class Figure:
    """One number in the table. `value` None means "not measured" (`note` says why)."""

    label: str
    value: float | None
    unit: str
    goal: Goal | None = None
    note: str = ""
    scale: float = 1.0
    """Shown value = value * scale (e.g. 100 for a share shown in %)."""
    digits: int = 0

    @property
    def passed(self) -> bool | None:
        if self.value is None or self.goal is None:
            return None
        return self.goal.met_by(self.value)

    def shown(self, value: float | None = None) -> str:
        v = self.value if value is None else value
        if v is None:
            return "not measured"
        text = f"{v * self.scale:.{self.digits}f}"
        return f"{text} {self.unit}".rstrip() if self.unit != "%" else f"{text} %"

    def goal_text(self) -> str:
        if self.goal is None:
            return "-"
        return f"{self.goal.op} {self.shown(self.goal.target)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "shown": self.shown(),
            "goal": None
            if self.goal is None
            else {"op": self.goal.op, "target": self.goal.target, "shown": self.goal_text()},
            "passed": self.passed,
            "note": self.note,
        }


@dataclass
class Measurement:
    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    method: str = ""
    """How it was measured, in a sentence or two (goes under the table)."""
    seconds: float = 0.0
    """Wall time the measurement took."""
    error: str | None = None
    """Set when the measurement failed as a whole."""

    def not_measured(
        self,
        label: str,
        unit: str,
        goal: Goal | None,
        why: str,
        *,
        scale: float = 1.0,
        digits: int = 0,
    ) -> None:
        self.figures.append(Figure(label, None, unit, goal, note=why, scale=scale, digits=digits))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "method": self.method,
            "figures": [f.to_json() for f in self.figures],
            "notes": self.notes,
            "seconds": round(self.seconds, 1),
            "error": self.error,
            "raw": self.raw,
        }
