"""Enrolment: what to ask the person to say, and how their recordings tune the listening.

The person says each command word a few times (enrol_session.py records them). This
module has no hardware: it plans the prompts, hears the recordings through the player's
own listening path, and calibrates the keyword spotter's per-phrase (boost, threshold).

Hearing ("an audition"): each recording is fed, in 20 ms blocks, through a
CommandListener in the "answer" role (all commands plus the enrolled answers) after a
reset of the recogniser, with LEAD_SECONDS of silence before it and TAIL_SECONDS after:
the player's own path, measured as `voicecoach eval-commands` measures it. Recordings are
heard apart, as a word said after a pause, because in one unbroken stream a word less
than about three seconds after another is heard less often (docs/enrolment.md), and
apart, what one recording does cannot change what the next one does. A recording is
right when something was heard and everything heard means its word; everyday speech is
right when nothing was heard.

Calibrating the keyword spotter from the scored auditions is calibration.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from voicecoach.errors import UsageError
from voicecoach.session.vocabulary import (
    NUMBER_WORDS,
    Answer,
    Command,
    Meaning,
    Vocabulary,
    meaning_of,
    normalise,
)
from voicecoach.store.voice_profile import OTHER_SPEECH

if TYPE_CHECKING:  # numpy and the recognisers load only when recordings are heard
    import numpy as np
    import numpy.typing as npt

    from voicecoach.listening.listener import CommandListener
    from voicecoach.listening.recognizer import Recognizer

    FloatArray = npt.NDArray[np.float32]

Tuning = dict[str, tuple[float, float]]
Progress = Callable[[int, int, str], None]
"""(step, of steps, what is being done)."""

DEFAULT_WORDS: tuple[str, ...] = (
    "stop",
    "pain",
    "pause",
    "continue",
    "yes",
    "no",
    "done",
    "easier",
    "harder",
    "rest",
    "help",
)
"""Safety words first, then the most used ones."""
TAKES = 3
EVERYDAY_SENTENCES: tuple[str, ...] = ("I would like a cup of tea with milk.",)
"""Said once each: speech that must not be heard as a command (no table phrase in it)."""

BLOCK_SECONDS = 0.02
"""As the microphone delivers."""
LEAD_SECONDS = 0.3
"""Silence before each recording (which has its own 0.3 s of room sound before the word)."""
TAIL_SECONDS = 0.8
"""Silence after each recording: the keyword spotter reports a word up to about half a
second after it ends."""


# ---------------------------------------------------------------- what to ask for


def enrol_words(words: str | None = None, numbers: bool = False) -> tuple[str, ...]:
    """The main words to enrol: `words` (comma-separated main words) or DEFAULT_WORDS,
    plus zero..ten with `numbers`. UsageError names any word that is not a command."""
    chosen = list(DEFAULT_WORDS) if words is None else []
    unknown = []
    for part in (words or "").split(","):
        word = normalise(part.replace("_", " "))
        if not word:
            continue
        meaning = meaning_of(word)
        if meaning is None:
            unknown.append(part.strip())
            continue
        chosen.append(main_word(meaning))
    if unknown:
        known = ", ".join([c.value for c in Command] + ["yes", "no", "done", "bed", "chair"])
        raise UsageError(
            f"--words: {', '.join(unknown)} is not a command word. Use main words, e.g. "
            f"--words stop,pain,yes (known: {known}, zero ... ten)."
        )
    if numbers:
        chosen.extend(NUMBER_WORDS)
    if not chosen:
        raise UsageError("--words: no words given; e.g. --words stop,pain,yes")
    return tuple(dict.fromkeys(chosen))


def main_word(meaning: Meaning) -> str:
    """The word a person is asked to say for `meaning` ("seven" for the answer 7)."""
    if isinstance(meaning, Answer) and meaning.value.isdigit():
        return NUMBER_WORDS[int(meaning.value)]
    return str(meaning.value)


@dataclass(frozen=True)
class Prompt:
    word: str
    """A main word, or OTHER_SPEECH for an everyday sentence."""
    take: int
    """1-based."""
    takes: int
    said: str
    """What the player says (and shows) to ask for it."""

    @property
    def phrase(self) -> str:
        """What the person is to say: the word, or the sentence."""
        return self.word if self.word != OTHER_SPEECH else self.said.split(": ", 1)[-1]


def plan_prompts(
    words: Sequence[str], takes: int = TAKES, sentences: Sequence[str] = EVERYDAY_SENTENCES
) -> list[Prompt]:
    """Each word `takes` times in a row (short and calm), then each everyday sentence once."""
    again = ["Say", "Again", "Once more"]
    prompts = [
        Prompt(word, take, takes, f"{again[min(take - 1, 2)]}: {word}.")
        for word in words
        for take in range(1, takes + 1)
    ]
    prompts += [
        Prompt(OTHER_SPEECH, n, len(sentences), f"Now say this sentence: {sentence}")
        for n, sentence in enumerate(sentences, start=1)
    ]
    return prompts


# ---------------------------------------------------------------- hearing recordings


@dataclass(frozen=True)
class Recording:
    word: str
    """The main word asked for, or OTHER_SPEECH."""
    samples: FloatArray
    """16 kHz float32 mono."""

    @property
    def meaning(self) -> Meaning | None:
        return None if self.word == OTHER_SPEECH else meaning_of(self.word)


Heard = list[tuple[str, ...]]
"""Per recording, the phrases heard in it, in order."""


class Audition(Protocol):
    """Hears a list of recordings with a given per-phrase tuning."""

    vocabulary: Vocabulary

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every phrase listened for."""

    def hear(
        self, recordings: Sequence[Recording], tuning: Mapping[str, tuple[float, float]]
    ) -> Heard:
        """What was heard in each recording."""


RecognizerMaker = Callable[[Mapping[str, tuple[float, float]]], "Recognizer"]
"""tuning -> a fresh recogniser (e.g. create_recognizer(settings, "answer", tuning=...))."""


class ListenerAudition:
    """The player's path: a recogniser behind a CommandListener, fed 20 ms blocks.

    A new tuning is given to the recogniser with its `set_tuning` method when it has one;
    otherwise a new recogniser is made (slower: the model loads again).
    """

    def __init__(
        self, make: RecognizerMaker, vocabulary: Vocabulary, answers: Sequence[str] = ()
    ) -> None:
        self.vocabulary = vocabulary
        self._make = make
        self._answers = tuple(answers)
        self._tuning: Tuning | None = None
        self._recognizer: Recognizer | None = None
        self._listener: CommandListener | None = None
        self.recognizers_made = 0

    @property
    def phrases(self) -> tuple[str, ...]:
        listener = self._listener or self._tuned({})
        return listener.phrases

    def hear(
        self, recordings: Sequence[Recording], tuning: Mapping[str, tuple[float, float]]
    ) -> Heard:
        import numpy as np

        from voicecoach.listening.recognizer import SAMPLE_RATE

        listener = self._tuned(tuning)
        recognizer = self._recognizer
        assert recognizer is not None  # made by _tuned
        lead = np.zeros(int(LEAD_SECONDS * SAMPLE_RATE), dtype=np.float32)
        tail = np.zeros(int(TAIL_SECONDS * SAMPLE_RATE), dtype=np.float32)
        block = int(BLOCK_SECONDS * SAMPLE_RATE)
        heard: Heard = []
        for recording in recordings:
            recognizer.reset()
            stream = np.concatenate([lead, recording.samples.astype(np.float32), tail])
            phrases: list[str] = []
            for first in range(0, len(stream), block):
                phrases += [h.text for h in listener.feed(stream[first : first + block])]
            heard.append(tuple(phrases))
        return heard

    def _tuned(self, tuning: Mapping[str, tuple[float, float]]) -> CommandListener:
        wanted = dict(tuning)
        if self._listener is not None and wanted == self._tuning:
            return self._listener
        set_tuning = getattr(self._recognizer, "set_tuning", None)
        if self._listener is not None and callable(set_tuning):
            set_tuning(wanted)
        else:
            from voicecoach.listening.listener import CommandListener

            self._recognizer = self._make(wanted)
            self.recognizers_made += 1
            self._listener = CommandListener(self._recognizer, self.vocabulary)
            self._listener.listen_for("answer", self._answers)
        self._tuning = wanted
        return self._listener


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Score:
    words: tuple[str, ...]
    """The word of each recording."""
    right: tuple[bool, ...]
    wrong_fires: int
    """Phrases heard that meant something other than the recording's word."""

    @property
    def count(self) -> int:
        return sum(self.right)

    @property
    def total(self) -> int:
        return len(self.right)

    @property
    def accuracy(self) -> float:
        return self.count / self.total if self.total else 0.0

    def per_word(self) -> dict[str, tuple[int, int]]:
        """word -> (right, recordings), in the order the words were recorded."""
        table: dict[str, tuple[int, int]] = {}
        for word, right in zip(self.words, self.right, strict=True):
            done, total = table.get(word, (0, 0))
            table[word] = (done + right, total + 1)
        return table


def score(recordings: Sequence[Recording], heard: Heard, vocabulary: Vocabulary) -> Score:
    right = []
    wrong = 0
    for recording, phrases in zip(recordings, heard, strict=True):
        meanings = [vocabulary.lookup(p) for p in phrases]
        misses = sum(m != recording.meaning for m in meanings)
        wrong += misses
        if recording.meaning is None:
            right.append(not phrases)
        else:
            right.append(bool(phrases) and misses == 0)
    return Score(tuple(r.word for r in recordings), tuple(right), wrong)
