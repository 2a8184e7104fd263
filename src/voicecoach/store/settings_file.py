"""The settings file: one table of flat keys, read once, written one key at a time.

The file is YAML at `user_config_dir("voicecoach")/settings.yaml` (the environment variable
VOICECOACH_CONFIG_DIR names another directory, for tests and portable installs):

    speech_rate: 120
    count_style: beeps
    personal_words.stop: halt, enough

Every key is a row of `SETTING_KEYS` (voicecoach.config.keys, with its parsers in
voicecoach.config.parsers), plus `personal_words.<command>` and `removed_words.<command>`
(word_keys.py): the Settings field it sets, the values it allows, what it means and its
parser. The file and command-line overrides go through the same parsers: each gets
the text as written (a YAML list is accepted for word lists), so "120" from the command line
and `120` in the file mean the same thing.

Some checks run only when a value is set (`save_setting`), because they depend on this
computer or on what could be misheard, and a file that loaded yesterday should still load:
the voice must be installed, model_path must hold a speech model, and a personal word may
not sound like another command's words (setting_checks.py, word_keys.py). At play time a
missing voice or model falls back (default voice, keyboard) with a note.

Writes validate the whole resulting file first and write nothing when anything is wrong;
they replace only the lines of the key being changed, so comments and other keys stay, and
the new file replaces the old one atomically (temporary file + os.replace; the text of the
file, key by key with its lines, is settings_text.py).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecoach.config.keys import SETTING_KEYS, WORD_KEY_ALLOWED, WORD_KEY_MEANINGS
from voicecoach.config.settings import Settings
from voicecoach.errors import SettingsError
from voicecoach.store.setting_checks import check_new_value
from voicecoach.store.settings_text import (
    CONFIG_DIR_ENV,
    FileContents,
    cannot_write,
    read_entries,
    read_text,
    settings_path,
    write_atomically,
    yaml_scalar,
)
from voicecoach.store.word_keys import (
    all_key_names,
    find_key,
    known_meaning,
    word_key,
    word_key_name,
    word_problems,
)

_HEADER = (
    "# voicecoach settings. `voicecoach settings` lists every key with its allowed values;\n"
    "# `voicecoach settings set KEY VALUE` changes one and checks it first.\n"
)


# ---------------------------------------------------------------- reading


@dataclass
class _Values:
    """Parsed values by key name, where each came from, and every problem found."""

    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    where: dict[str, str] = dataclasses.field(default_factory=dict)
    problems: list[str] = dataclasses.field(default_factory=list)

    def add(self, name: str, text: str, where: str, key_where: str | None = None) -> None:
        """Parse `text` for key `name`; a problem with the key is placed at `key_where`
        (default `where`), one with the value at `where`."""
        try:
            key = find_key(name)
        except SettingsError as problem:
            self.problems.append(f"{_at(where if key_where is None else key_where)}{problem}")
            return
        try:
            self.values[key.name] = key.parse_text(text)
            self.where[key.name] = where
        except SettingsError as problem:
            self.problems.append(f"{_at(where)}{problem}")


def _at(where: str) -> str:
    """The "FILE:LINE:COLUMN: " prefix of a problem; empty for the value being set now."""
    return f"{where}: " if where else ""


def _values_from_file(contents: FileContents, path: Path, changed: str = "") -> _Values:
    found = _Values()
    seen: dict[str, str] = {}
    for entry in contents.entries:
        name = _canonical(entry.key)
        mine = name == changed
        at_key = "" if mine else f"{path}:{entry.first_line}:{entry.key_column}"
        where = "" if mine else f"{path}:{entry.value_line}:{entry.value_column}"
        if name in seen:
            found.problems.append(
                f"{_at(at_key)}{name}: set twice (also at {seen[name]}); keep one"
            )
            continue
        seen[name] = at_key or "the new value"
        if entry.problem and _is_known(entry.key):
            found.problems.append(f"{_at(where)}{entry.problem}")
            continue
        found.add(entry.key, entry.text, where, key_where=at_key)
    return found


def _fix_hint(found: _Values, path: Path) -> str:
    if any(p.startswith(str(path)) for p in found.problems):
        return (
            f"Fix: edit {path}, or run `voicecoach settings set KEY VALUE` "
            f"or `voicecoach settings reset KEY`."
        )
    return ""


def _settings_from(found: _Values, path: Path, changed: str | None = None) -> Settings:
    """Settings from parsed values, after the checks that involve two keys; `changed` is
    the key being set, which takes the blame when two keys disagree."""
    settings = Settings()
    for name, value in found.values.items():
        settings = _replaced(settings, find_key(name).field, value)
    found.problems.extend(_pain_problems(settings, found, changed))
    found.problems.extend(word_problems(settings.recognition, found.where, changed))
    if found.problems:
        hint = _fix_hint(found, path)
        raise SettingsError("\n".join([*found.problems, *([hint] if hint else [])]))
    return settings


def _replaced(obj: Any, field: Sequence[str], value: Any) -> Any:
    """A copy of the frozen `obj` with the field at `field` set to `value`."""
    head, *rest = field
    if isinstance(obj, dict):
        return {**obj, head: value}
    inner = _replaced(getattr(obj, head), rest, value) if rest else value
    return dataclasses.replace(obj, **{head: inner})


_PAIN_KEYS = ("pain_green_max", "pain_amber_max")


def _pain_problems(settings: Settings, found: _Values, changed: str | None) -> list[str]:
    zones = settings.session.pain_zones
    if zones.green_max < zones.amber_max:
        return []
    # One of the two was set (the defaults agree); blame the change, else green.
    if changed in _PAIN_KEYS:
        blame = str(changed)
    else:
        blame = "pain_green_max" if "pain_green_max" in found.where else "pain_amber_max"
    if blame == "pain_green_max":
        text = (
            f"{zones.green_max} must be below pain_amber_max ({zones.amber_max}); "
            f"raise pain_amber_max first"
        )
    else:
        text = (
            f"{zones.amber_max} must be above pain_green_max ({zones.green_max}); "
            f"lower pain_green_max first"
        )
    return [f"{_at(found.where[blame])}{blame}: {text}"]


# ---------------------------------------------------------------- public API


def load_settings(path: Path | None = None, overrides: Mapping[str, str] | None = None) -> Settings:
    """Settings from the file (if it exists) with command-line `overrides` on top.

    Overrides are key -> text, parsed exactly as the file's values. Every problem is
    reported at once in one SettingsError naming the file and line (or the command line),
    the key, what it allows and how to fix it.
    """
    path = path or settings_path()
    found = _Values()
    if path.exists():
        found = _values_from_file(read_entries(read_text(path), path), path)
    for name, text in (overrides or {}).items():
        found.add(name, text, "on the command line")
    return _settings_from(found, path)


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """Command-line overrides written as KEY=VALUE (e.g. `--set speech_rate=120`)."""
    overrides = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise SettingsError(f"{item!r}: write a setting as KEY=VALUE, e.g. speech_rate=120")
        overrides[name.strip()] = value
    return overrides


def save_setting(name: str, value: str, path: Path | None = None) -> str:
    """Check `value` for key `name`, then write it; returns the value as it is now shown.

    Nothing is written when the value, or the file it would make, is invalid.
    """
    path = path or settings_path()
    key = find_key(name)
    parsed = key.parse_text(value)
    check_new_value(key, parsed)
    shown = key.show(parsed)
    _rewrite(path, key.name, f"{key.name}: {yaml_scalar(shown)}")
    return shown


def reset_setting(name: str, path: Path | None = None) -> str:
    """Remove key `name` from the file so its default applies; returns the default shown."""
    path = path or settings_path()
    key = find_key(name)
    if path.exists():
        _rewrite(path, key.name, None)
    return key.shown_in(Settings())


def reset_all(path: Path | None = None) -> Path | None:
    """Move the settings file aside (to settings.yaml.bak) so every default applies.

    Returns where the old file went, or None when there was none."""
    path = path or settings_path()
    if not path.exists():
        return None
    backup = path.with_name(path.name + ".bak")
    try:
        os.replace(path, backup)
    except OSError as problem:  # e.g. a read-only folder
        raise cannot_write(backup, problem) from None
    return backup


@dataclass(frozen=True)
class KeyReport:
    """One line of `voicecoach settings`."""

    key: str
    value: str
    default: str
    allowed: str
    meaning: str
    changed: bool


def describe_settings(path: Path | None = None) -> list[KeyReport]:
    """Every key with its current value (from the file), default, allowed values and meaning.

    Word-list keys appear once as a pattern, then once per command that has words set."""
    path = path or settings_path()
    current = load_settings(path)
    default = Settings()
    reports = []
    for key in SETTING_KEYS:
        value, initial = key.shown_in(current), key.shown_in(default)
        reports.append(
            KeyReport(key.name, value, initial, key.allowed, key.meaning, value != initial)
        )
    for family in WORD_KEY_ALLOWED:
        words: dict[str, tuple[str, ...]] = getattr(current.recognition, family)
        keys = [word_key(family, known_meaning(main)) for main in words]
        listed = ", ".join(k.name for k in keys)
        reports.append(
            KeyReport(
                f"{family}.<command>",
                f"see {listed}" if keys else "(none)",
                "(none)",
                WORD_KEY_ALLOWED[family],
                WORD_KEY_MEANINGS[family],
                bool(keys),
            )
        )
        for key in keys:
            reports.append(
                KeyReport(key.name, key.shown_in(current), "(none)", key.allowed, key.meaning, True)
            )
    return reports


# ---------------------------------------------------------------- writing


def _rewrite(path: Path, name: str, line: str | None) -> None:
    """Replace key `name`'s lines with `line` (None removes it), check, then write."""
    old = read_text(path) if path.exists() else ""
    contents = read_entries(old, path)
    mine = [e for e in contents.entries if _canonical(e.key) == name]
    if contents.flow_style:
        kept = [f"{e.key}: {yaml_scalar(e.text)}" for e in contents.entries if e not in mine]
        new = _HEADER + "".join(f"{k}\n" for k in [*kept, *([line] if line else [])])
    else:
        lines = old.splitlines(keepends=True) if old else [_HEADER]
        drop = {n for e in mine for n in range(e.first_line, e.last_line + 1)}
        at = mine[0].first_line - 1 if mine else len(lines)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        new_lines = [text for n, text in enumerate(lines, start=1) if n not in drop]
        if line is not None:
            new_lines.insert(min(at, len(new_lines)), line + "\n")
        new = "".join(new_lines)
    # Check the whole new file, so a write can never leave a file that does not load.
    found = _values_from_file(read_entries(new, path), path, changed=name)
    _settings_from(found, path, changed=name)
    write_atomically(path, new)


def _is_known(name: str) -> bool:
    try:
        find_key(name)
    except SettingsError:  # the caller reports unknown keys its own way
        return False
    return True


def _canonical(name: str) -> str:
    """The key's table name; an unknown name comes back exactly as given."""
    try:
        return find_key(name).name
    except SettingsError:  # unknown: reported where the value is parsed
        return name


__all__ = [
    "CONFIG_DIR_ENV",
    "SETTING_KEYS",
    "KeyReport",
    "all_key_names",
    "describe_settings",
    "find_key",
    "load_settings",
    "parse_assignments",
    "reset_all",
    "reset_setting",
    "save_setting",
    "settings_path",
    "word_key_name",
]
