"""A long session script built from the bundled exercises, for the long-session figures.

The bundled scripts last 6-16 minutes; a 30- or 60-minute session is made of their
exercises (all of them, in library order, then more sets) until the session, as previewed,
lasts at least the minutes asked for. The result is a script file the loader accepts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from voicecoach.config.settings import Settings
from voicecoach.script.library import bundled_script_paths
from voicecoach.script.loader import load_script_text
from voicecoach.script.model import Script
from voicecoach.session.preview import estimated_seconds

MAX_EXERCISES = 20
MAX_SETS = 10


def long_script_text(minutes: float, settings: Settings | None = None) -> str:
    """YAML of a chair script lasting at least `minutes` (by preview)."""
    documents = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in bundled_script_paths()]
    first = next((d for d in documents if d.get("position") == "chair"), documents[0])
    pool = [dict(e) for d in documents for e in d["exercises"]]
    document: dict[str, Any] = {
        "id": f"bench-{round(minutes)}-minutes",
        "title": f"A {round(minutes)} minute session",
        "position": "chair",
        "description": "Every bundled exercise in one long session, for the benchmark.",
        "safety": first["safety"],
        "closing": first.get("closing", ""),
        "exercises": [],
        "cool_down": first["cool_down"],
    }
    target = minutes * 60
    seen: dict[str, int] = {}
    for index in range(MAX_EXERCISES):
        exercise = dict(pool[index % len(pool)])
        name = exercise["name"]
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            exercise["name"] = f"{name}, round {seen[name]}"
        document["exercises"].append(exercise)
    every = document["exercises"]
    # The fewest exercises that last long enough (a preview is monotonic in their number).
    low, high = 1, len(every)
    while low < high:
        middle = (low + high) // 2
        document["exercises"] = every[:middle]
        if _seconds(document, settings) >= target:
            high = middle
        else:
            low = middle + 1
    document["exercises"] = every[:low]
    while _seconds(document, settings) < target:
        # More sets of the exercise with the fewest, until the session is long enough.
        growable = [e for e in document["exercises"] if e.get("sets", 1) < MAX_SETS]
        if not growable:
            break
        fewest = min(growable, key=lambda e: e.get("sets", 1))
        fewest["sets"] = fewest.get("sets", 1) + 1
        fewest.setdefault("rest", 30)
        if "ceiling" in fewest:
            # A timing fixture, never played to a person: its ceiling grows with its sets.
            ceiling = dict(fewest["ceiling"])
            ceiling["sets"] = max(ceiling.get("sets", 1), fewest["sets"])
            fewest["ceiling"] = ceiling
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def _seconds(document: dict[str, Any], settings: Settings | None) -> float:
    return estimated_seconds(_load(yaml.safe_dump(document, sort_keys=False)), settings)


def _load(text: str) -> Script:
    return load_script_text(text, "long-session.yaml")


def write_long_script(folder: Path, minutes: float) -> tuple[Path, Script]:
    """The long script written to `folder` (for `voicecoach preview PATH`) and loaded."""
    text = long_script_text(minutes)
    path = folder / f"long-{round(minutes)}-minutes.yaml"
    path.write_text(text, encoding="utf-8")
    return path, _load(text)
