"""A pain score said in a natural way, heard as one answer.

People answer "How bad is it, from zero to ten?" with "four", but also "a four", "about
five", "five out of ten" or "four or five". The keyword spotter hears the number words
(and "out of ten") one by one as they are said, so the scores heard in one utterance are
held until it ends and reported once, as the vocabulary table says (Vocabulary.score_of:
the higher of two, "out of ten" not a second number). A word that is not a score (yes,
stop, pain) is never held.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voicecoach.listening.recognizer import SAMPLE_RATE, Detection
from voicecoach.session.vocabulary import SCORE_FRAMES, Vocabulary

PAUSE_SECONDS = 0.3
"""Quiet after the last score that ends the answer ("five ... out of ten" may pause)."""
HOLD_SECONDS = 0.8
"""Without an end of speech, held scores are reported this long after the last one."""


@dataclass
class ScoreGroup:
    """Scores heard in the utterance going on, reported together when it ends."""

    vocabulary: Vocabulary
    hold_samples: int = round(HOLD_SECONDS * SAMPLE_RATE)
    pause_samples: int = round(PAUSE_SECONDS * SAMPLE_RATE)
    _held: list[Detection] = field(default_factory=list)

    def holds(self, detection: Detection) -> bool:
        """Keep `detection` until the utterance ends (True), or let it through (False)."""
        if detection.text in SCORE_FRAMES or self.vocabulary.score_of([detection.text]) is not None:
            self._held.append(detection)
            return True
        return False

    def release(self, position: int, *, speaking: bool | None) -> list[Detection]:
        """The held scores as one detection, once the utterance is over: nobody has spoken
        for PAUSE_SECONDS after the last of them (`speaking`: is speech going on now; None
        when unknown), or nothing more came for HOLD_SECONDS. Call after every block."""
        if not self._held:
            return []
        last = self._held[-1]
        last_end = last.end_sample if last.end_sample is not None else last.at_sample
        paused = speaking is False and position - last_end >= self.pause_samples
        if not paused and position - last.at_sample < self.hold_samples:
            return []
        return self.flush(position)

    def flush(self, position: int) -> list[Detection]:
        """Report what is held now (a new question, a reset)."""
        held, self._held = self._held, []
        score = self.vocabulary.score_of([d.text for d in held])
        if score is None:
            return []  # "out of ten" alone
        first, last = held[0], held[-1]
        return [
            Detection(
                self.vocabulary.main_word(score),
                True,
                position,
                None,
                first.start_sample,
                last.end_sample,
            )
        ]

    def clear(self) -> None:
        self._held = []
