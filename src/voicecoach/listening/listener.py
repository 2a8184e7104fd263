"""The streaming path from microphone blocks to meanings, exactly as the player uses it.

The engine's ListenFor action sets the role:
- "spot": only command phrases are listened for (answers would be noise here);
- "answer": the expected answers of the pending question, plus every command, so "stop"
  and "pain" still work in the middle of a question.

Safety words come through from partial results where the engine has them (see
vosk_engine.py); each spoken phrase is reported once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voicecoach.listening.recognizer import Recognizer
from voicecoach.session.events import ListenRole
from voicecoach.session.vocabulary import (
    Answer,
    Command,
    HeardWord,
    Meaning,
    Vocabulary,
    meaning_of,
)

ROLES = tuple(role.value for role in ListenRole)


@dataclass(frozen=True)
class HeardPhrase:
    text: str
    """The phrase as the table spells it, e.g. "seven", "it hurts"."""
    meaning: Meaning
    at_sample: int
    """Stream position (16 kHz samples since the recogniser's reset)."""
    final: bool
    """False when it came from a partial result."""
    start_sample: int | None = None
    """Where the word started in the stream, when the recogniser knows (else None)."""
    end_sample: int | None = None
    """Where the word ended in the stream, when the recogniser knows (else None)."""

    def word(self, rate: int = 16000, offset: float = 0.0) -> HeardWord:
        """The value that travels on to the engine: where the recogniser placed the word in
        the stream, else (no word times) `at_sample`, where it reported the word. `offset`
        is the microphone time at which the recogniser's stream began."""
        started = None if self.start_sample is None else offset + self.start_sample / rate
        ended = self.at_sample if self.end_sample is None else self.end_sample
        return HeardWord(self.meaning, self.text, started=started, ended=offset + ended / rate)


class CommandListener:
    """The exact streaming path the player uses: audio chunks in, meanings out."""

    def __init__(self, recognizer: Recognizer, vocabulary: Vocabulary) -> None:
        self._recognizer = recognizer
        self._vocabulary = vocabulary
        self._wanted: frozenset[Meaning] = frozenset()
        self._phrases: tuple[str, ...] | None = None
        self.listen_for("spot", ())

    @property
    def phrases(self) -> tuple[str, ...]:
        """The phrases listened for now."""
        return self._phrases or ()

    def listen_for(self, role: ListenRole | str, answers: Sequence[str]) -> None:
        """Listen for commands ("spot"), or for `answers` plus all commands ("answer").
        Answers may be given as main words or values: "seven", "7", "yes", "bed"."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        wanted: set[Meaning] = set(Command)
        if role == "answer":
            for answer in answers:
                meaning = meaning_of(answer) or self._vocabulary.lookup(answer)
                if isinstance(meaning, Answer):
                    wanted.add(meaning)
        self._wanted = frozenset(wanted)
        phrases = tuple(p.text for p in self._vocabulary.phrases if p.meaning in wanted)
        phrases = tuple(dict.fromkeys(phrases))
        if phrases != self._phrases:  # a new keyword list restarts the engine's stream
            self._phrases = phrases
            self._recognizer.set_phrases(phrases)

    def feed(self, samples: npt.NDArray[np.float32]) -> list[HeardPhrase]:
        heard: list[HeardPhrase] = []
        for detection in self._recognizer.accept(samples):
            meaning = self._vocabulary.lookup(detection.text)
            if meaning is None or meaning not in self._wanted:
                continue
            heard.append(
                HeardPhrase(
                    detection.text,
                    meaning,
                    detection.at_sample,
                    detection.final,
                    detection.start_sample,
                    detection.end_sample,
                )
            )
        return heard
