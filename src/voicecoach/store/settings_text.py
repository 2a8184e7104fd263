"""The settings file as text: where it lives, its keys with the lines they occupy, and
writing it atomically.

The YAML is composed into nodes (never constructed into objects), so each key keeps its
first and last line for messages and for rewriting only that key's lines.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from voicecoach.errors import SettingsError
from voicecoach.script.safe_yaml import compose_limited
from voicecoach.script.text_file import FileRefused, read_capped

CONFIG_DIR_ENV = "VOICECOACH_CONFIG_DIR"
FILE_NAME = "settings.yaml"
MAX_FILE_BYTES = 64_000
"""A settings file is a few hundred bytes; one this large is the wrong file."""


def settings_path() -> Path:
    """Where the settings file lives (it need not exist)."""
    folder = os.environ.get(CONFIG_DIR_ENV)
    if not folder:
        import platformdirs  # only here: most commands never need the config directory

        folder = platformdirs.user_config_dir("voicecoach")
    return Path(folder) / FILE_NAME


@dataclass(frozen=True)
class Entry:
    """One key of the file as written, with the lines it occupies (1-based, inclusive)."""

    key: str
    text: str
    first_line: int
    last_line: int
    problem: str = ""
    """Set when the value is not something a key can take (e.g. a nested mapping)."""
    key_column: int = 1
    value_line: int = 0
    """1-based line and column where the value starts (0 for an entry made in code)."""
    value_column: int = 1


@dataclass(frozen=True)
class FileContents:
    entries: tuple[Entry, ...]
    flow_style: bool
    """The whole mapping is written as {a: 1, b: 2}: edits rewrite the file."""


def read_entries(text: str, path: Path) -> FileContents:
    """The keys of the file with their lines; SettingsError at FILE:LINE:COLUMN when it is
    not YAML, nests too deeply or uses an anchor or alias (a settings file needs none)."""
    try:
        node = compose_limited(text, refuse_aliases=True)
    except yaml.reader.ReaderError as problem:  # a NUL, BEL or other control character
        line, column = _line_column(text, problem.position)
        raise SettingsError(
            f"{path}:{line}:{column}: the settings file has the character "
            f"U+{_code(problem.character):04X}, which is not allowed in "
            f"YAML text. Remove it, or run `voicecoach settings reset --all` to start again "
            f"from the defaults (the old file is kept as {FILE_NAME}.bak)."
        ) from None
    except yaml.MarkedYAMLError as problem:
        mark, context = problem.problem_mark, problem.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        started = (
            f", in what starts on line {context.line + 1}"
            if context and mark and context.line != mark.line
            else ""
        )
        raise SettingsError(
            f"{where}: the settings file is not valid YAML ({problem.problem}{started}). "
            f"Fix that line, or run `voicecoach settings reset --all` to start again "
            f"from the defaults (the old file is kept as {FILE_NAME}.bak)."
        ) from None
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ""):
        return FileContents((), False)
    if not isinstance(node, yaml.MappingNode):
        raise SettingsError(
            f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}: the settings "
            f"file should be lines of "
            f"`key: value` (e.g. `speech_rate: 120`). Fix the file, or run "
            f"`voicecoach settings reset --all` to start again from the defaults."
        )
    entries = []
    for key_node, value_node in node.value:
        first = key_node.start_mark.line + 1
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        written = _node_text(value_node)
        not_one_value = (
            ""
            if written is not None
            else (f"{key}: expected one value after the colon (e.g. `{key}: VALUE`)")
        )
        entries.append(
            Entry(
                key,
                written or "",
                first,
                max(first, _last_line(value_node)),
                not_one_value,
                key_column=key_node.start_mark.column + 1,
                value_line=value_node.start_mark.line + 1,
                value_column=value_node.start_mark.column + 1,
            )
        )
    return FileContents(tuple(entries), bool(node.flow_style))


def _node_text(node: yaml.Node) -> str | None:
    """The value as written: a scalar's text; a list of scalars joined with commas;
    None for anything else."""
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if isinstance(node, yaml.SequenceNode) and all(
        isinstance(item, yaml.ScalarNode) for item in node.value
    ):
        return ", ".join(str(item.value) for item in node.value)
    return None


def _last_line(node: yaml.Node) -> int:
    """1-based last line a value occupies (end marks of block nodes point past comments)."""
    if not isinstance(node, yaml.CollectionNode) or node.flow_style or not node.value:
        mark = node.end_mark
        return mark.line if mark.column == 0 else mark.line + 1
    last = node.value[-1]
    return _last_line(last[1] if isinstance(last, tuple) else last)


def read_text(path: Path) -> str:
    """The file's text, read only when it is a regular file of at most MAX_FILE_BYTES."""
    try:
        data = read_capped(path, MAX_FILE_BYTES)
    except FileRefused as refused:  # a pipe, a device, megabytes: not a settings file
        raise SettingsError(
            f"{path}:1:1: the settings file {refused}. Replace it with a settings file, or "
            f"run `voicecoach settings reset --all` to start again from the defaults."
        ) from None
    except OSError as problem:  # unreadable file: say which and why
        raise SettingsError(
            f"{path}: cannot read the settings file ({problem.strerror or problem}). Check its "
            f"permissions, or run `voicecoach settings reset --all`."
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        before = data[: problem.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise SettingsError(
            f"{path}:{line}:{column}: the settings file is not UTF-8 text (byte "
            f"0x{data[problem.start]:02x}). Save it as UTF-8, or run `voicecoach settings "
            f"reset --all`."
        ) from None


def _code(character: object) -> int:
    """PyYAML gives the offending character as text, or as its code for bytes."""
    return ord(character[0]) if isinstance(character, str) and character else int(str(character))


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def yaml_scalar(shown: str) -> str:
    """`shown` as a YAML value that reads back as the same text."""
    if shown and "\n" not in shown:
        try:
            node = yaml.compose(f"k: {shown}\n", Loader=yaml.SafeLoader)
        except yaml.YAMLError:  # needs quoting
            node = None
        if (
            isinstance(node, yaml.MappingNode)
            and len(node.value) == 1
            and isinstance(node.value[0][1], yaml.ScalarNode)
            and node.value[0][1].value == shown
        ):
            return shown
    return json.dumps(shown, ensure_ascii=False)


def write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    except OSError as problem:  # a read-only or missing config directory
        raise cannot_write(path, problem) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as problem:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(problem, OSError):  # disk full, permissions: say so, keep the old file
            raise cannot_write(path, problem) from None
        raise


def cannot_write(path: Path, problem: OSError) -> SettingsError:
    return SettingsError(
        f"{path}: cannot write the settings file ({problem.strerror or problem}); nothing "
        f"was changed. Check that the folder exists and is writable, or set "
        f"{CONFIG_DIR_ENV} to another folder."
    )
