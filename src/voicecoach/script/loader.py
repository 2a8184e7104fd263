"""Load a session script file, check it, and turn it into a `Script` (script_model.py).

Every problem is reported at once, one line each, sorted by line:

    FILE:LINE:COLUMN: field.path: what is wrong (what was expected)

How: the text is turned into plain values that remember where they were written
(yaml_source.py). The values are checked against schema/script.schema.json (JSON Schema
2020-12, also usable by editors), and each error is reworded for people and placed at the
YAML node it is about. A few rules the schema cannot express (exercise names differ, every
level stays within the exercise's ceiling) are checked after it (script_rules.py).
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.errors import ScriptError
from voicecoach.script.model import Ceiling, Exercise, Pace, Position, Script, Sides, Variant
from voicecoach.script.script_rules import level_problems, name_problems
from voicecoach.script.yaml_source import (
    FieldPath,
    Problem,
    Tree,
    UnreadableFile,
    at_start,
    compose,
    format_path,
    read_source,
)

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

_LIST_NOUNS = {
    "exercises": ("exercise", "exercises"),
    "cool_down": ("exercise", "exercises"),
    "easier": ("variant", "variants"),
    "harder": ("variant", "variants"),
    "cues": ("cue", "cues"),
    "tags": ("tag", "tags"),
}
_UNITS = {"hold": "seconds", "rest": "seconds", "tempo": "seconds per beat"}
_PATTERNS = {
    # pattern in the schema -> (what is wrong, what was expected)
    "^[a-z0-9]+(-[a-z0-9]+)*$": (
        "is not a valid id",
        "lowercase letters, digits and single hyphens, like chair-back-basics",
    ),
    "^seed-[0-9]{3}$": ("is not a seed name", "seed- and three digits, like seed-003"),
    "^[^0-9]*$": (
        "contains a digit",
        "words without digits: the rep number is spoken before each cue",
    ),
}


def schema_path() -> Path:
    """The JSON Schema shipped with the package (for `validate --schema` and editors)."""
    return Path(str(resources.files("voicecoach.script") / "schema" / "script.schema.json"))


def load_script(path: str | Path) -> Script:
    """Read, check and build the script in `path`; raise ScriptError listing every problem."""
    try:
        text = read_source(path, ".yaml script file")
    except UnreadableFile as error:
        raise ScriptError([str(error)]) from None
    return load_script_text(text, str(path))


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
    expected = f"expected {_expected_for_type(_schema(), ())}"
    tree = Tree(file)
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
        what = _describe_kind(document, "object")
        yield Problem(file, line, column, "top level", f"{what} ({expected})")
        return
    problems = [*tree.problems, *_schema_problems(document, tree), *name_problems(document, tree)]
    yield from problems
    if problems:
        return
    script = _build_script(document, tree, file)
    level = list(level_problems(script, tree))
    yield from level
    if not level:
        yield script


# --- schema errors, worded for people ------------------------------------------------------


@functools.cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # imported late: it is slow to import

    return Draft202012Validator(_schema())


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local `$ref` (the schema only uses `#/$defs/NAME`), keeping sibling keys."""
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    target = _schema()["$defs"][ref.rsplit("/", 1)[-1]]
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}


def _schema_problems(document: dict[str, Any], tree: Tree) -> Iterator[Problem]:
    done: set[tuple[str, FieldPath]] = set()
    for error in _validator().iter_errors(document):
        path: FieldPath = tuple(error.absolute_path)
        if any(path[: len(bad)] == bad for bad in tree.bad_paths):
            continue
        kind = str(error.validator)
        if (kind, path) in done:  # `required` comes once per missing key; we list them once
            continue
        done.add((kind, path))
        yield from _describe_error(error, path, tree)


def _describe_error(error: ValidationError, path: FieldPath, tree: Tree) -> Iterator[Problem]:
    kind = str(error.validator)
    schema = _resolve(error.schema) if isinstance(error.schema, Mapping) else {}
    value: Any = error.instance
    field = _field_name(path)
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for key in value:
            if key not in allowed:
                yield tree.problem(
                    (*path, key), f"unknown key (expected {_one_of(allowed, key)})", key=True
                )
    elif kind == "required":
        for key in schema.get("required", []):
            if key not in value:
                wanted = _resolve(schema["properties"][key])
                line, column = tree.where(path)
                yield Problem(
                    tree.file,
                    line,
                    column,
                    format_path((*path, key)),
                    "required key is missing "
                    f"(expected {_expected_for_type(wanted, (*path, key))})",
                )
    elif kind == "type":
        yield tree.problem(
            path,
            f"{_describe_kind(value, schema.get('type'))} "
            f"(expected {_expected_for_type(schema, path)})",
        )
    elif kind in ("minimum", "maximum"):
        size = "small" if kind == "minimum" else "large"
        yield tree.problem(
            path, f"{_show(value)} is too {size} (expected {_expected_for_type(schema, path)})"
        )
    elif kind in ("minLength", "maxLength"):
        wrong = (
            "is empty"
            if not value
            else (f"is too {'short' if kind == 'minLength' else 'long'}: {len(value)} characters")
        )
        yield tree.problem(path, f"{wrong} (expected {_text_expected(schema)})")
    elif kind == "pattern":
        wrong, expected = _PATTERNS.get(
            str(schema.get("pattern")),
            ("has the wrong form", f"text matching {schema.get('pattern')}"),
        )
        yield tree.problem(path, f"{_show(value)} {wrong} (expected {expected})")
    elif kind == "enum":
        choices = [str(c) for c in schema.get("enum", [])]
        yield tree.problem(
            path, f"{_show(value)} is not one of the choices (expected {_one_of(choices, value)})"
        )
    elif kind in ("minItems", "maxItems"):
        singular, plural = _LIST_NOUNS.get(field, ("item", "items"))
        count = len(value)
        if count == 0:
            wrong = "is an empty list"
        else:
            amount = f"{count} {singular if count == 1 else plural}"
            wrong = f"has only {amount}" if kind == "minItems" else f"has {amount}, too many"
        yield tree.problem(path, f"{wrong} (expected {_expected_for_type(schema, path)})")
    else:  # not used by our schema today; keep jsonschema's own words rather than nothing
        yield tree.problem(path, error.message)


def _field_name(path: FieldPath) -> str:
    return next((p for p in reversed(path) if isinstance(p, str)), "")


def _one_of(choices: Sequence[str], given: object) -> str:
    text = "one of: " + ", ".join(choices)
    if isinstance(given, str):
        near = difflib.get_close_matches(given.lower(), choices, n=1, cutoff=0.6)
        if near:
            text += f'; did you mean "{near[0]}"?'
    return text


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:37] + "...", ensure_ascii=False)
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def _describe_kind(value: object, wanted: object) -> str:
    """What is wrong with a value of the wrong type, e.g. `"ten" is text`."""
    if value is None:
        return "is empty"
    if isinstance(value, bool):
        return f"{_show(value)} is a yes/no value"
    if isinstance(value, float) and wanted == "integer":
        return f"{_show(value)} is not a whole number"
    if isinstance(value, (int, float)):
        return f"{_show(value)} is a number"
    if isinstance(value, str):
        return f"{_show(value)} is text"
    if isinstance(value, list):
        return "is a list"
    return "is a mapping"


def _expected_for_type(schema: Mapping[str, Any], path: FieldPath) -> str:
    """The full description of what belongs at `path`, from its part of the schema."""
    schema = _resolve(schema)
    field = _field_name(path)
    if "enum" in schema:
        return "one of: " + ", ".join(str(c) for c in schema["enum"])
    kind = schema.get("type")
    if kind in ("integer", "number"):
        noun = "a whole number" if kind == "integer" else "a number"
        unit = _UNITS.get(field)
        if unit and path and isinstance(path[-1], str):
            noun += f" of {unit}"
        return f"{noun} {_range(schema.get('minimum'), schema.get('maximum'))}"
    if kind == "string":
        if "pattern" in schema and str(schema["pattern"]) in _PATTERNS:
            expected = _PATTERNS[str(schema["pattern"])][1]
            if "minLength" in schema or "maxLength" in schema:
                expected = f"{_text_expected(schema)}: {expected}"
            return expected
        return _text_expected(schema)
    if kind == "array":
        singular, plural = _LIST_NOUNS.get(field, ("item", "items"))
        items = _resolve(schema.get("items", {}))
        text = f"a list of {_count(schema.get('minItems'), schema.get('maxItems'), plural)}"
        if items.get("type") == "string":
            text += f", each {_text_expected(items)}"
        return text
    if kind == "object":
        required = list(schema.get("required", []))
        optional = [k for k in schema.get("properties", {}) if k not in required]
        what = "a session script: a mapping" if not path else "a mapping"
        if path and field in _LIST_NOUNS and isinstance(path[-1], int):
            singular = _LIST_NOUNS[field][0]
            what = f"{'an' if singular[0] in 'aeiou' else 'a'} {singular}: a mapping"
        text = f"{what} with {_and(required)}"
        if optional:
            text += f", and optionally {_and(optional)}"
        return text
    return "a different value"


def _text_expected(schema: Mapping[str, Any]) -> str:
    low, high = schema.get("minLength"), schema.get("maxLength")
    return f"text of {_count(low, high, 'characters')}"


def _range(low: object, high: object) -> str:
    if low is not None and high is not None:
        return f"from {low} to {high}"
    return f"of at least {low}" if low is not None else f"of at most {high}"


def _count(low: object, high: object, plural: str) -> str:
    if low and high is not None:
        return f"{low} to {high} {plural}"
    if high is not None:
        return f"at most {high} {plural}"
    return f"at least {low} {plural}" if low else plural


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# --- plain values to the script model ------------------------------------------------------


def _build_script(document: dict[str, Any], tree: Tree, file: str) -> Script:
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
