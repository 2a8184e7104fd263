"""The listening path fed from files in real-time-sized blocks, with the player's own
speech echoed by a simulated room: shared by the latency and CPU measurements.

`RoomEcho` is echo_cancel.simulate_room as a stream (the same impulse response, applied
block by block with overlap-add), so the echo under a block depends on what was played
before it, as in a room.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
RATE = 16000
BLOCK = RATE // 50
"""20 ms, the microphone block of the player."""
ROOM = {"delay_ms": 30.0, "attenuation_db": 12.0, "reverb": 0.3}
"""The simulated room of `voicecoach eval-commands --mix-own-speech` (own_speech.py)."""
NOISE_DBFS = -70.0
"""A faint noise floor: a real microphone never delivers exact zeros."""


class RoomEcho:
    """What the microphone hears of the played signal, block by block."""

    def __init__(self, rate: int = RATE) -> None:
        from voicecoach.audio.echo.canceller import simulate_room

        length = int(ROOM["delay_ms"] * rate / 1000) + int(ROOM["reverb"] * rate) + 1
        impulse = np.zeros(length, dtype=np.float32)
        impulse[0] = 1.0
        self.response = simulate_room(
            impulse, rate, ROOM["delay_ms"], ROOM["attenuation_db"], ROOM["reverb"]
        ).astype(np.float64)
        self._tail = np.zeros(len(self.response) - 1)

    def process(self, played: FloatArray) -> FloatArray:
        y = np.convolve(played.astype(np.float64), self.response)
        y[: len(self._tail)] += self._tail
        self._tail = y[len(played) :].copy()
        out: FloatArray = y[: len(played)].astype(np.float32)
        return out

    def reset(self) -> None:
        self._tail[:] = 0.0


@dataclass(frozen=True)
class SpokenClip:
    name: str
    samples: FloatArray
    """16 kHz."""
    speech_end: int
    """Sample just after the end of speech."""


def clips_of(manifest: Path, word: str, limit: int | None = None) -> list[SpokenClip]:
    """The manifest's clips of `word` (16 kHz); with `limit`, that many spread evenly."""
    from voicecoach.audio.wav_files import read_for_recognizer, speech_end

    with manifest.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r.get("word") == word]
    if limit is not None and 0 < limit < len(rows):
        step = len(rows) / limit
        rows = [rows[int(i * step)] for i in range(limit)]
    clips = []
    for row in rows:
        samples = read_for_recognizer(manifest.parent / row["path"])
        clips.append(SpokenClip(row["path"], samples, speech_end(samples)))
    return clips


def noise(rng: np.random.Generator, n: int, dbfs: float = NOISE_DBFS) -> FloatArray:
    out: FloatArray = (rng.standard_normal(n) * 10 ** (dbfs / 20)).astype(np.float32)
    return out


def speech_track(sentences: Sequence[str], gap_s: float = 0.4) -> FloatArray:
    """The sentences synthesised at the player's level, one after another, 16 kHz."""
    from voicecoach.audio.resampling import resample
    from voicecoach.config.settings import SpeechSettings
    from voicecoach.speech.synth import SpeechCache

    speech = SpeechSettings()
    cache = SpeechCache(speech)
    gap = np.zeros(int(gap_s * RATE), dtype=np.float32)
    parts: list[FloatArray] = []
    for sentence in sentences:
        samples, rate = cache.get(sentence)
        parts += [resample(np.asarray(samples, np.float32), rate) * np.float32(speech.volume), gap]
    return np.concatenate(parts).astype(np.float32)
