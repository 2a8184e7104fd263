"""Load a session script file, check it, and turn it into a `Script` (script_model.py).

Every problem is reported at once, one line each, sorted by line:

    FILE:LINE:COLUMN: field.path: what is wrong (what was expected)

How: the UTF-8 text is composed by PyYAML's SafeLoader into nodes (which carry line and
column), and the nodes are turned into plain values here, so no object is ever
constructed from a tag and duplicate keys can be caught. The values are checked against
schema/script.schema.json (JSON Schema 2020-12, also usable by editors), and each error is
reworded for people and placed at the YAML node it is about. A few rules the schema
cannot express (exercise names differ) are checked after it.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voicecoach.errors import ScriptError
from voicecoach.script.model import Exercise, Pace, Position, Script, Sides, Variant

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

FieldPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000
"""Scripts are a few kilobytes; anything this large is the wrong file."""

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null")}
_TEXT_TAGS = {f"{_TAG}str", f"{_TAG}timestamp"}
"""Kept as the text written: a date-like value is still text to us."""
_ALLOWED_TAGS = _PLAIN_TAGS | _TEXT_TAGS | {f"{_TAG}seq", f"{_TAG}map"}

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
_SYNTAX_HINTS = (
    # (part of PyYAML's problem text, what to do)
    ("mapping values are not allowed", 'check the indentation; put text with ": " in quotes'),
    ("could not find expected ':'", 'write each key with a colon after it, like "reps: 10"'),
    ("expected <block end>", "line up the keys of a mapping, and the dashes of a list, exactly"),
    ("did not find expected key", "line up the keys of a mapping exactly"),
    ("did not find expected '-'", "line up the dashes of a list exactly"),
    ("found undefined alias", "define the anchor (&name) before using it (*name)"),
    ("another document", "put one script in each file, without a second ---"),
    ("unexpected end of stream", "close the quote or bracket that is still open"),
    ("found '<stream end>'", "close the quote or bracket that is still open"),
    ("expected ',' or ']'", "close the list with ] and separate its items with commas"),
    ("expected ',' or '}'", "close the mapping with } and separate its items with commas"),
)

_TOKEN_WORDS = (
    # PyYAML's token names -> words a person knows
    ("'<block end>'", "the end of the block"),
    ("<block end>", "the end of the block"),
    ("'<stream end>'", "the end of the file"),
    ("'<scalar>'", "a value"),
    ("'?'", "a new key"),
    ("'-'", "a list item"),
    ("'<block mapping start>'", "a new mapping"),
    ("'<block sequence start>'", "a new list"),
)


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


def schema_path() -> Path:
    """The JSON Schema shipped with the package (for `validate --schema` and editors)."""
    return Path(str(resources.files("voicecoach.script") / "schema" / "script.schema.json"))


def load_script(path: str | Path) -> Script:
    """Read, check and build the script in `path`; raise ScriptError listing every problem."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:  # missing file, a directory, no permission: all the person's to fix
        reason = error.strerror or str(error)
        raise ScriptError(
            [f"{file}: cannot read the file: {reason} (expected a readable .yaml script file)"]
        ) from None
    if len(data) > MAX_FILE_BYTES:
        too_large = f"the file is too large: {len(data)} bytes (expected at most {MAX_FILE_BYTES})"
        raise ScriptError([str(_at_start(file, too_large))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScriptError([str(_encoding_problem(file, data, error))]) from None
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
    expected = f"expected {_expected_for_type(_schema(), ())}"
    tree = _Tree(file)
    try:
        root, syntax_problems = _compose(text, file)
        document = tree.build(root, ()) if root is not None else None
    except RecursionError:  # thousands of nested brackets: not a script, and not worth a crash
        yield _at_start(file, f"lists and mappings are nested too deeply ({expected})")
        return
    if syntax_problems:
        yield from syntax_problems
        return
    if root is None or document is None:
        yield _at_start(file, f"the file is empty ({expected})")
        return
    if not isinstance(document, dict):
        line, column = root.start_mark.line + 1, root.start_mark.column + 1
        what = _describe_kind(document, "object")
        yield Problem(file, line, column, "top level", f"{what} ({expected})")
        return
    problems = [*tree.problems, *_schema_problems(document, tree), *_name_problems(document, tree)]
    yield from problems
    if not problems:
        yield _build_script(document, tree, file)


def _at_start(file: str, message: str) -> Problem:
    return Problem(file, 1, 1, "top level", message)


# --- YAML text to nodes --------------------------------------------------------------------


def _compose(text: str, file: str) -> tuple[Node | None, list[Problem]]:
    """The root node (None for an empty document), or the problems of YAML syntax."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), []
    except yaml.MarkedYAMLError as error:
        return None, list(_syntax_problems(text, file, error))
    except yaml.reader.ReaderError as error:
        line, column = _line_column(text, error.position)
        message = (
            f"character {_character_name(error.character)} is not allowed in YAML text "
            "(expected printable characters only; remove it)"
        )
        return None, [Problem(file, line, column, "YAML syntax", message)]


def _syntax_problems(text: str, file: str, error: yaml.MarkedYAMLError) -> Iterator[Problem]:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    tabs = list(_tab_indented_lines(text))
    for tab_line, tab_column in tabs:
        yield Problem(
            file,
            tab_line,
            tab_column,
            "indentation",
            "tab character (indent with spaces, not tabs)",
        )
    if tabs and line >= tabs[0][0]:
        return  # the syntax error follows from the tab; saying it twice would only confuse
    problem = str(error.problem or error.context or "not valid YAML")
    if "another document" in problem:
        problem = "a second YAML document starts here"
    else:
        for token, words in _TOKEN_WORDS:
            problem = problem.replace(token, words)
        if error.context and error.problem and error.context_mark is not None:
            started = error.context_mark.line + 1
            problem += f", {error.context}" + (
                f" started on line {started}" if started != line else ""
            )
    hint = next(
        (h for part, h in _SYNTAX_HINTS if part in str(error.problem) + str(error.context)),
        "check the indentation and quotes on this line and the line before",
    )
    yield Problem(file, line, column, "YAML syntax", f"{problem} ({hint})")


def _tab_indented_lines(text: str) -> Iterator[tuple[int, int]]:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            yield number, indent.index("\t") + 1


def _character_name(character: object) -> str:
    code = ord(character) if isinstance(character, str) else character
    return f"U+{code:04X}" if isinstance(code, int) else repr(character)


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _encoding_problem(file: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    before = data[: error.start]
    line = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    column = len(data[line_start : error.start].decode("utf-8", errors="replace")) + 1
    return Problem(
        file,
        line,
        column,
        "encoding",
        f"byte 0x{data[error.start]:02x} is not UTF-8 text (save the file as UTF-8)",
    )


# --- nodes to plain values -----------------------------------------------------------------


class _Tree:
    """Plain values built from YAML nodes, with where each value and key was written."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.bad_paths: set[FieldPath] = set()
        """Paths already reported here; schema errors at or under them would repeat it."""
        self._value_marks: dict[FieldPath, yaml.Mark] = {}
        self._key_marks: dict[FieldPath, yaml.Mark] = {}
        self._built: dict[int, Any] = {}
        self._building: set[int] = set()
        self._constructor = yaml.constructor.SafeConstructor()

    def where(self, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at `path`, or of its key if `key`."""
        if key and path in self._key_marks:
            mark = self._key_marks[path]
            return mark.line + 1, mark.column + 1
        for end in range(len(path), -1, -1):  # values shared by an alias are known by one path
            found = self._value_marks.get(path[:end])
            if found is not None:
                return found.line + 1, found.column + 1
        return 1, 1

    def problem(self, path: FieldPath, message: str, *, key: bool = False) -> Problem:
        line, column = self.where(path, key=key)
        return Problem(self.file, line, column, format_path(path), message)

    def build(self, node: Node, path: FieldPath) -> Any:
        self._value_marks.setdefault(path, node.start_mark)
        if id(node) in self._built:  # an alias: reuse, so anchors cannot blow up in size
            return self._built[id(node)]
        if id(node) in self._building:
            self._report(path, "refers to itself through an alias (expected a plain value)")
            return None
        self._building.add(id(node))
        try:
            value = self._build_new(node, path)
        finally:
            self._building.discard(id(node))
        self._built[id(node)] = value
        return value

    def _report(self, path: FieldPath, message: str, *, key: bool = False) -> None:
        self.problems.append(self.problem(path, message, key=key))
        self.bad_paths.add(path)

    def _build_new(self, node: Node, path: FieldPath) -> Any:
        if node.tag not in _ALLOWED_TAGS:
            self._report(
                path,
                f"the YAML tag {node.tag.replace(_TAG, '!!')} is not allowed "
                "(expected plain text, numbers, lists and mappings)",
            )
            return None
        if isinstance(node, MappingNode):
            return self._build_mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag in _TEXT_TAGS:
            return str(node.value).strip()
        try:
            value = self._constructor.construct_object(node)
        except (ValueError, yaml.YAMLError):  # e.g. `!!int ten`: a value its own tag rejects
            self._report(
                path, f"{node.value!r} does not match its tag {node.tag.replace(_TAG, '!!')}"
            )
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self._report(path, f"{node.value} is not a usable number (expected a finite number)")
            return None
        return value

    def _build_mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _PLAIN_TAGS | _TEXT_TAGS:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                self.problems.append(
                    Problem(
                        self.file,
                        line,
                        column,
                        format_path(path),
                        "a key must be a plain word (expected a key such as name or reps)",
                    )
                )
                continue
            name = str(key_node.value)
            child = (*path, name)
            if name in first_lines:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                self.problems.append(
                    Problem(
                        self.file,
                        line,
                        column,
                        format_path(child),
                        f"duplicate key, already given on line {first_lines[name]} "
                        "(expected each key once in a mapping; keep only one)",
                    )
                )
                continue
            first_lines[name] = key_node.start_mark.line + 1
            self._key_marks[child] = key_node.start_mark
            result[name] = self.build(value_node, child)
        return result


def format_path(path: FieldPath) -> str:
    """`("exercises", 2, "reps")` -> `exercises[2].reps`; the whole document is "top level"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "top level"


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


def _schema_problems(document: dict[str, Any], tree: _Tree) -> Iterator[Problem]:
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


def _describe_error(error: ValidationError, path: FieldPath, tree: _Tree) -> Iterator[Problem]:
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


# --- checks the schema cannot express ------------------------------------------------------


def _name_problems(document: dict[str, Any], tree: _Tree) -> Iterator[Problem]:
    """Each exercise name is used once in a script, so it names one thing in speech and logs."""
    first: dict[str, FieldPath] = {}
    for section in ("exercises", "cool_down"):
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
                    f"{_show(name)} is already the name of {format_path(first[key][:-1])} "
                    "(expected a different name for each exercise)",
                )
            else:
                first[key] = path


# --- plain values to the script model ------------------------------------------------------


def _build_script(document: dict[str, Any], tree: _Tree, file: str) -> Script:
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
        area=item.get("area"),
        line=line,
    )


def _build_variant(item: dict[str, Any]) -> Variant:
    tempo = item.get("tempo")
    cues = item.get("cues")
    return Variant(
        say=item["say"],
        reps=item.get("reps"),
        sets=item.get("sets"),
        hold=item.get("hold"),
        rest=item.get("rest"),
        tempo=float(tempo) if tempo is not None else None,
        setup=item.get("setup"),
        cues=tuple(cues) if cues is not None else None,
    )
