"""The player's voice: cached speech through the speaker, and giving way to a person.

`VoiceSpeech` is live_session.SpeechOutput over a real Speaker. The listening thread tells
it, block by block, whether a person is talking over it (`heard_block`); it then drops its
voice by DUCK_FACTOR at once so their word (a "stop", perhaps) reaches the recogniser
clean, and comes back to the person's volume DUCK_SECONDS after they stop.
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
class VoiceSpeech:
    """live_session.SpeechOutput over a real Speaker, with cached synthesis."""

    speaker: Speaker
    cache: SpeechCache
    volume: float
    on_said: Any = None
    clock: Callable[[], float] = time.monotonic
    _ducked_until: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def say(self, say: Say) -> None:
        with self._lock:  # each new sentence is heard at the person's chosen volume
            self._ducked_until = 0.0
            self.unduck()
        samples, rate = self.cache.get(say.text)
        self.speaker.say(say.utterance_id, samples, rate, text=say.text)
        if self.on_said is not None:
            self.on_said(say.text)

    def stop(self) -> None:
        self.speaker.stop()

    def finished(self) -> list[int]:
        return self.speaker.finished()

    def busy(self) -> bool:
        return self.speaker.is_speaking()

    def cue(self, name: str) -> None:
        # Cues use utterance id 0, which the engine never waits for.
        self.speaker.say(0, cue_samples(name), 16000, text=f"({name})")

    def change_volume(self, step: int) -> None:
        self.volume = float(np.clip(self.volume + step * VOLUME_STEP, 0.1, 1.0))
        self.speaker.set_volume(self.volume)

    def heard_block(self, person_talking: bool) -> None:
        """Called by the listening thread for every microphone block."""
        now = self.clock()
        with self._lock:
            if person_talking:
                if self._ducked_until == 0.0:
                    self.duck()
                self._ducked_until = now + DUCK_SECONDS
            elif self._ducked_until and now > self._ducked_until:
                self._ducked_until = 0.0
                self.unduck()

    def duck(self) -> None:
        """Someone is talking over the player: drop its voice at once."""
        self.speaker.set_volume(self.volume * DUCK_FACTOR)

    def unduck(self) -> None:
        self.speaker.set_volume(self.volume)
