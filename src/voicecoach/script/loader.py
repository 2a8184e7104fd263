"""Load a session script file, check it, and turn it into a `Script` (model.py).

Every problem is reported at once, one line each, sorted by line:

    FILE:LINE:COLUMN: field.path: what is wrong (what was expected)

How: the UTF-8 text is composed by PyYAML's SafeLoader into nodes (yaml_text.py), which
carry line and column; the nodes are turned into plain values (yaml_values.py), so no
object is ever constructed from a tag and duplicate keys can be caught. The values are
checked against schema/script.schema.json (schema_problems.py), and each error is reworded
for people and placed at the YAML node it is about. A few rules the schema cannot express
(exercise names differ; every level stays within the exercise's ceiling; a variant's
`replaces` is a sentence of the setup) are checked after it (script_rules.py), and the
values become the model.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from voicecoach.errors import ScriptError
from voicecoach.script.model import Ceiling, Exercise, Pace, Position, Script, Sides, Variant
from voicecoach.script.problem import Problem, at_start, format_path
from voicecoach.script.schema_problems import (
    describe_kind,
    expected_for_type,
    schema_path,
    schema_problems,
    script_schema,
)
from voicecoach.script.script_rules import level_problems, name_problems
from voicecoach.script.text_file import FileRefused, read_capped
from voicecoach.script.yaml_text import compose, encoding_problem
from voicecoach.script.yaml_values import ValueTree

MAX_FILE_BYTES = 1_000_000
"""Scripts are a few kilobytes; anything this large is the wrong file."""

__all__ = [
    "MAX_FILE_BYTES",
    "Problem",
    "check_script_text",
    "format_path",
    "load_script",
    "load_script_text",
    "schema_path",
]


def load_script(path: str | Path) -> Script:
    """Read, check and build the script in `path`; raise ScriptError listing every problem."""
    file = str(path)
    try:
        data = read_capped(path, MAX_FILE_BYTES)
    except FileRefused as refused:  # a pipe, a device, a huge file: refused before reading
        raise ScriptError([str(at_start(file, f"the file {refused}"))]) from None
    except OSError as error:  # missing file, no permission, name too long: the person's to fix
        reason = error.strerror or str(error)
        raise ScriptError(
            [f"{file}: cannot read the file: {reason} (expected a readable .yaml script file)"]
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScriptError([str(encoding_problem(file, data, error))]) from None
    return load_script_text(text, file)


def load_script_text(text: str, name: str) -> Script:
    """Check and build a script from YAML `text`; `name` stands for the file in messages."""
    results = list(_problems_or_script(text, name))
    problems = sorted((p for p in results if isinstance(p, Problem)), key=_position)
    if problems:
        raise ScriptError([str(p) for p in problems])
    script = results[-1]
    assert isinstance(script, Script)
    return script


def check_script_text(text: str, name: str) -> list[Problem]:
    """Every problem of a script, sorted by line; empty when it is valid."""
    found = [p for p in _problems_or_script(text, name) if isinstance(p, Problem)]
    return sorted(found, key=_position)


def _position(problem: Problem) -> tuple[int, int]:
    return (problem.line, problem.column)


def _problems_or_script(text: str, file: str) -> Iterator[Problem | Script]:
    """Yield each problem; if there are none, yield the built Script last."""
    expected = f"expected {expected_for_type(script_schema(), ())}"
    tree = ValueTree(file)
    try:
        root, syntax_problems = compose(text, file)
        document = tree.build(root, ()) if root is not None else None
    except RecursionError:  # thousands of nested brackets: not a script, and not worth a crash
        yield at_start(file, f"lists and mappings are nested too deeply ({expected})")
        return
    if syntax_problems:
        yield from syntax_problems
        return
    if root is None or document is None:
        yield at_start(file, f"the file is empty ({expected})")
        return
    if not isinstance(document, dict):
        line, column = root.start_mark.line + 1, root.start_mark.column + 1
        what = describe_kind(document, "object")
        yield Problem(file, line, column, "top level", f"{what} ({expected})")
        return
    problems = [*tree.problems, *schema_problems(document, tree), *name_problems(document, tree)]
    yield from problems
    if problems:
        return
    script = _build_script(document, tree, file)
    level = list(level_problems(script, tree))
    yield from level
    if not level:
        yield script


# --- plain values to the script model ------------------------------------------------------


def _build_script(document: dict[str, Any], tree: ValueTree, file: str) -> Script:
    return Script(
        id=document["id"],
        title=document["title"],
        position=Position(document["position"]),
        description=document["description"],
        safety=document["safety"],
        exercises=tuple(
            _build_exercise(item, tree.where(("exercises", i))[0])
            for i, item in enumerate(document["exercises"])
        ),
        cool_down=tuple(
            _build_exercise(item, tree.where(("cool_down", i))[0])
            for i, item in enumerate(document["cool_down"])
        ),
        closing=document.get("closing", ""),
        path=file,
        tags=tuple(document.get("tags", ())),
    )


def _build_exercise(item: dict[str, Any], line: int) -> Exercise:
    return Exercise(
        name=item["name"],
        source=item["source"],
        setup=item["setup"],
        cues=tuple(item["cues"]),
        reps=item["reps"],
        sets=item.get("sets", 1),
        hold=item.get("hold", 0),
        sides=Sides(item.get("sides", Sides.NONE.value)),
        rest=item.get("rest", 30),
        tempo=float(item.get("tempo", 3.0)),
        pace=Pace(item.get("pace", Pace.COUNTED.value)),
        easier=tuple(_build_variant(v) for v in item.get("easier", ())),
        harder=tuple(_build_variant(v) for v in item.get("harder", ())),
        ceiling=Ceiling(**item.get("ceiling", {})),
        frequency=item.get("frequency", ""),
        area=item.get("area"),
        line=line,
    )


def _build_variant(item: dict[str, Any]) -> Variant:
    tempo = item.get("tempo")
    cues = item.get("cues")
    return Variant(
        say=item["say"],
        replaces=item.get("replaces"),
        reps=item.get("reps"),
        sets=item.get("sets"),
        hold=item.get("hold"),
        rest=item.get("rest"),
        tempo=float(tempo) if tempo is not None else None,
        setup=item.get("setup"),
        cues=tuple(cues) if cues is not None else None,
    )
