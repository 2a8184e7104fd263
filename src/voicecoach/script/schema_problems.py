"""JSON Schema errors of a script, reworded for people and placed at their YAML node.

The schema is schema/script.schema.json (JSON Schema 2020-12, also usable by editors).
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.script.problem import FieldPath, Problem, format_path
from voicecoach.script.yaml_values import ValueTree

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


@functools.cache
def script_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator, validators  # late: slow to import

    # JSON Schema counts 10.0 as an integer; a script means a count, and the player counts
    # with ints (range(10.0) is a TypeError mid-session), so only a written integer is one.
    whole_numbers = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    strict = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, type_checker=whole_numbers
    )
    return strict(script_schema())  # type: ignore[no-any-return]


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local `$ref` (the schema only uses `#/$defs/NAME`), keeping sibling keys."""
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    target = script_schema()["$defs"][ref.rsplit("/", 1)[-1]]
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}


def schema_problems(document: dict[str, Any], tree: ValueTree) -> Iterator[Problem]:
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


def _describe_error(error: ValidationError, path: FieldPath, tree: ValueTree) -> Iterator[Problem]:
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
                    f"required key is missing (expected {expected_for_type(wanted, (*path, key))})",
                )
    elif kind == "type":
        yield tree.problem(
            path,
            f"{describe_kind(value, schema.get('type'))} "
            f"(expected {expected_for_type(schema, path)})",
        )
    elif kind in ("minimum", "maximum"):
        size = "small" if kind == "minimum" else "large"
        yield tree.problem(
            path, f"{show_value(value)} is too {size} (expected {expected_for_type(schema, path)})"
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
        yield tree.problem(path, f"{show_value(value)} {wrong} (expected {expected})")
    elif kind == "enum":
        choices = [str(c) for c in schema.get("enum", [])]
        expected = _one_of(choices, value)
        yield tree.problem(
            path, f"{show_value(value)} is not one of the choices (expected {expected})"
        )
    elif kind in ("minItems", "maxItems"):
        singular, plural = _LIST_NOUNS.get(field, ("item", "items"))
        count = len(value)
        if count == 0:
            wrong = "is an empty list"
        else:
            amount = f"{count} {singular if count == 1 else plural}"
            wrong = f"has only {amount}" if kind == "minItems" else f"has {amount}, too many"
        yield tree.problem(path, f"{wrong} (expected {expected_for_type(schema, path)})")
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


def show_value(value: object) -> str:
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


def describe_kind(value: object, wanted: object) -> str:
    """What is wrong with a value of the wrong type, e.g. `"ten" is text`."""
    if value is None:
        return "is empty"
    if isinstance(value, bool):
        return f"{show_value(value)} is a yes/no value"
    if isinstance(value, float) and wanted == "integer":
        return f"{show_value(value)} is not a whole number"
    if isinstance(value, (int, float)):
        return f"{show_value(value)} is a number"
    if isinstance(value, str):
        return f"{show_value(value)} is text"
    if isinstance(value, list):
        return "is a list"
    return "is a mapping"


def expected_for_type(schema: Mapping[str, Any], path: FieldPath) -> str:
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


# --- checks the schema cannot express ------------------------------------------------------
