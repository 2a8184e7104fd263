"""The table of settings keys: data, with the parser and the shown form of each.

The settings file has flat keys (`speech_rate: 120`), each a row of `SETTING_KEYS`: the
Settings field it sets, the values it allows (in words), what it means, its parser and how
its value is shown. Two families of keys hold word lists, one key per command:
`personal_words.<command>` and `removed_words.<command>`; their rows are made from the
vocabulary (voicecoach.store.word_keys), which sits above this package.

Reading and writing the file is voicecoach.store.settings_file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voicecoach.config.parsers import (
    InvalidValue,
    Parser,
    Show,
    choice,
    name_or,
    number,
    path_or_auto,
    show_number,
    show_or,
    show_switch,
    switch,
    whole,
)
from voicecoach.config.settings import Settings
from voicecoach.errors import SettingsError

PERSONAL_WORDS = "personal_words"
REMOVED_WORDS = "removed_words"


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
    show: Show
    """The value as it is shown and written back to the file."""

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
        except InvalidValue as problem:
            raise SettingsError(f"{self.name}: {problem} (expected {self.allowed})") from None


def key(name: str, field: str, allowed: str, meaning: str, parse: Parser, show: Show) -> SettingKey:
    return SettingKey(name, tuple(field.split(".")), allowed, meaning, parse, show)


SETTING_KEYS: tuple[SettingKey, ...] = (
    key(
        "voice",
        "speech.voice",
        'a voice name or id on this computer, or "default"',
        'Text-to-speech voice; "default" is the system voice.',
        name_or("default"),
        show_or("default"),
    ),
    key(
        "speech_rate",
        "speech.rate",
        "words per minute from 80 to 220",
        "Speaking rate in words per minute.",
        whole(80, 220),
        show_number,
    ),
    key(
        "volume",
        "speech.volume",
        "a number from 0.1 to 1.0",
        "Speech volume: 1.0 is the loudest.",
        number(0.1, 1.0),
        show_number,
    ),
    key(
        "count_style",
        "session.count_style",
        "numbers or beeps",
        "How holds are counted: spoken numbers or beeps.",
        choice("numbers", "beeps"),
        str,
    ),
    key(
        "sentence_pause",
        "session.sentence_pause",
        "seconds from 0 to 3",
        "Seconds of quiet after each spoken sentence.",
        number(0, 3),
        show_number,
    ),
    key(
        "default_position",
        "default_position",
        "bed, chair or ask",
        'Where you exercise, so the session does not ask at the start; "ask" to be asked.',
        choice("bed", "chair", none_word="ask"),
        show_or("ask"),
    ),
    key(
        "pain_green_max",
        "session.pain_zones.green_max",
        "a pain score from 0 to 8, below pain_amber_max",
        "Highest pain score that is green: fine to carry on gently.",
        whole(0, 8),
        show_number,
    ),
    key(
        "pain_amber_max",
        "session.pain_zones.amber_max",
        "a pain score from 1 to 9, above pain_green_max",
        "Highest pain score that is amber: switch to the easier variant. Above it is red.",
        whole(1, 9),
        show_number,
    ),
    key(
        "rest_seconds",
        "session.rest_seconds",
        "seconds from 10 to 600",
        'Length of a rest asked for with "rest" or "I\'m tired".',
        whole(10, 600),
        show_number,
    ),
    key(
        "more_rest_seconds",
        "session.more_rest_seconds",
        "seconds from 10 to 300",
        'Seconds added by "more rest".',
        whole(10, 300),
        show_number,
    ),
    key(
        "extra_rest_between_sets",
        "session.extra_rest_between_sets",
        "seconds from 0 to 300",
        "Seconds added to every rest between sets, exercises and holds (fatigue pacing).",
        whole(0, 300),
        show_number,
    ),
    key(
        "rest_between_exercises",
        "session.rest_between_exercises",
        "seconds from 0 to 600",
        "Seconds of rest after each exercise, before the next one.",
        whole(0, 600),
        show_number,
    ),
    key(
        "pace",
        "session.pace",
        "a number from 0.5 to 3.0",
        "Tempo multiplier for counted reps: 1.5 is a gentler pace.",
        number(0.5, 3.0),
        show_number,
    ),
    key(
        "heat_note",
        "session.heat_note",
        "on or off",
        "Say a short note about heat and fatigue in the introduction.",
        switch,
        show_switch,
    ),
    key(
        "answer_timeout",
        "session.answer_timeout",
        "seconds from 5 to 120",
        "Seconds to wait for an answer before asking again once.",
        number(5, 120),
        show_number,
    ),
    key(
        "ask_pain_scores",
        "session.ask_pain_scores",
        "on or off",
        "Ask for a 0-10 pain score at the start and end of each session.",
        switch,
        show_switch,
    ),
    key(
        "input_device",
        "audio.input_device",
        'a device number, part of its name, or "default"',
        "Microphone to listen with.",
        name_or("default"),
        show_or("default"),
    ),
    key(
        "output_device",
        "audio.output_device",
        'a device number, part of its name, or "default"',
        "Speaker to talk through.",
        name_or("default"),
        show_or("default"),
    ),
    key(
        "engine",
        "recognition.engine",
        "auto, kws or vosk",
        'Speech recogniser: "auto" picks the best one installed, "kws" the keyword '
        'spotter, "vosk" the Vosk grammar recogniser.',
        choice("auto", "kws", "vosk"),
        str,
    ),
    key(
        "model_path",
        "recognition.model_path",
        'a model directory, or "auto"',
        'A recogniser model directory to use instead of searching; "auto" to search.',
        path_or_auto,
        show_or("auto"),
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


KEYS_BY_NAME = {row.name: row for row in SETTING_KEYS}
