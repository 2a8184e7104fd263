"""Every word the player understands, in one table.

The recogniser's grammar and keyword list are built from this table (plus personal words
from settings), the engine interprets what was heard through it, and `help` reads it back.

Two kinds of meaning:
- a Command, honoured at any moment of a session ("stop", "pain", "easier", ...);
- an Answer, meaningful only while the player has asked a question (pain score 0-10,
  yes/no, bed/chair, done/ready).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from voicecoach.config.settings import RecognitionSettings


class Command(str, Enum):
    STOP = "stop"
    PAUSE = "pause"
    CONTINUE = "continue"
    REPEAT = "repeat"
    SKIP = "skip"
    EASIER = "easier"
    HARDER = "harder"
    SLOWER = "slower"
    FASTER = "faster"
    REST = "rest"
    MORE_REST = "more rest"
    HELP = "help"
    HOW_MANY_LEFT = "how many left"
    PAIN = "pain"
    BACK_TO_NORMAL = "back to normal"
    LOUDER = "louder"
    QUIETER = "quieter"
    TINGLING = "tingling"
    SAFETY = "safety"


class Answer(str, Enum):
    ZERO = "0"
    ONE = "1"
    TWO = "2"
    THREE = "3"
    FOUR = "4"
    FIVE = "5"
    SIX = "6"
    SEVEN = "7"
    EIGHT = "8"
    NINE = "9"
    TEN = "10"
    YES = "yes"
    NO = "no"
    DONE = "done"
    BED = "bed"
    CHAIR = "chair"


Meaning = Command | Answer

# Commands that cut speech and halt at once, and may never wait for a final result.
SAFETY_COMMANDS: frozenset[Command] = frozenset({Command.STOP, Command.PAIN, Command.TINGLING})

SCORE_ANSWERS: tuple[Answer, ...] = tuple(Answer(str(n)) for n in range(11))
YES_NO_ANSWERS: frozenset[Answer] = frozenset({Answer.YES, Answer.NO})
POSITION_ANSWERS: frozenset[Answer] = frozenset({Answer.BED, Answer.CHAIR})

NUMBER_WORDS: tuple[str, ...] = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)


def count_word(n: int) -> str:
    """A whole number as it is spoken: 7 -> "seven", 42 -> "forty two"."""
    if n < len(NUMBER_WORDS):
        return NUMBER_WORDS[n]
    tens = [
        "",
        "",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "a hundred",
    ]
    teens = [
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ]
    if n < 20:
        return teens[n - 11]
    if n >= 100:
        return "a hundred" + (f" and {count_word(n - 100)}" if n > 100 else "")
    word = tens[n // 10]
    return word if n % 10 == 0 else f"{word} {NUMBER_WORDS[n % 10]}"


@dataclass(frozen=True)
class Phrase:
    """One thing a person can say, and what it means."""

    text: str
    meaning: Meaning
    # Shown and spoken by "help"; synonyms are understood but not advertised.
    advertised: bool = False


# The table. The first phrase of each meaning is its main word.
PHRASES: tuple[Phrase, ...] = (
    Phrase("stop", Command.STOP, advertised=True),
    Phrase("stop now", Command.STOP),
    Phrase("that's enough", Command.STOP),
    Phrase("pause", Command.PAUSE, advertised=True),
    Phrase("hold on", Command.PAUSE),
    Phrase("wait", Command.PAUSE),
    Phrase("continue", Command.CONTINUE, advertised=True),
    Phrase("resume", Command.CONTINUE),
    Phrase("go on", Command.CONTINUE),
    Phrase("carry on", Command.CONTINUE),
    Phrase("go", Command.CONTINUE),
    Phrase("repeat", Command.REPEAT, advertised=True),
    Phrase("say again", Command.REPEAT),
    Phrase("say that again", Command.REPEAT),
    Phrase("skip", Command.SKIP, advertised=True),
    Phrase("next", Command.SKIP),
    Phrase("skip this", Command.SKIP),
    Phrase("easier", Command.EASIER, advertised=True),
    Phrase("too hard", Command.EASIER),
    Phrase("make it easier", Command.EASIER),
    Phrase("harder", Command.HARDER, advertised=True),
    Phrase("too easy", Command.HARDER),
    Phrase("make it harder", Command.HARDER),
    Phrase("slower", Command.SLOWER, advertised=True),
    Phrase("slow down", Command.SLOWER),
    Phrase("faster", Command.FASTER, advertised=True),
    Phrase("speed up", Command.FASTER),
    Phrase("rest", Command.REST, advertised=True),
    Phrase("i'm tired", Command.REST),
    Phrase("i am tired", Command.REST),
    Phrase("tired", Command.REST),
    Phrase("take a break", Command.REST),
    Phrase("more rest", Command.MORE_REST),
    Phrase("help", Command.HELP, advertised=True),
    Phrase("what can i say", Command.HELP),
    Phrase("how many left", Command.HOW_MANY_LEFT, advertised=True),
    Phrase("how many more", Command.HOW_MANY_LEFT),
    Phrase("how long", Command.HOW_MANY_LEFT),
    Phrase("pain", Command.PAIN, advertised=True),
    Phrase("ouch", Command.PAIN),
    Phrase("ow", Command.PAIN),
    Phrase("it hurts", Command.PAIN),
    Phrase("that hurts", Command.PAIN),
    # "my knee hurts", "my back hurts": "hurts" anywhere in what is said.
    Phrase("hurts", Command.PAIN),
    Phrase("painful", Command.PAIN),
    Phrase("it's sore", Command.PAIN),
    Phrase("tingling", Command.TINGLING, advertised=True),
    Phrase("numb", Command.TINGLING),
    Phrase("numbness", Command.TINGLING),
    Phrase("pins and needles", Command.TINGLING),
    Phrase("safety", Command.SAFETY, advertised=True),
    Phrase("back to normal", Command.BACK_TO_NORMAL),
    Phrase("louder", Command.LOUDER),
    Phrase("quieter", Command.QUIETER),
    Phrase("softer", Command.QUIETER),
    *(Phrase(word, Answer(str(n))) for n, word in enumerate(NUMBER_WORDS)),
    Phrase("nought", Answer.ZERO),
    Phrase("nothing", Answer.ZERO),
    Phrase("yes", Answer.YES),
    Phrase("yeah", Answer.YES),
    Phrase("yep", Answer.YES),
    Phrase("okay", Answer.YES),
    Phrase("no", Answer.NO),
    Phrase("nope", Answer.NO),
    Phrase("wrong", Answer.NO),
    Phrase("that's wrong", Answer.NO),
    Phrase("done", Answer.DONE),
    Phrase("finished", Answer.DONE),
    Phrase("ready", Answer.DONE),
    Phrase("bed", Answer.BED),
    Phrase("in bed", Answer.BED),
    Phrase("chair", Answer.CHAIR),
    Phrase("in a chair", Answer.CHAIR),
)

SCORE_FRAMES: tuple[str, ...] = ("out of ten",)
"""Said after a score ("five out of ten"): part of the answer, not a second number."""
SCORE_OR: tuple[str, ...] = ("or", "to")
"""Between two scores ("four or five", "four to five"): the higher one is taken, the safe
side when the answer decides whether an exercise goes on."""
SCORE_FILLERS: frozenset[str] = frozenset(
    {"a", "about", "around", "maybe", "roughly", "like", "it's", "its", "i'd", "say", "uh", "um"}
)
"""Words around a score that change nothing: "a four", "about five", "maybe a six"."""

# Single keys for people who use the keyboard (play --text and the live player).
# Digits answer a score; " " toggles pause/continue (resolved by the engine).
KEYS: Mapping[str, Meaning] = {
    "p": Command.PAIN,
    "s": Command.STOP,
    "e": Command.EASIER,
    "h": Command.HARDER,
    "r": Command.REPEAT,
    "n": Command.SKIP,
    "?": Command.HELP,
    "l": Command.HOW_MANY_LEFT,
    "t": Command.REST,
    "i": Command.TINGLING,
    "y": Answer.YES,
    "d": Answer.DONE,
    "\n": Answer.DONE,
    "+": Command.LOUDER,
    "-": Command.QUIETER,
    **{str(n): Answer(str(n)) for n in range(10)},
}
PAUSE_TOGGLE_KEY = " "

_SPACES = re.compile(r"[^a-z0-9' ]+")


def normalise(text: str) -> str:
    """Lower-case, drop punctuation, fold white space: the form the table is keyed on."""
    return " ".join(_SPACES.sub(" ", text.lower().replace("’", "'")).split())


@dataclass(frozen=True)
class Vocabulary:
    """The phrase table plus any personal words, looked up by normalised text."""

    phrases: tuple[Phrase, ...] = PHRASES

    def with_personal_words(
        self, added: Mapping[str, Iterable[str]], removed: Mapping[str, Iterable[str]] = {}
    ) -> Vocabulary:
        """A copy with personal words added or removed; keys are a meaning's main word
        (e.g. "stop", "pain", "yes") and values are phrases."""
        drop = {(normalise(p), _meaning_of(k)) for k, ps in removed.items() for p in ps}
        kept = [p for p in self.phrases if (p.text, p.meaning) not in drop]
        extra = [Phrase(normalise(p), _meaning_of(k)) for k, ps in added.items() for p in ps]
        return Vocabulary(tuple(kept + extra))

    def lookup(self, text: str) -> Meaning | None:
        """The meaning of a whole utterance, or None when it is not in the table.

        A number typed as digits ("7", "10") is an answer too.
        """
        said = normalise(text)
        for phrase in self.phrases:
            if phrase.text == said:
                return phrase.meaning
        if said.isdigit() and 0 <= int(said) <= 10:
            return Answer(str(int(said)))
        return None

    def find_in(self, text: str) -> list[Meaning]:
        """Meanings of table phrases found inside a longer utterance, longest phrase first
        (for recognisers that return free text)."""
        said = f" {normalise(text)} "
        found: list[Meaning] = []
        for phrase in sorted(self.phrases, key=lambda p: -len(p.text)):
            if f" {phrase.text} " in said and phrase.meaning not in found:
                found.append(phrase.meaning)
                said = said.replace(f" {phrase.text} ", " | ")
        return found

    def understand(self, text: str) -> HeardWord | None:
        """What an utterance means, worked out once where it enters (a typed line, a
        recogniser's free text): the whole phrase, else a pain score said in a natural way
        ("about five", "five out of ten", "four or five"), else the most urgent table
        phrase inside it. None when it means nothing here."""
        meaning: Meaning | None = self.lookup(text)
        if meaning is None:
            meaning = self.score_in(text)
        if meaning is None:
            meaning = most_urgent(self.find_in(text))
        if meaning is None:
            return None
        return HeardWord(meaning, normalise(text))

    def score_in(self, text: str) -> Answer | None:
        """The pain score of an answer said in a natural way, or None when it is not one.

        "a four", "about five" -> the number; "five out of ten" -> 5; "four or five" ->
        the higher (SCORE_OR). Any other word makes it not a score (None), so "I did four"
        or "four more" is never taken for an answer; digits count ("7 out of 10").
        """
        said = f" {normalise(text)} "
        for frame in SCORE_FRAMES:
            said = said.replace(f" {frame} ", " ").replace(f" {_digits(frame)} ", " ")
        scores: list[int] = []
        joined = True
        for word in said.split():
            value = self._score_word(word)
            if value is not None:
                if not joined:
                    return None  # "four five": two numbers without "or"
                scores.append(value)
                joined = False
            elif word in SCORE_OR and scores and not joined:
                joined = True
            elif word not in SCORE_FILLERS:
                return None
        if not scores or joined:
            return None
        return Answer(str(max(scores)))

    def score_of(self, phrases: Sequence[str]) -> Answer | None:
        """The score of table phrases heard one by one in one utterance (a keyword
        spotter hears "four" "five", not "or"): the higher score, frames ("out of ten")
        left out. None when none of them is a score."""
        scores = [self._score_word(p) for p in phrases if p not in SCORE_FRAMES]
        if not scores or None in scores:
            return None
        return Answer(str(max(s for s in scores if s is not None)))

    def _score_word(self, word: str) -> int | None:
        if word.isdigit():
            return int(word) if int(word) <= 10 else None
        meaning = self.lookup(word)
        if isinstance(meaning, Answer) and meaning in SCORE_ANSWERS:
            return int(meaning.value)
        return None

    def words_for(self, meaning: Meaning) -> list[str]:
        return [p.text for p in self.phrases if p.meaning == meaning]

    def main_word(self, meaning: Meaning) -> str:
        words = self.words_for(meaning)
        return words[0] if words else str(meaning.value)

    def all_texts(self) -> list[str]:
        """Every phrase, for building a recogniser grammar or keyword list."""
        seen: dict[str, None] = {}
        for p in self.phrases:
            seen.setdefault(p.text, None)
        return list(seen)

    def advertised(self) -> list[str]:
        return [p.text for p in self.phrases if p.advertised]


def vocabulary_for(recognition: RecognitionSettings) -> Vocabulary:
    """The phrase table with this person's added and removed words (the one place they are
    applied, so the recogniser, the engine and the settings checks agree)."""
    return Vocabulary().with_personal_words(recognition.personal_words, recognition.removed_words)


@dataclass(frozen=True)
class HeardWord:
    """A heard (or typed) phrase with its meaning: the one value that travels from the
    listener to the engine, so the meaning is never worked out twice."""

    meaning: Meaning
    phrase: str
    """The phrase as heard or typed, e.g. "seven", "it hurts"."""
    started: float | None = None
    """When the word started, in seconds on the microphone's time line (None when typed)."""
    ended: float | None = None
    """When the word ended on the microphone's time line (None when typed)."""


def _digits(text: str) -> str:
    """ "out of ten" -> "out of 10" (a typed frame)."""
    return " ".join(str(NUMBER_WORDS.index(w)) if w in NUMBER_WORDS else w for w in text.split())


def most_urgent(found: list[Meaning]) -> Meaning | None:
    """Of several meanings in one utterance, safety first."""
    for command in (Command.PAIN, Command.STOP):
        if command in found:
            return command
    return found[0] if found else None


def meaning_of(main_word: str) -> Meaning | None:
    """The command or answer named by its main word ("stop", "more rest", "yes", "seven"
    or "7"); underscores count as spaces ("more_rest"). None when nothing is called that."""
    word = normalise(main_word.replace("_", " "))
    for c in Command:
        if c.value == word:
            return c
    for n, w in enumerate(NUMBER_WORDS):
        if w == word:
            return Answer(str(n))
    for a in Answer:
        if a.value == word:
            return a
    return None


def _meaning_of(main_word: str) -> Meaning:
    meaning = meaning_of(main_word)
    if meaning is not None:
        return meaning
    from voicecoach.errors import SettingsError

    known = ", ".join([c.value for c in Command] + ["yes", "no", "done", "bed", "chair"])
    raise SettingsError(f"personal words: {main_word!r} is not a command (known: {known})")


DEFAULT_VOCABULARY = Vocabulary()
