"""Is this the player's own voice? The one place that decides.

Two detectors feed it, block by block of microphone audio (`GateAndLevel`):
- the echo canceller's `SelfSpeechGate` (audio/echo/canceller.py) hears a person when the
  cancelled signal is much louder than the echo the canceller usually leaves;
- `LouderThanEcho` (audio/echo/talk_over.py) checks the raw level against the loudest
  thing played lately, so a canceller that lost step (an underrun) is not taken for a person.
While the player's echo may be in the signal a person is talking only when both say so.
Once the echo is gone (the gate's window), a person is whatever the level check lets
through and stands VOICE_ABOVE_FLOOR_DB above the noise floor of the cleaned signal.

The rules for a heard word, judged by when it was said (its span on the microphone's time
line, `HeardWord.started`/`ended`), not by when the recogniser reported it:
- A word whose span the player's voice did not reach (nothing played from ECHO_TAIL before
  its start to its end) is a person's: anything acts. So "harder" said the moment the
  player falls quiet acts, though the spotter reports it half a second later.
- Over the player's speech only stop, pain and pause act (BARGE_IN): whatever is left of
  its echo after cancelling must never turn into "harder" or "skip". eval_self follows
  this rule too.
- And over its speech such a word acts only if a person was heard talking over it during
  the word (or up to ONSET_BEFORE before it), so the player's own "say pain if anything
  hurts" is never taken for a person saying pain.
A word without a start (an engine with no word times) is taken to span the RECOGNITION_LAG
before it was reported: the player's last word may be reported that late.

`OwnVoice` keeps these facts per block on the microphone's own time line (seconds of audio
heard), not the wall clock: when a busy computer makes the recogniser fall behind, a word
is still judged by what was playing when that audio was captured.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from voicecoach.audio.echo.canceller import SelfSpeechGate
from voicecoach.audio.echo.talk_over import LouderThanEcho
from voicecoach.audio.levels import SOUNDING_FLOOR, level_db, rms
from voicecoach.session.vocabulary import Command, HeardWord, Meaning

BARGE_IN: frozenset[Meaning] = frozenset({Command.STOP, Command.PAIN, Command.PAUSE})

RECOGNITION_LAG = 0.8
"""A word is reported up to this long after it was said (the spotter, measured)."""
ECHO_TAIL = 0.35
"""The player's voice is heard this long after it was played (room delay and reverberant
tail, RT60 0.3 s in the simulated room), plus the word times' own slack (one 40 ms frame)."""
ONSET_BEFORE = 0.5
"""A person heard this long before a word's start counts for it (an "uh" before "stop")."""
TALK_OVER_WINDOW = 2.0
"""For a word without a start: a person heard this long before its report counts."""
KEEP_SECONDS = 20.0
"""How much of the time line is kept (a recogniser this far behind is told about)."""
ONSET_MARGIN_DB = 3.0
VOICE_ABOVE_FLOOR_DB = 12.0
QUIETEST_VOICE_DB = -65.0
FLOOR_SECONDS = 5.0


def acts_over_speech(meaning: Meaning) -> bool:
    return meaning in BARGE_IN


@dataclass(frozen=True)
class BlockVerdict:
    """What one microphone block held."""

    player_sounding: bool
    """The player's voice was playing when the block was captured."""
    person_talking: bool
    """A person was heard (over the player's voice: both detectors agree)."""
    person_starting: bool = False
    """A person may be starting to talk (the earlier, looser sign the player gives way on)."""


class TalkOverDetector(Protocol):
    def person(self, mic: npt.ArrayLike, cleaned: npt.ArrayLike, reference: npt.ArrayLike) -> bool:
        """Whether a person is heard in this block."""


@dataclass
class GateAndLevel:
    """The live detector: the canceller's gate and the raw level check must agree while
    the echo may be there; after it, the level check and a voice above the noise floor."""

    gate: SelfSpeechGate = field(default_factory=SelfSpeechGate)
    louder: LouderThanEcho = field(default_factory=LouderThanEcho)
    starting: bool = False
    """After person(): the gate hears someone and the raw level is ONSET_MARGIN_DB above
    the echo (measured: the level check's 6 dB comes ~190 ms after a word's onset, 3 dB
    ~140 ms, with no false blocks over 15 clips; the gate alone ~20 ms)."""
    _levels: deque[float] = field(default_factory=lambda: deque(maxlen=int(FLOOR_SECONDS / 0.02)))

    def person(self, mic: npt.ArrayLike, cleaned: npt.ArrayLike, reference: npt.ArrayLike) -> bool:
        self.gate.process(cleaned, reference)  # detection only: the audio is not gated
        louder = self.louder.louder(mic, reference)
        if self.gate.echo_expected:
            self.starting = self.gate.person_talking and (
                self.louder.above_echo_db > ONSET_MARGIN_DB
            )
            return self.gate.person_talking and louder
        level = level_db(cleaned)
        self._levels.append(level)
        floor = float(np.percentile(self._levels, 20))
        voice = level > max(floor + VOICE_ABOVE_FLOOR_DB, QUIETEST_VOICE_DB)
        self.starting = louder and voice
        return self.starting


@dataclass(frozen=True)
class _Block:
    start: float
    end: float
    sounding: bool
    person: bool


@dataclass
class OwnVoice:
    """Tells a person's word from the player's own echo, block by block."""

    detector: TalkOverDetector = field(default_factory=GateAndLevel)
    sample_rate: int = 16000
    _heard: float = 0.0  # seconds of microphone audio so far
    _blocks: deque[_Block] = field(default_factory=deque)

    @property
    def now(self) -> float:
        """Seconds of microphone audio judged so far (the microphone's time line)."""
        return self._heard

    def hear(
        self, mic: npt.ArrayLike, cleaned: npt.ArrayLike, reference: npt.ArrayLike
    ) -> BlockVerdict:
        """Judge one block: the raw microphone samples, the same after echo cancelling,
        and what the speaker played when they were captured (all the same length)."""
        person = self.detector.person(mic, cleaned, reference)
        verdict = BlockVerdict(
            player_sounding=rms(reference) > SOUNDING_FLOOR,
            person_talking=person,
            person_starting=person or bool(getattr(self.detector, "starting", False)),
        )
        self.block(
            np.asarray(reference).size / self.sample_rate,
            player_sounding=verdict.player_sounding,
            person_talking=verdict.person_talking,
        )
        return verdict

    def block(self, seconds: float, *, player_sounding: bool, person_talking: bool) -> None:
        """Record one block whose verdict is already known."""
        start, self._heard = self._heard, self._heard + seconds
        if player_sounding or person_talking:  # quiet blocks need no record
            self._blocks.append(_Block(start, self._heard, player_sounding, person_talking))
        while self._blocks and self._blocks[0].end < self._heard - KEEP_SECONDS:
            self._blocks.popleft()

    def accepts(self, word: HeardWord | Meaning) -> bool:
        """May this word act? A bare meaning is a word reported at the latest block."""
        if not isinstance(word, HeardWord):
            word = HeardWord(word, str(word.value), ended=self._heard)
        reach_from, ended = self._span(word)
        if not self._any(reach_from, ended, sounding=True):
            return True  # the player's voice did not reach the word: anything goes
        if word.started is None:
            person_from = ended - TALK_OVER_WINDOW
        else:
            person_from = min(word.started, ended) - ONSET_BEFORE
        return acts_over_speech(word.meaning) and self._any(person_from, ended, person=True)

    def said_over_speech(self, word: HeardWord) -> bool:
        """Whether the player's voice reached this word."""
        return self._any(*self._span(word), sounding=True)

    def _span(self, word: HeardWord) -> tuple[float, float]:
        """(from when the player's voice could reach the word, the word's end)."""
        ended = self._heard if word.ended is None else min(word.ended, self._heard)
        if word.started is None:
            return ended - RECOGNITION_LAG, ended
        return min(word.started, ended) - ECHO_TAIL, ended

    def _any(
        self, start: float, end: float, *, sounding: bool = False, person: bool = False
    ) -> bool:
        for b in reversed(self._blocks):
            if b.end <= start:
                return False
            if b.start < end and ((sounding and b.sounding) or (person and b.person)):
                return True
        return False
