"""Word-list keys (`personal_words.<command>`, `removed_words.<command>`) and the lookup
of any settings key by name.

The fixed keys are a table in voicecoach.config.keys; the word-list keys are made here from
the vocabulary, one per command or answer. Their words are checked as the recogniser spells
them, and a personal word may not already mean something else, nor (when it is being set)
sound like another meaning's words.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping

from voicecoach.config.keys import (
    KEYS_BY_NAME,
    PERSONAL_WORDS,
    REMOVED_WORDS,
    SETTING_KEYS,
    WORD_KEY_ALLOWED,
    WORD_KEY_MEANINGS,
    SettingKey,
)
from voicecoach.config.parsers import InvalidValue, show_words
from voicecoach.config.settings import RecognitionSettings
from voicecoach.errors import SettingsError
from voicecoach.session.vocabulary import (
    NUMBER_WORDS,
    SCORE_ANSWERS,
    Command,
    Meaning,
    Vocabulary,
    meaning_of,
    normalise,
    vocabulary_for,
)

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
            raise InvalidValue(
                f"{part.strip()!r} has a number in it, and the recogniser hears words, not "
                f"digits: write numbers as words, e.g. 'seven' for 7"
            )
        foreign = sorted({c for c in plain if c.isalpha() and not ("a" <= c <= "z")})
        if foreign:
            raise InvalidValue(
                f"{part.strip()!r} has letters the recogniser cannot spell "
                f"({''.join(foreign)}): write the word with the letters a to z"
            )
        word = normalise(plain)
        if word:
            words.append(word)
    if not words:
        raise InvalidValue("no words given")
    return tuple(words)


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
    if canonical in KEYS_BY_NAME:
        return KEYS_BY_NAME[canonical]
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
        return word_key(family, meaning)
    raise SettingsError(f"{name}: there is no such setting. {_nearest_hint(canonical)}")


def word_key(family: str, meaning: Meaning) -> SettingKey:
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
        show=show_words,
    )


def _check_removable(meaning: Meaning, words: Iterable[str]) -> None:
    own = Vocabulary().words_for(meaning)
    for word in words:
        if word == own[0]:
            raise InvalidValue(
                f"{word!r} is the main word for {own[0]} and cannot be removed"
                + (f"; remove one of {', '.join(own[1:])} instead" if len(own) > 1 else "")
            )
        if word not in own:
            raise InvalidValue(f"{word!r} is not one of the words for {own[0]} ({', '.join(own)})")


def _known_words() -> str:
    names = [c.value.replace(" ", "_") for c in Command]
    return ", ".join([*names, "yes", "no", "done", "bed", "chair", "zero ... ten"])


def _nearest_hint(name: str) -> str:
    names = [key.name for key in SETTING_KEYS] + list(WORD_KEY_ALLOWED)
    near = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if near:
        return f"Did you mean: {', '.join(near)}? (`voicecoach settings` lists every key)"
    return f"The keys are: {', '.join(all_key_names())}."


def word_problems(
    recognition: RecognitionSettings, where: Mapping[str, str], changed: str | None
) -> list[str]:
    """A personal word may not already mean something else; the key being set is checked
    last so that it takes the blame for a clash, and may not sound like another meaning's
    words either (see _sounds_like)."""
    base = Vocabulary().with_personal_words({}, recognition.removed_words)
    owner: dict[str, str] = {}
    problems = []
    lists = [
        (word_key_name(PERSONAL_WORDS, known_meaning(main)), known_meaning(main), words)
        for main, words in recognition.personal_words.items()
    ]
    for name, meaning, words in sorted(lists, key=lambda item: item[0] == changed):
        for word in words:
            already = base.lookup(word)
            other = owner.get(word)
            if already is not None and already != meaning:
                problems.append(
                    f"{_at(where[name])}{name}: {word!r} already means "
                    f"{base.main_word(already)}; choose another word"
                )
            elif other is not None and other != name:
                problems.append(
                    f"{_at(where[name])}{name}: {word!r} is also in {other}; "
                    f"a word can mean only one thing"
                )
            elif name == changed:
                problems.extend(_sound_alike_problems(name, meaning, word, recognition))
            owner[word] = name
    return problems


def _sound_alike_problems(
    name: str, meaning: Meaning, word: str, recognition: RecognitionSettings
) -> list[str]:
    vocabulary = vocabulary_for(recognition)
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


def known_meaning(main: str) -> Meaning:
    meaning = meaning_of(main)
    assert meaning is not None  # word-list keys were checked by find_key when parsed
    return meaning


def _at(where: str) -> str:
    """The "FILE:LINE: " prefix of a problem; empty for the value being set right now."""
    return f"{where}: " if where else ""
