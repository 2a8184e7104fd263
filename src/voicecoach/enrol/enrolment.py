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

Calibration, for every phrase whose meaning has recordings (its "positives"; all other
recordings are its negatives), with all phrases searched side by side in each audition so
the search costs a dozen auditions, not a dozen per phrase:
1. boost: one audition per boost in BOOSTS with the lowest threshold; each phrase takes
   the boost that hears most of its positives (then: fewest false fires, then nearest to
   the engine's default);
2. threshold: a binary search per phrase for the highest threshold in THRESHOLDS that
   still hears as many positives (higher is safer against false fires); the threshold
   used is MARGIN_STEPS below it, room for a day the voice is weaker. A word with takes
   that were missed, and a safety phrase ("stop", "pain", ...), is never made harder to
   hear than the engine's default;
3. check and repair: an audition with the chosen settings; a phrase heard on a recording
   of another word gets a higher threshold (never a safety phrase), and a word that was
   heard before but not now gets its old settings back; repeated up to REPAIR_ROUNDS
   times.
The result is whichever audition scored best, the person's current settings included, so
accuracy after calibration is never below the accuracy before. These are measured on the
same recordings they were tuned on: a session will do a little less well.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from voicecoach.errors import UsageError
from voicecoach.session.vocabulary import (
    NUMBER_WORDS,
    SAFETY_COMMANDS,
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

BOOSTS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0)
THRESHOLDS: tuple[float, ...] = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
REPAIR_ROUNDS = 3
MARGIN_STEPS = 2
"""Grid steps below the highest threshold that heard every take: room for a day the voice
is weaker (one step cost recall on held-out recordings, docs/enrolment.md)."""
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


# ---------------------------------------------------------------- calibration


@dataclass(frozen=True)
class Calibration:
    tuning: Tuning
    """The settings chosen (every phrase that differs from the engine's default)."""
    before: Score
    after: Score
    changed: bool
    """False when the person's current settings scored best and were kept."""
    unheard: tuple[str, ...] = ()
    """Words none of whose phrases was heard on any of their recordings."""
    phrases_heard: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per word, the phrases the spotter heard on its recordings (best first)."""
    auditions: int = 0


@dataclass(frozen=True)
class _Result:
    tuning: Tuning
    heard: Heard
    score: Score


def engine_default(phrase: str) -> tuple[float, float]:
    """The keyword spotter's own (boost, threshold) for `phrase`."""
    from voicecoach.listening.kws_engine import (
        DEFAULT_BOOST,
        DEFAULT_THRESHOLD,
        DEFAULT_TUNING,
    )

    return DEFAULT_TUNING.get(phrase, (DEFAULT_BOOST, DEFAULT_THRESHOLD))


def audition_count(
    boosts: Sequence[float] = BOOSTS, thresholds: Sequence[float] = THRESHOLDS
) -> int:
    """At most how many auditions calibrate() runs (for progress reports)."""
    return 1 + len(boosts) + math.ceil(math.log2(len(thresholds))) + REPAIR_ROUNDS + 1


def calibrate(
    recordings: Sequence[Recording],
    audition: Audition,
    current: Mapping[str, tuple[float, float]] | None = None,
    *,
    boosts: Sequence[float] = BOOSTS,
    thresholds: Sequence[float] = THRESHOLDS,
    progress: Progress | None = None,
    defaults: Callable[[str], tuple[float, float]] = engine_default,
) -> Calibration:
    """Per-phrase (boost, threshold) for this person's recordings (see the module
    docstring); `current` is the tuning in use now (their old profile, if any);
    `defaults` gives the spotter's own setting for a phrase with no tuning."""
    vocabulary = audition.vocabulary
    current_tuning: Tuning = dict(current or {})
    total = audition_count(boosts, thresholds)
    runs: list[_Result] = []

    def run(tuning: Mapping[str, tuple[float, float]], what: str) -> _Result:
        if progress is not None:
            progress(len(runs) + 1, total, what)
        heard = audition.hear(recordings, tuning)
        result = _Result(dict(tuning), heard, score(recordings, heard, vocabulary))
        runs.append(result)
        return result

    before = run(current_tuning, "hearing your recordings as things are now")
    phrases = audition.phrases
    meaning = {p: vocabulary.lookup(p) for p in phrases}
    positives: dict[str, list[int]] = {}
    for p in phrases:
        mine = meaning[p]
        positives[p] = [i for i, r in enumerate(recordings) if mine and r.meaning == mine]

    def hits(phrase: str, result: _Result) -> int:
        return sum(phrase in result.heard[i] for i in positives[phrase])

    def fires(phrase: str, result: _Result) -> int:
        mine = set(positives[phrase])
        return sum(phrase in h for i, h in enumerate(result.heard) if i not in mine)

    searched = [p for p in phrases if positives[p]]

    # 1. Boost: the one that hears most positives at the lowest threshold.
    low = thresholds[0]
    by_boost = {b: run({p: (b, low) for p in searched}, f"trying boost {b:g}") for b in boosts}
    best_boost: dict[str, float] = {}
    target: dict[str, int] = {}
    for p in searched:
        default_boost = defaults(p)[0]
        boost = max(
            boosts,
            key=lambda b: (
                hits(p, by_boost[b]),
                -fires(p, by_boost[b]),
                -abs(math.log(b / default_boost)),
            ),
        )
        if hits(p, by_boost[boost]) > 0:
            best_boost[p] = boost
            target[p] = hits(p, by_boost[boost])
    searched = [p for p in searched if p in best_boost]

    # 2. Threshold: the highest that still hears as many (parallel binary search).
    lo = dict.fromkeys(searched, 0)
    hi = dict.fromkeys(searched, len(thresholds) - 1)
    while any(lo[p] < hi[p] for p in searched):
        probe = {p: (lo[p] + hi[p] + 1) // 2 for p in searched if lo[p] < hi[p]}
        trial = {p: (best_boost[p], thresholds[probe.get(p, lo[p])]) for p in searched}
        result = run(trial, "trying thresholds")
        for p, index in probe.items():
            if hits(p, result) >= target[p]:
                lo[p] = index
            else:
                hi[p] = index - 1
    chosen: Tuning = {}
    for p in searched:
        threshold = thresholds[max(lo[p] - MARGIN_STEPS, 0)]
        weak = target[p] < len(positives[p])  # some takes missed: do not make it harder
        if weak or meaning[p] in SAFETY_COMMANDS:
            threshold = min(threshold, defaults(p)[1])
        chosen[p] = (best_boost[p], threshold)

    # 3. Check and repair.
    tuning = chosen
    checked = [before]
    for _ in range(REPAIR_ROUNDS + 1):
        result = run(tuning, "checking")
        checked.append(result)
        repaired = _repair(
            result, before, recordings, meaning, current_tuning, thresholds, defaults
        )
        if repaired is None:
            break
        tuning = repaired
    # Best score; ties keep the earlier (the current settings first).
    best = max(checked, key=lambda r: (r.score.count, -r.score.wrong_fires))
    heard_by_word: dict[str, dict[str, int]] = {}
    for b_result in (*by_boost.values(), best):
        for recording, phrases_heard in zip(recordings, b_result.heard, strict=True):
            counts = heard_by_word.setdefault(recording.word, {})
            for p in phrases_heard:
                if meaning[p] == recording.meaning:
                    counts[p] = counts.get(p, 0) + 1
    words = list(dict.fromkeys(r.word for r in recordings if r.meaning is not None))
    return Calibration(
        tuning=_without_defaults(best.tuning, defaults),
        before=before.score,
        after=best.score,
        changed=best is not before,
        unheard=tuple(w for w in words if not heard_by_word.get(w)),
        phrases_heard={
            w: tuple(sorted(c, key=lambda p: -c[p])) for w, c in heard_by_word.items() if c
        },
        auditions=len(runs),
    )


def _repair(
    result: _Result,
    before: _Result,
    recordings: Sequence[Recording],
    meaning: Mapping[str, Meaning | None],
    current: Mapping[str, tuple[float, float]],
    thresholds: Sequence[float],
    defaults: Callable[[str], tuple[float, float]] = engine_default,
) -> Tuning | None:
    """The next tuning to try after `result`, or None when nothing is left to repair."""
    tuning = dict(result.tuning)
    raise_up: set[str] = set()
    restore: set[Meaning] = set()
    for i, recording in enumerate(recordings):
        heard = result.heard[i]
        raise_up.update(p for p in heard if meaning[p] != recording.meaning)
        lost = before.score.right[i] and not result.score.right[i]
        missed = not any(meaning[p] == recording.meaning for p in heard)
        if lost and missed and recording.meaning is not None:
            restore.add(recording.meaning)
    changed = False
    for p in sorted(raise_up):
        if meaning[p] in SAFETY_COMMANDS:  # a false "stop" is safe; a missed one is not
            continue
        boost, threshold = tuning.get(p, current.get(p, defaults(p)))
        higher = [t for t in thresholds if t > threshold]
        if higher:
            tuning[p] = (boost, higher[0])
            changed = True
    for p, m in meaning.items():
        if m in restore and tuning.get(p) != current.get(p):
            if p in current:
                tuning[p] = current[p]
            else:
                tuning.pop(p, None)
            changed = True
    return tuning if changed else None


def _without_defaults(
    tuning: Mapping[str, tuple[float, float]],
    defaults: Callable[[str], tuple[float, float]] = engine_default,
) -> Tuning:
    return {p: bt for p, bt in sorted(tuning.items()) if bt != defaults(p)}
