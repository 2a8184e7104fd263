"""Is this the player's own voice? The one place that decides.

Two detectors feed it, block by block of microphone audio:
- the echo canceller's `SelfSpeechGate` (audio/echo/canceller.py) hears a person when the
  cancelled signal is much louder than the echo the canceller usually leaves;
- `LouderThanEcho` (audio/echo/talk_over.py) checks the raw level against the loudest
  thing played lately, so a canceller that lost step (an underrun) is not taken for a person.
A person is talking over the player only when both say so.

The rules for a heard word:
- Over its own speech only stop, pain and pause act (BARGE_IN): whatever is left of the
  player's echo after cancelling must never turn into "harder" or "skip". Other commands
  act in the gaps between sentences. eval_self follows this rule too.
- Over its own speech a word acts only if a person was heard talking over it at that time,
  so the player's own "say pain if anything hurts" is never taken for a person saying pain.
- A word reported up to RECOGNITION_LAG after the player fell quiet may still be the
  player's own last word, so it is judged as if said over the speech.

`OwnVoice` keeps these facts on the microphone's own time line (seconds of audio heard),
not the wall clock: when a busy computer makes the recogniser fall behind, a word is still
judged by whether the player was sounding when that audio was captured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from voicecoach.audio.echo.canceller import SelfSpeechGate
from voicecoach.audio.echo.talk_over import LouderThanEcho
from voicecoach.audio.levels import SOUNDING_FLOOR, rms
from voicecoach.session.vocabulary import Command, Meaning

BARGE_IN: frozenset[Meaning] = frozenset({Command.STOP, Command.PAIN, Command.PAUSE})

# A word is reported up to this long after it was said: a detection this soon after the
# player sounded may be its own echo.
RECOGNITION_LAG = 0.8
# Over the player's speech, stop/pain/pause act only if the talk-over detector heard a
# person this recently (the player's own echo never trips it; a person does).
TALK_OVER_WINDOW = 2.0


def acts_over_speech(meaning: Meaning) -> bool:
    return meaning in BARGE_IN


@dataclass(frozen=True)
class BlockVerdict:
    """What one microphone block held."""

    player_sounding: bool
    """The player's voice was playing when the block was captured."""
    person_talking: bool
    """A person was heard over the player's voice (both detectors agree)."""


class TalkOverDetector(Protocol):
    def person(self, mic: npt.ArrayLike, cleaned: npt.ArrayLike, reference: npt.ArrayLike) -> bool:
        """Whether a person is heard over the player in this block."""


@dataclass
class GateAndLevel:
    """The live detector: the canceller's gate and the raw level check must agree."""

    gate: SelfSpeechGate = field(default_factory=SelfSpeechGate)
    louder: LouderThanEcho = field(default_factory=LouderThanEcho)

    def person(self, mic: npt.ArrayLike, cleaned: npt.ArrayLike, reference: npt.ArrayLike) -> bool:
        self.gate.process(cleaned, reference)  # detection only: the audio is not gated
        louder = self.louder.louder(mic, reference)
        return self.gate.person_talking and louder


@dataclass
class OwnVoice:
    """Tells a person's word from the player's own echo, block by block."""

    detector: TalkOverDetector = field(default_factory=GateAndLevel)
    sample_rate: int = 16000
    recognition_lag: float = RECOGNITION_LAG
    talk_over_window: float = TALK_OVER_WINDOW
    _heard: float = 0.0  # seconds of microphone audio so far
    _sounding_at: float = -1e9
    _person_at: float = -1e9

    @property
    def now(self) -> float:
        """Seconds of microphone audio judged so far (the microphone's time line)."""
        return self._heard

    def hear(
        self, mic: npt.ArrayLike, cleaned: npt.ArrayLike, reference: npt.ArrayLike
    ) -> BlockVerdict:
        """Judge one block: the raw microphone samples, the same after echo cancelling,
        and what the speaker played when they were captured (all the same length)."""
        verdict = BlockVerdict(
            player_sounding=rms(reference) > SOUNDING_FLOOR,
            person_talking=self.detector.person(mic, cleaned, reference),
        )
        seconds = np.asarray(reference).size / self.sample_rate
        self.block(
            seconds,
            player_sounding=verdict.player_sounding,
            person_talking=verdict.person_talking,
        )
        return verdict

    def block(self, seconds: float, *, player_sounding: bool, person_talking: bool) -> None:
        """Record one block whose verdict is already known."""
        self._heard += seconds
        if player_sounding:
            self._sounding_at = self._heard
        if person_talking:
            self._person_at = self._heard

    def accepts(self, meaning: Meaning) -> bool:
        """May a word heard at the end of the latest block act?"""
        if self._heard - self._sounding_at >= self.recognition_lag:
            return True  # the player was quiet: anything goes
        person = self._heard - self._person_at < self.talk_over_window
        return acts_over_speech(meaning) and person
