"""YAML nodes to plain values, remembering where each value and key was written.

Only plain tags are allowed (text, numbers, yes/no, lists, mappings), so no object is ever
constructed from a tag; duplicate keys are caught; an alias is built once and reused.
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voicecoach.script.problem import FieldPath, Problem, format_path

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null")}
_TEXT_TAGS = {f"{_TAG}str", f"{_TAG}timestamp"}
"""Kept as the text written: a date-like value is still text to us."""
_ALLOWED_TAGS = _PLAIN_TAGS | _TEXT_TAGS | {f"{_TAG}seq", f"{_TAG}map"}


class ValueTree:
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
        # A value its own tag rejects: `!!int ten` (ValueError), `!!bool maybe` (KeyError),
        # an empty `!!int` (IndexError); PyYAML's constructors raise each of these.
        except (ValueError, KeyError, IndexError, yaml.YAMLError):
            written = str(node.value)
            shown = repr(written) if len(written) <= 40 else f"{written[:37]!r}..."
            self._report(path, f"{shown} does not match its tag {node.tag.replace(_TAG, '!!')}")
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
