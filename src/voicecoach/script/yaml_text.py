"""YAML text to nodes: PyYAML's syntax errors, tabs and bad characters reworded for people.

The text is composed by PyYAML's SafeLoader into nodes (which carry line and column), with
the limits of safe_yaml.py (nesting depth, alias expansion); no object is constructed here.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from yaml.nodes import Node

from voicecoach.script.problem import Problem
from voicecoach.script.safe_yaml import MAX_ALIAS_VALUES, compose_limited, expanded_size

_SYNTAX_HINTS = (
    # (part of PyYAML's problem text, what to do)
    ("mapping values are not allowed", 'check the indentation; put text with ": " in quotes'),
    ("could not find expected ':'", 'write each key with a colon after it, like "reps: 10"'),
    ("expected <block end>", "line up the keys of a mapping, and the dashes of a list, exactly"),
    ("did not find expected key", "line up the keys of a mapping exactly"),
    ("did not find expected '-'", "line up the dashes of a list exactly"),
    ("found undefined alias", "define the anchor (&name) before using it (*name)"),
    ("nested too deeply", "a script needs only a few levels of lists and mappings"),
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


def compose(text: str, file: str) -> tuple[Node | None, list[Problem]]:
    """The root node (None for an empty document), or the problems of YAML syntax."""
    try:
        root = compose_limited(text)
    except yaml.MarkedYAMLError as error:
        return None, list(_syntax_problems(text, file, error))
    except yaml.reader.ReaderError as error:
        line, column = _line_column(text, error.position)
        message = (
            f"character {_character_name(error.character)} is not allowed in YAML text "
            "(expected printable characters only; remove it)"
        )
        return None, [Problem(file, line, column, "YAML syntax", message)]
    if root is None:
        return None, []
    written, expanded = expanded_size(root)
    if expanded - written > MAX_ALIAS_VALUES:
        line, column = root.start_mark.line + 1, root.start_mark.column + 1
        message = (
            f"the aliases (*name) would repeat {expanded - written} values, more than "
            f"{MAX_ALIAS_VALUES} (expected an alias to repeat a value a few times; write "
            "the values out)"
        )
        return None, [Problem(file, line, column, "YAML aliases", message)]
    return root, []


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


def encoding_problem(file: str, data: bytes, error: UnicodeDecodeError) -> Problem:
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
