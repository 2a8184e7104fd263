"""YAML text read so that every problem can be shown at FILE:LINE:COLUMN.

The UTF-8 text is composed by PyYAML's SafeLoader into nodes (which carry line and
column), and `Tree` turns the nodes into plain values, so no object is ever constructed
from a tag and duplicate keys can be caught. Used by the script loader and the plan file.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

FieldPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000
"""Scripts and plans are a few kilobytes; anything this large is the wrong file."""

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null")}
_TEXT_TAGS = {f"{_TAG}str", f"{_TAG}timestamp"}
"""Kept as the text written: a date-like value is still text to us."""
_ALLOWED_TAGS = _PLAIN_TAGS | _TEXT_TAGS | {f"{_TAG}seq", f"{_TAG}map"}


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


class UnreadableFile(Exception):
    """The file cannot be read as text; the message is one FILE:... line."""


def read_source(path: str | Path, what: str) -> str:
    """The UTF-8 text of `path` (`what` names the kind of file expected, for messages)."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:  # missing file, a directory, no permission: all the person's to fix
        reason = error.strerror or str(error)
        raise UnreadableFile(
            f"{file}: cannot read the file: {reason} (expected a readable {what})"
        ) from None
    if len(data) > MAX_FILE_BYTES:
        too_large = f"the file is too large: {len(data)} bytes (expected at most {MAX_FILE_BYTES})"
        raise UnreadableFile(str(at_start(file, too_large)))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(str(_encoding_problem(file, data, error))) from None


def at_start(file: str, message: str) -> Problem:
    return Problem(file, 1, 1, "top level", message)


def compose(text: str, file: str) -> tuple[Node | None, list[Problem]]:
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


class Tree:
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

    def has_key(self, path: FieldPath) -> bool:
        """Whether the file writes the key at `path` itself."""
        return path in self._key_marks

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
