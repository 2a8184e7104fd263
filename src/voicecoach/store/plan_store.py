"""Where the plan file lives: `plan.yaml` in the settings folder (VOICECOACH_CONFIG_DIR
names another one), and loading it when it is there."""

from __future__ import annotations

from pathlib import Path

from voicecoach.script.library import load_library
from voicecoach.script.plan_file import Plan, load_plan
from voicecoach.store.settings_text import settings_path

PLAN_FILE_NAME = "plan.yaml"


def plan_path() -> Path:
    return settings_path().parent / PLAN_FILE_NAME


def library_exercise_names() -> list[str]:
    return sorted({e.name for s in load_library() for e in s.all_exercises})


def load_plan_file(path: Path | None = None) -> Plan | None:
    """The plan at `path` (default: `plan_path()`), None when there is no such file.
    A plan that is there but wrong raises PlanError: a session never ignores it quietly."""
    where = plan_path() if path is None else path
    if path is None and not where.exists():
        return None
    return load_plan(where, library_exercise_names())
