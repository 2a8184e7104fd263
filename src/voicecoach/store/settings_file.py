"""The settings file: one table of flat keys, read once, written one key at a time.

The file is YAML at `user_config_dir("voicecoach")/settings.yaml` (the environment variable
VOICECOACH_CONFIG_DIR names another directory, for tests and portable installs):

    speech_rate: 120
    count_style: beeps
    personal_words.stop: halt, enough

Every key is a row of `SETTING_KEYS` (plus `personal_words.<command>` and
`removed_words.<command>`): the Settings field it sets, the values it allows, what it means
and its parser. The file and command-line overrides go through the same parsers: each gets
the text as written (a YAML list is accepted for word lists), so "120" from the command line
and `120` in the file mean the same thing.

Some checks run only when a value is set (`save_setting`), because they depend on this
computer or on what could be misheard, and a file that loaded yesterday should still load:
the voice must be installed, model_path must hold a speech model, and a personal word may
not sound like another command's words. At play time a missing voice or model falls back
(default voice, keyboard) with a note.

Writes validate the whole resulting file first and write nothing when anything is wrong;
they replace only the lines of the key being changed, so comments and other keys stay, and
the new file replaces the old one atomically (temporary file + os.replace).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from voicecoach.config.settings import Settings
from voicecoach.errors import ModelError, SettingsError
from voicecoach.session.vocabulary import (
    NUMBER_WORDS,
    SCORE_ANSWERS,
    Command,
    Meaning,
    Vocabulary,
    meaning_of,
    normalise,
)

CONFIG_DIR_ENV = "VOICECOACH_CONFIG_DIR"
FILE_NAME = "settings.yaml"
PERSONAL_WORDS = "personal_words"
REMOVED_WORDS = "removed_words"

_HEADER = (
    "# voicecoach settings. `voicecoach settings` lists every key with its allowed values;\n"
    "# `voicecoach settings set KEY VALUE` changes one and checks it first.\n"
)


def settings_path() -> Path:
    """Where the settings file lives (it need not exist)."""
    folder = os.environ.get(CONFIG_DIR_ENV)
    if not folder:
        import platformdirs  # only here: most commands never need the config directory

        folder = platformdirs.user_config_dir("voicecoach")
    return Path(folder) / FILE_NAME


# ---------------------------------------------------------------- the table


class _Invalid(Exception):
    """A value a parser refuses; the message says why, e.g. "'fast' is not a number"."""


Parser = Callable[[str], Any]


@dataclass(frozen=True)
class SettingKey:
    """One flat key of the settings file."""

    name: str
    field: tuple[str, ...]
    """Path to the Settings field it sets, e.g. ("speech", "rate")."""
    allowed: str
    """The values it takes, in words: completes "expected ..."."""
    meaning: str
    parse: Parser
    show: Callable[[Any], str]
    """The value as it is shown and written back to the file."""
    check_new: Callable[[Any], None] | None = None
    """A check run only when the value is set (see the module docstring); raises _Invalid
    with the whole message, fix included."""

    def value_in(self, settings: Settings) -> Any:
        value: Any = settings
        for part in self.field:
            value = value.get(part, ()) if isinstance(value, dict) else getattr(value, part)
        return value

    def shown_in(self, settings: Settings) -> str:
        return self.show(self.value_in(settings))

    def parse_text(self, text: str) -> Any:
        """The parsed value, or SettingsError naming the key and what it allows."""
        try:
            return self.parse(text)
        except _Invalid as problem:
            raise SettingsError(f"{self.name}: {problem} (expected {self.allowed})") from None

    def check_new_value(self, value: Any) -> None:
        """SettingsError when a value about to be saved fails `check_new`."""
        if self.check_new is None:
            return
        try:
            self.check_new(value)
        except _Invalid as problem:
            raise SettingsError(f"{self.name}: {problem}") from None


def _whole(low: int, high: int) -> Parser:
    def parse(text: str) -> int:
        word = text.strip()
        try:
            number = float(word)
        except ValueError:
            raise _Invalid(f"{text!r} is not a number") from None
        if not number.is_integer():
            raise _Invalid(f"{text!r} is not a whole number")
        return int(_in_range(int(number), low, high, word))

    return parse


def _number(low: float, high: float) -> Parser:
    def parse(text: str) -> float:
        try:
            number = float(text.strip())
        except ValueError:
            raise _Invalid(f"{text!r} is not a number") from None
        if not math.isfinite(number):
            raise _Invalid(f"{text!r} is not a number")
        return float(_in_range(number, low, high, text.strip()))

    return parse


def _in_range(number: float, low: float, high: float, written: str) -> float:
    if number < low:
        raise _Invalid(f"{written} is too low")
    if number > high:
        raise _Invalid(f"{written} is too high")
    return number


def _choice(*options: str, none_word: str | None = None) -> Parser:
    """One of `options`; `none_word` (e.g. "ask") stands for None."""

    def parse(text: str) -> str | None:
        word = text.strip().lower()
        if none_word is not None and word == none_word:
            return None
        if word in options:
            return word
        raise _Invalid(f"{text!r} is not one of the choices")

    return parse


_ON = {"on", "yes", "true", "1"}
_OFF = {"off", "no", "false", "0"}


def _switch(text: str) -> bool:
    word = text.strip().lower()
    if word in _ON:
        return True
    if word in _OFF:
        return False
    raise _Invalid(f"{text!r} is neither on nor off")


def _name_or(default_word: str) -> Parser:
    """Free text (a voice, a device number or name), or `default_word` for None."""

    def parse(text: str) -> str | None:
        word = text.strip()
        if word.lower() in ("", default_word):
            return None
        return word

    return parse


def _path_or_auto(text: str) -> str | None:
    word = text.strip()
    if word.lower() in ("", "auto"):
        return None
    return str(Path(word).expanduser())


def _voice_installed(voice: str | None) -> None:
    if voice is None:
        return
    from voicecoach.speech.synth import UnknownVoiceError, installed_voices, resolve_voice

    try:
        resolve_voice(voice, installed_voices())
    except UnknownVoiceError as error:
        raise _Invalid(f"{voice!r} is not installed on this computer. Fix: {error.fix}") from None


def _holds_a_model(folder: str | None) -> None:
    if folder is None:
        return
    from voicecoach.store.models import check_model_folder

    try:
        check_model_folder(folder)
    except ModelError as error:
        raise _Invalid(
            f"{error}. Fix: name the folder that holds the model (`voicecoach model where "
            f"--model PATH` checks one), get one with `voicecoach model download`, or use "
            f"`voicecoach settings set model_path auto` to search the usual places."
        ) from None


# Letters that Unicode does not split into a plain letter and an accent.
_OWN_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
)


def _plain_letters(text: str) -> str:
    """Accented letters as plain ones ("Ünïcode" -> "unicode"), lower case."""
    split = unicodedata.normalize("NFKD", text.lower().translate(_OWN_LETTERS))
    return "".join(c for c in split if not unicodedata.combining(c))


def _words(text: str) -> tuple[str, ...]:
    """Comma-separated words as the recogniser spells them: letters a to z, apostrophes
    and spaces (accents dropped, hyphens and other punctuation become spaces)."""
    words = []
    for part in text.split(","):
        plain = _plain_letters(part)
        if any(c.isdigit() for c in plain):
            raise _Invalid(
                f"{part.strip()!r} has a number in it, and the recogniser hears words, not "
                f"digits: write numbers as words, e.g. 'seven' for 7"
            )
        foreign = sorted({c for c in plain if c.isalpha() and not ("a" <= c <= "z")})
        if foreign:
            raise _Invalid(
                f"{part.strip()!r} has letters the recogniser cannot spell "
                f"({''.join(foreign)}): write the word with the letters a to z"
            )
        word = normalise(plain)
        if word:
            words.append(word)
    if not words:
        raise _Invalid("no words given")
    return tuple(words)


def _show_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if value.is_integer() else f"{value:g}"
    return str(value)


def _show_switch(value: Any) -> str:
    return "on" if value else "off"


def _show_or(none_word: str) -> Callable[[Any], str]:
    return lambda value: none_word if value is None else str(value)


def _show_words(value: Any) -> str:
    return ", ".join(value) if value else "(none)"


def _key(
    name: str,
    field: str,
    allowed: str,
    meaning: str,
    parse: Parser,
    show: Callable[[Any], str],
    check_new: Callable[[Any], None] | None = None,
) -> SettingKey:
    return SettingKey(name, tuple(field.split(".")), allowed, meaning, parse, show, check_new)


SETTING_KEYS: tuple[SettingKey, ...] = (
    _key(
        "voice",
        "speech.voice",
        'a voice name or id on this computer, or "default"',
        'Text-to-speech voice; "default" is the system voice.',
        _name_or("default"),
        _show_or("default"),
        check_new=_voice_installed,
    ),
    _key(
        "speech_rate",
        "speech.rate",
        "words per minute from 80 to 220",
        "Speaking rate in words per minute.",
        _whole(80, 220),
        _show_number,
    ),
    _key(
        "volume",
        "speech.volume",
        "a number from 0.1 to 1.0",
        "Speech volume: 1.0 is the loudest.",
        _number(0.1, 1.0),
        _show_number,
    ),
    _key(
        "count_style",
        "session.count_style",
        "numbers or beeps",
        "How holds are counted: spoken numbers or beeps.",
        _choice("numbers", "beeps"),
        str,
    ),
    _key(
        "sentence_pause",
        "session.sentence_pause",
        "seconds from 0 to 3",
        "Seconds of quiet after each spoken sentence.",
        _number(0, 3),
        _show_number,
    ),
    _key(
        "default_position",
        "default_position",
        "bed, chair or ask",
        'Where you exercise, so the session does not ask at the start; "ask" to be asked.',
        _choice("bed", "chair", none_word="ask"),
        _show_or("ask"),
    ),
    _key(
        "pain_green_max",
        "session.pain_zones.green_max",
        "a pain score from 0 to 8, below pain_amber_max",
        "Highest pain score that is green: fine to carry on gently.",
        _whole(0, 8),
        _show_number,
    ),
    _key(
        "pain_amber_max",
        "session.pain_zones.amber_max",
        "a pain score from 1 to 9, above pain_green_max",
        "Highest pain score that is amber: switch to the easier variant. Above it is red.",
        _whole(1, 9),
        _show_number,
    ),
    _key(
        "rest_seconds",
        "session.rest_seconds",
        "seconds from 10 to 600",
        'Length of a rest asked for with "rest" or "I\'m tired".',
        _whole(10, 600),
        _show_number,
    ),
    _key(
        "more_rest_seconds",
        "session.more_rest_seconds",
        "seconds from 10 to 300",
        'Seconds added by "more rest".',
        _whole(10, 300),
        _show_number,
    ),
    _key(
        "extra_rest_between_sets",
        "session.extra_rest_between_sets",
        "seconds from 0 to 300",
        "Seconds added to every rest between sets, exercises and holds (fatigue pacing).",
        _whole(0, 300),
        _show_number,
    ),
    _key(
        "rest_between_exercises",
        "session.rest_between_exercises",
        "seconds from 0 to 600",
        "Seconds of rest after each exercise, before the next one.",
        _whole(0, 600),
        _show_number,
    ),
    _key(
        "pace",
        "session.pace",
        "a number from 0.5 to 3.0",
        "Tempo multiplier for counted reps: 1.5 is a gentler pace.",
        _number(0.5, 3.0),
        _show_number,
    ),
    _key(
        "heat_note",
        "session.heat_note",
        "on or off",
        "Say a short note about heat and fatigue in the introduction.",
        _switch,
        _show_switch,
    ),
    _key(
        "answer_timeout",
        "session.answer_timeout",
        "seconds from 5 to 120",
        "Seconds to wait for an answer before asking again once.",
        _number(5, 120),
        _show_number,
    ),
    _key(
        "ask_pain_scores",
        "session.ask_pain_scores",
        "on or off",
        "Ask for a 0-10 pain score at the start and end of each session.",
        _switch,
        _show_switch,
    ),
    _key(
        "input_device",
        "audio.input_device",
        'a device number, part of its name, or "default"',
        "Microphone to listen with.",
        _name_or("default"),
        _show_or("default"),
    ),
    _key(
        "output_device",
        "audio.output_device",
        'a device number, part of its name, or "default"',
        "Speaker to talk through.",
        _name_or("default"),
        _show_or("default"),
    ),
    _key(
        "engine",
        "recognition.engine",
        "auto, kws or vosk",
        'Speech recogniser: "auto" picks the best one installed, "kws" the keyword '
        'spotter, "vosk" the Vosk grammar recogniser.',
        _choice("auto", "kws", "vosk"),
        str,
    ),
    _key(
        "model_path",
        "recognition.model_path",
        'a model directory, or "auto"',
        'A recogniser model directory to use instead of searching; "auto" to search.',
        _path_or_auto,
        _show_or("auto"),
        check_new=_holds_a_model,
    ),
)

WORD_KEY_ALLOWED = {
    PERSONAL_WORDS: 'words separated by commas, e.g. "halt, enough"',
    REMOVED_WORDS: "words separated by commas, from that command's own words",
}
WORD_KEY_MEANINGS = {
    PERSONAL_WORDS: "Extra words you use for a command or answer, e.g. "
    'personal_words.stop "halt, enough".',
    REMOVED_WORDS: 'Words the player should stop listening for, e.g. removed_words.skip "next".',
}

_BY_NAME = {key.name: key for key in SETTING_KEYS}


def word_key_name(family: str, meaning: Meaning) -> str:
    """The settings key for a command's word list, e.g. personal_words.more_rest."""
    if meaning in SCORE_ANSWERS:
        word = NUMBER_WORDS[int(meaning.value)]
    else:
        word = str(meaning.value).replace(" ", "_")
    return f"{family}.{word}"


def all_key_names() -> list[str]:
    """Every fixed key plus the two word-list patterns, in table order."""
    return [key.name for key in SETTING_KEYS] + [f"{f}.<command>" for f in WORD_KEY_ALLOWED]


def find_key(name: str) -> SettingKey:
    """The table row for `name`; an unknown name raises SettingsError with the nearest ones."""
    canonical = name.strip().lower().replace("-", "_")
    if canonical in _BY_NAME:
        return _BY_NAME[canonical]
    family, dot, rest = canonical.partition(".")
    if not dot and family in WORD_KEY_ALLOWED:
        raise SettingsError(
            f"{name}: name the command after a dot, one key per command, e.g. "
            f"`{family}.stop: halt, enough`"
        )
    if dot and family in WORD_KEY_ALLOWED:
        meaning = meaning_of(rest)
        if meaning is None:
            raise SettingsError(
                f"{name}: {rest!r} is not a command or answer (known: {_known_words()})"
            )
        return _word_key(family, meaning)
    raise SettingsError(f"{name}: there is no such setting. {_nearest_hint(canonical)}")


def _word_key(family: str, meaning: Meaning) -> SettingKey:
    def parse(text: str) -> tuple[str, ...]:
        words = _words(text)
        if family == REMOVED_WORDS:
            _check_removable(meaning, words)
        return words

    return SettingKey(
        name=word_key_name(family, meaning),
        field=("recognition", family, str(meaning.value)),
        allowed=WORD_KEY_ALLOWED[family],
        meaning=WORD_KEY_MEANINGS[family],
        parse=parse,
        show=_show_words,
    )


def _check_removable(meaning: Meaning, words: Iterable[str]) -> None:
    own = Vocabulary().words_for(meaning)
    for word in words:
        if word == own[0]:
            raise _Invalid(
                f"{word!r} is the main word for {own[0]} and cannot be removed"
                + (f"; remove one of {', '.join(own[1:])} instead" if len(own) > 1 else "")
            )
        if word not in own:
            raise _Invalid(f"{word!r} is not one of the words for {own[0]} ({', '.join(own)})")


def _known_words() -> str:
    names = [c.value.replace(" ", "_") for c in Command]
    return ", ".join([*names, "yes", "no", "done", "bed", "chair", "zero ... ten"])


def _nearest_hint(name: str) -> str:
    names = [key.name for key in SETTING_KEYS] + list(WORD_KEY_ALLOWED)
    near = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if near:
        return f"Did you mean: {', '.join(near)}? (`voicecoach settings` lists every key)"
    return f"The keys are: {', '.join(all_key_names())}."


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Entry:
    """One key of the file as written, with the lines it occupies (1-based, inclusive)."""

    key: str
    text: str
    first_line: int
    last_line: int
    problem: str = ""
    """Set when the value is not something a key can take (e.g. a nested mapping)."""


@dataclass(frozen=True)
class _FileContents:
    entries: tuple[_Entry, ...]
    flow_style: bool
    """The whole mapping is written as {a: 1, b: 2}: edits rewrite the file."""


def _read_entries(text: str, path: Path) -> _FileContents:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
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
    finally:
        loader.dispose()
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ""):
        return _FileContents((), False)
    if not isinstance(node, yaml.MappingNode):
        raise SettingsError(
            f"{path}:{node.start_mark.line + 1}: the settings file should be lines of "
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
            _Entry(key, written or "", first, max(first, _last_line(value_node)), not_one_value)
        )
    return _FileContents(tuple(entries), bool(node.flow_style))


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


@dataclass
class _Values:
    """Parsed values by key name, where each came from, and every problem found."""

    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    where: dict[str, str] = dataclasses.field(default_factory=dict)
    problems: list[str] = dataclasses.field(default_factory=list)

    def add(self, name: str, text: str, where: str) -> None:
        try:
            key = find_key(name)
            self.values[key.name] = key.parse_text(text)
            self.where[key.name] = where
        except SettingsError as problem:
            self.problems.append(f"{_at(where)}{problem}")


def _at(where: str) -> str:
    """The "FILE:LINE: " prefix of a problem; empty for the value being set right now."""
    return f"{where}: " if where else ""


def _values_from_file(contents: _FileContents, path: Path, changed: str = "") -> _Values:
    found = _Values()
    seen: dict[str, str] = {}
    for entry in contents.entries:
        name = _canonical(entry.key)
        where = "" if name == changed else f"{path}:{entry.first_line}"
        if name in seen:
            found.problems.append(f"{_at(where)}{name}: set twice (also at {seen[name]}); keep one")
            continue
        seen[name] = where or "the new value"
        if entry.problem and _is_known(entry.key):
            found.problems.append(f"{_at(where)}{entry.problem}")
            continue
        found.add(entry.key, entry.text, where)
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
    found.problems.extend(_word_problems(settings, found, changed))
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


def _word_problems(settings: Settings, found: _Values, changed: str | None) -> list[str]:
    """A personal word may not already mean something else; the key being set is checked
    last so that it takes the blame for a clash, and may not sound like another meaning's
    words either (see _sounds_like)."""
    recognition = settings.recognition
    base = Vocabulary().with_personal_words({}, recognition.removed_words)
    owner: dict[str, str] = {}
    problems = []
    lists = [
        (word_key_name(PERSONAL_WORDS, _known_meaning(main)), _known_meaning(main), words)
        for main, words in recognition.personal_words.items()
    ]
    for name, meaning, words in sorted(lists, key=lambda item: item[0] == changed):
        for word in words:
            already = base.lookup(word)
            other = owner.get(word)
            if already is not None and already != meaning:
                problems.append(
                    f"{_at(found.where[name])}{name}: {word!r} already means "
                    f"{base.main_word(already)}; choose another word"
                )
            elif other is not None and other != name:
                problems.append(
                    f"{_at(found.where[name])}{name}: {word!r} is also in {other}; "
                    f"a word can mean only one thing"
                )
            elif name == changed:
                problems.extend(_sound_alike_problems(name, meaning, word, settings))
            owner[word] = name
    return problems


def _sound_alike_problems(name: str, meaning: Meaning, word: str, settings: Settings) -> list[str]:
    vocabulary = vocabulary_for(settings)
    for phrase in vocabulary.phrases:
        if phrase.meaning == meaning:
            continue
        heard = _sounds_like(word, phrase.text)
        if heard is not None:
            within = "" if heard == phrase.text else f" in {phrase.text!r}"
            return [
                f"{name}: {word!r} sounds too like {heard!r}{within}, which means "
                f"{vocabulary.main_word(phrase.meaning)}: words that are the same or start "
                f"with the same three letters can be heard as each other. Choose a word "
                f"that starts differently."
            ]
    return []


def _sounds_like(mine: str, theirs: str) -> str | None:
    """The words of one phrase that the other could be heard as, or None.

    Two words sound alike when they are the same, or both have three letters or more and
    start with the same three ("easy", "easier"). The shorter phrase is compared with every
    run of as many words in the longer one, so "go away" sounds like "go"."""
    mine_words, their_words = mine.split(), theirs.split()
    inside_theirs = len(mine_words) <= len(their_words)
    short, long = (mine_words, their_words) if inside_theirs else (their_words, mine_words)
    for start in range(len(long) - len(short) + 1):
        run = long[start : start + len(short)]
        if all(_words_alike(a, b) for a, b in zip(short, run, strict=True)):
            return " ".join(run) if inside_theirs else theirs
    return None


def _words_alike(one: str, other: str) -> bool:
    return one == other or (min(len(one), len(other)) >= 3 and one[:3] == other[:3])


def _known_meaning(main: str) -> Meaning:
    meaning = meaning_of(main)
    assert meaning is not None  # word-list keys were checked by find_key when parsed
    return meaning


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
        found = _values_from_file(_read_entries(_read_text(path), path), path)
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


def vocabulary_for(settings: Settings) -> Vocabulary:
    """The phrase table with this person's added and removed words."""
    recognition = settings.recognition
    return Vocabulary().with_personal_words(recognition.personal_words, recognition.removed_words)


def save_setting(name: str, value: str, path: Path | None = None) -> str:
    """Check `value` for key `name`, then write it; returns the value as it is now shown.

    Nothing is written when the value, or the file it would make, is invalid.
    """
    path = path or settings_path()
    key = find_key(name)
    parsed = key.parse_text(value)
    key.check_new_value(parsed)
    shown = key.show(parsed)
    _rewrite(path, key.name, f"{key.name}: {_yaml_scalar(shown)}")
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
        raise _cannot_write(backup, problem) from None
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
        keys = [_word_key(family, _known_meaning(main)) for main in words]
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


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:  # unreadable file: say which and why
        raise SettingsError(
            f"{path}: cannot read the settings file ({problem}). Check its permissions, or "
            f"run `voicecoach settings reset --all`."
        ) from None


def _yaml_scalar(shown: str) -> str:
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


def _rewrite(path: Path, name: str, line: str | None) -> None:
    """Replace key `name`'s lines with `line` (None removes it), check, then write."""
    old = _read_text(path) if path.exists() else ""
    contents = _read_entries(old, path)
    mine = [e for e in contents.entries if _canonical(e.key) == name]
    if contents.flow_style:
        kept = [f"{e.key}: {_yaml_scalar(e.text)}" for e in contents.entries if e not in mine]
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
    found = _values_from_file(_read_entries(new, path), path, changed=name)
    _settings_from(found, path, changed=name)
    _write_atomically(path, new)


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


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    except OSError as problem:  # a read-only or missing config directory
        raise _cannot_write(path, problem) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as problem:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(problem, OSError):  # disk full, permissions: say so, keep the old file
            raise _cannot_write(path, problem) from None
        raise


def _cannot_write(path: Path, problem: OSError) -> SettingsError:
    return SettingsError(
        f"{path}: cannot write the settings file ({problem.strerror or problem}); nothing "
        f"was changed. Check that the folder exists and is writable, or set "
        f"{CONFIG_DIR_ENV} to another folder."
    )


__all__ = [
    "CONFIG_DIR_ENV",
    "SETTING_KEYS",
    "KeyReport",
    "SettingKey",
    "all_key_names",
    "describe_settings",
    "find_key",
    "load_settings",
    "parse_assignments",
    "reset_all",
    "reset_setting",
    "save_setting",
    "settings_path",
    "vocabulary_for",
    "word_key_name",
]
