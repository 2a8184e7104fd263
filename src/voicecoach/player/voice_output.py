"""The player's voice: cached speech through the speaker, and giving way to a person.

`VoiceSpeech` is live_session.SpeechOutput over a real Speaker. The listening thread tells
it, block by block, whether a person is talking over it (`heard_block`). Over a sentence it
yields the floor: the output is cut at once (silent within the next 10 ms output block
plus the output latency), so their word (a "stop", perhaps) reaches the recogniser on a
clean signal; if no command comes and nobody talks for YIELD_SECONDS, it says the
interrupted sentence again from its start. The engine never hears of it: the sentence is
only reported finished once it has been heard whole (or the engine moved on). Over a
count word, which must keep its beat, it only drops its voice by DUCK_FACTOR and comes
back to the person's volume DUCK_SECONDS after they stop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from voicecoach.audio.speaker import Speaker
from voicecoach.session.events import Say
from voicecoach.speech.synth import SpeechCache

VOLUME_STEP = 0.15
DUCK_FACTOR = 0.1  # -20 dB while a person talks over the player
DUCK_SECONDS = 1.5
YIELD_AFTER_BLOCKS = 2
"""Blocks (20 ms each) of a person talking over a sentence before the player gives way:
one block alone may be a click or a canceller slip."""
YIELD_SECONDS = 1.5
"""After giving way, the sentence is said again from its start once nobody has talked for
this long and no command came."""


def cue_samples(name: str, rate: int = 16000) -> np.ndarray:
    """A soft sine tone: one short beep, or a falling two-note chime for the others."""
    notes = [(880.0, 0.12)] if name == "beep" else [(660.0, 0.18), (520.0, 0.25)]
    parts = []
    for freq, seconds in notes:
        t = np.arange(int(rate * seconds)) / rate
        envelope = np.minimum(1.0, np.minimum(t, seconds - t) * 40)
        parts.append(0.25 * np.sin(2 * np.pi * freq * t) * envelope)
    return np.concatenate(parts).astype(np.float32)


@dataclass
class _Held:
    """A sentence the player gave way on, to be said again from its start."""

    say: Say
    again_at: float


@dataclass
class VoiceSpeech:
    """live_session.SpeechOutput over a real Speaker, with cached synthesis."""

    speaker: Speaker
    cache: SpeechCache
    volume: float
    on_said: Any = None
    clock: Callable[[], float] = time.monotonic
    _current: Say | None = None
    _held: _Held | None = None
    _released: list[int] = field(default_factory=list)
    _talking_blocks: int = 0
    _ducked_until: float = 0.0
    _lock: threading.RLock = field(default_factory=threading.RLock)
    yields: int = 0
    """Sentences given way on so far."""

    def say(self, say: Say) -> None:
        with self._lock:  # each new sentence is heard at the person's chosen volume
            self._release_held()
            self._ducked_until = 0.0
            self.unduck()
            self._current = say
        self._play(say)

    def _play(self, say: Say) -> None:
        samples, rate = self.cache.get(say.text)
        self.speaker.say(say.utterance_id, samples, rate, text=say.text)
        if self.on_said is not None:
            self.on_said(say.text)

    def stop(self) -> None:
        with self._lock:
            self._release_held()
            self._current = None
            self.speaker.stop()

    def finished(self) -> list[int]:
        """Utterances done. One the player gave way on is not done: it is said again
        from its start once nobody has talked for YIELD_SECONDS (unless a command came)."""
        again: Say | None = None
        with self._lock:
            done = self.speaker.finished()
            held = self._held
            if held is not None:
                done = [uid for uid in done if uid != held.say.utterance_id]
                if self.clock() >= held.again_at:
                    self._held, again = None, held.say
                    self._current = held.say
            done += self._released
            self._released = []
        if again is not None:
            self._play(again)
        return done

    def busy(self) -> bool:
        return self._held is not None or self.speaker.is_speaking()

    def cue(self, name: str) -> None:
        # Cues use utterance id 0, which the engine never waits for.
        self.speaker.say(0, cue_samples(name), 16000, text=f"({name})")

    def change_volume(self, step: int) -> None:
        self.volume = float(np.clip(self.volume + step * VOLUME_STEP, 0.1, 1.0))
        self.speaker.set_volume(self.volume)

    def heard_block(self, person_talking: bool) -> None:
        """Called by the listening thread for every microphone block.

        A person talking over a sentence for YIELD_AFTER_BLOCKS blocks in a row: the
        player falls silent at once (the output is cut, not turned down) and listens on
        a clean signal. Over a count word, which must keep its beat, it only ducks."""
        now = self.clock()
        with self._lock:
            self._talking_blocks = self._talking_blocks + 1 if person_talking else 0
            if self._held is not None:
                if person_talking:
                    self._held.again_at = now + YIELD_SECONDS
                return
            current = self._current
            if (
                self._talking_blocks >= YIELD_AFTER_BLOCKS
                and current is not None
                and current.kind == "speech"
                and self.speaker.is_speaking()
            ):
                self.speaker.stop()
                self._held = _Held(current, now + YIELD_SECONDS)
                self._current = None
                self.yields += 1
                return
            if person_talking:
                if self._ducked_until == 0.0:
                    self.duck()
                self._ducked_until = now + DUCK_SECONDS
            elif self._ducked_until and now > self._ducked_until:
                self._ducked_until = 0.0
                self.unduck()

    def _release_held(self) -> None:
        """The engine moved on (a command, new speech): the held sentence is done with."""
        if self._held is not None:
            self._released.append(self._held.say.utterance_id)
            self._held = None

    def duck(self) -> None:
        """Someone is talking over a count: drop the player's voice at once."""
        self.speaker.set_volume(self.volume * DUCK_FACTOR)

    def unduck(self) -> None:
        self.speaker.set_volume(self.volume)
