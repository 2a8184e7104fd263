"""The bundled session scripts (src/voicecoach/library/*.yaml) and finding a script by id or path.

The library is loaded once per process. A broken bundled script is a bug in the package, so it
raises ScriptError naming the file rather than being skipped: a person must never get a session
that silently lacks its safety text or an exercise.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from voicecoach.errors import ScriptError, UsageError
from voicecoach.script.loader import load_script
from voicecoach.script.model import Position, Script

SCRIPT_SUFFIXES = (".yaml", ".yml")


def bundled_script_paths() -> list[Path]:
    """Every bundled script file, sorted by name."""
    folder = resources.files("voicecoach.script") / "library"
    if not folder.is_dir():
        return []
    found = (Path(str(entry)) for entry in folder.iterdir())
    return sorted((p for p in found if p.suffix == ".yaml"), key=lambda p: p.name)


def load_library() -> list[Script]:
    """Every bundled script, loaded and checked (once per process), sorted by id."""
    return list(_cached_library())


@functools.cache
def _cached_library() -> tuple[Script, ...]:
    return tuple(load_scripts(bundled_script_paths()))


def load_scripts(paths: Iterable[Path]) -> list[Script]:
    """Load every file, sorted by id; ScriptError lists the problems of all broken files,
    and ids used by more than one file."""
    scripts: list[Script] = []
    problems: list[str] = []
    for path in paths:
        try:
            scripts.append(load_script(path))
        except ScriptError as error:
            problems.extend(error.problems)
    first: dict[str, Script] = {}
    for script in scripts:
        if script.id in first:
            problems.append(
                f"{script.path}:{_id_line(script.path)}: id: {script.id!r} is already the id of "
                f"{first[script.id].path} (expected a different id in each script)"
            )
        else:
            first[script.id] = script
    if problems:
        raise ScriptError(problems)
    return sorted(scripts, key=lambda s: s.id)


def _id_line(path: str) -> str:
    """LINE:COLUMN of the top-level `id:` key in a script file that has already loaded."""
    lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    number = next((i for i, line in enumerate(lines, start=1) if line.startswith("id:")), 1)
    return f"{number}:1"


def find_script(id_or_path: str, library: Sequence[Script] | None = None) -> Script:
    """A script file if `id_or_path` names one, else the bundled script with that id.

    An id may be shortened to any prefix that only one script id starts with.
    `library` replaces the bundled scripts (for tests and other script folders).
    """
    if _names_a_file(id_or_path) or id_or_path.lower().endswith(SCRIPT_SUFFIXES):
        return load_script(id_or_path)
    scripts = load_library() if library is None else list(library)
    wanted = id_or_path.strip().lower()
    for script in scripts:
        if script.id == wanted:
            return script
    matches = [s for s in scripts if s.id.startswith(wanted)] if wanted else []
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(sorted(s.id for s in (matches or scripts))) or "none"
    shown = _shortened(id_or_path)
    if len(matches) > 1:
        raise UsageError(f"{shown} could be any of: {known}. Type more of the id to pick one.")
    raise UsageError(
        f"no script has the id {shown} and there is no such file. "
        f"Known ids: {known}. Run `voicecoach list` to see them all, or give the path of a "
        ".yaml script file."
    )


def _names_a_file(text: str) -> bool:
    try:
        return Path(text).exists()
    except OSError:  # e.g. a name longer than a file name may be: not a file, so an id
        return False


def _shortened(text: str) -> str:
    """`text` quoted, cut to a readable length (an id is at most 40 characters)."""
    return repr(text) if len(text) <= 60 else f"{text[:57]!r}... ({len(text)} characters)"


def scripts_for_position(
    position: Position | str, library: Sequence[Script] | None = None
) -> list[Script]:
    """The bundled scripts done in `position` ("bed" or "chair")."""
    wanted = Position(position)
    scripts = load_library() if library is None else library
    return [s for s in scripts if s.position == wanted]


def gentlest_script(
    position: Position | str, library: Sequence[Script] | None = None
) -> Script | None:
    """The gentlest bundled script for `position`: the first-time "gentle-start" one, else
    the one with the fewest exercises; None when the position has none."""
    scripts = scripts_for_position(position, library)
    ranked = sorted(
        scripts, key=lambda s: (not s.id.endswith("gentle-start"), len(s.all_exercises), s.id)
    )
    return ranked[0] if ranked else None
