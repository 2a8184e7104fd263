"""One problem of a script file, placed at the line and column a person can find."""

from __future__ import annotations

from dataclasses import dataclass

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a script file, at a place a person can find."""

    file: str
    line: int
    """1-based."""
    column: int
    """1-based."""
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"


def format_path(path: FieldPath) -> str:
    """`("exercises", 2, "reps")` -> `exercises[2].reps`; the whole document is "top level"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "top level"


def at_start(file: str, message: str) -> Problem:
    return Problem(file, 1, 1, "top level", message)


# --- YAML text to nodes --------------------------------------------------------------------
