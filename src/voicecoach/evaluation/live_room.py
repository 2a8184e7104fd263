"""A simulated room for the live chain: a speaker that plays in stream time, the room's
echo of it, and home noise.

`RoomSpeaker` implements audio.speaker.Speaker on a stream clock that advances one 20 ms
microphone block at a time: `next_block()` is what it plays during the next block (the
canceller's exact reference), and a cut takes effect at the next block, as a real
speaker's next 10 ms output block (plus its output latency, reported beside the figures).
`RoomEcho` is what the microphone hears of that: the played signal convolved block by
block with a room impulse response (overlap-add, so the echo under a block depends on
what was played before it): echo_cancel.simulate_room's by default, or a measured one
(a WAV file, e.g. ../shared/audio/rooms-and-noise/rir), scaled to the same level.
`NoiseBed` loops a noise recording (or a faint white floor) at a given level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from voicecoach.audio.levels import rms
from voicecoach.audio.resampling import resample

FloatArray = npt.NDArray[np.float32]
RATE = 16000
BLOCK = RATE // 50
"""20 ms, the microphone block of the player."""
ROOM = {"delay_ms": 30.0, "attenuation_db": 12.0, "reverb": 0.3}
"""The simulated room of `voicecoach eval-commands --mix-own-speech` and eval-self."""
NOISE_DBFS = -70.0
"""A faint noise floor: a real microphone never delivers exact zeros."""


def simulated_response(rate: int = RATE) -> FloatArray:
    """The impulse response of the simulated room (ROOM)."""
    from voicecoach.audio.echo.canceller import simulate_room

    length = int(ROOM["delay_ms"] * rate / 1000) + int(ROOM["reverb"] * rate) + 1
    impulse = np.zeros(length, dtype=np.float32)
    impulse[0] = 1.0
    return simulate_room(impulse, rate, ROOM["delay_ms"], ROOM["attenuation_db"], ROOM["reverb"])


def measured_response(path: Path, rate: int = RATE) -> FloatArray:
    """A measured room impulse response, delayed by the simulated room's speaker-to-mic
    time and scaled to its level (its energy ROOM["attenuation_db"] below the played)."""
    from voicecoach.audio.wav_files import read_wav

    samples, file_rate = read_wav(path)
    response = resample(samples, file_rate, rate).astype(np.float64)
    response = response[int(np.argmax(np.abs(response))) :]  # from the direct sound on
    delay = np.zeros(int(ROOM["delay_ms"] * rate / 1000))
    response = np.concatenate([delay, response])
    response *= 10 ** (-ROOM["attenuation_db"] / 20) / np.sqrt(np.sum(np.square(response)))
    out: FloatArray = response.astype(np.float32)
    return out


class RoomEcho:
    """What the microphone hears of the played signal, block by block."""

    def __init__(self, response: FloatArray | None = None) -> None:
        self.response = (simulated_response() if response is None else response).astype(np.float64)
        self._tail = np.zeros(len(self.response) - 1)

    def process(self, played: FloatArray) -> FloatArray:
        y = np.convolve(played.astype(np.float64), self.response)
        y[: len(self._tail)] += self._tail
        self._tail = y[len(played) :].copy()
        out: FloatArray = y[: len(played)].astype(np.float32)
        return out

    def reset(self) -> None:
        self._tail[:] = 0.0


@dataclass
class NoiseBed:
    """Home noise looped under everything, at `dbfs` (RMS), or white noise when no file."""

    dbfs: float = NOISE_DBFS
    path: Path | None = None
    seed: int = 11
    _loop: FloatArray | None = None
    _at: int = 0
    _rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)
        if self.path is not None:
            from voicecoach.audio.wav_files import read_for_recognizer

            loop = read_for_recognizer(self.path)
            self._loop = (loop * (10 ** (self.dbfs / 20) / max(rms(loop), 1e-9))).astype(np.float32)

    def next_block(self, n: int = BLOCK) -> FloatArray:
        if self._loop is None:
            white: FloatArray = (self._rng.standard_normal(n) * 10 ** (self.dbfs / 20)).astype(
                np.float32
            )
            return white
        index = (self._at + np.arange(n)) % len(self._loop)
        self._at = (self._at + n) % len(self._loop)
        return self._loop[index]


@dataclass
class RoomSpeaker:
    """audio.speaker.Speaker playing at 16 kHz in stream time (one block per next_block)."""

    volume: float = 1.0
    _current: tuple[int, FloatArray, int] | None = None
    _done: list[int] = field(default_factory=list)
    silenced: int = 0
    """Cuts so far (stop() or a new say() over one playing)."""

    def say(self, utterance_id: int, samples: np.ndarray, sample_rate: int, text: str = "") -> None:
        audio = resample(np.asarray(samples, np.float32), sample_rate, RATE)
        self.stop()
        self._current = (utterance_id, audio, 0)

    def stop(self) -> None:
        if self._current is not None:
            self._done.append(self._current[0])
            self._current = None
            self.silenced += 1

    def finished(self) -> list[int]:
        done, self._done = self._done, []
        return done

    def is_speaking(self) -> bool:
        return self._current is not None

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
        return np.zeros(frames, np.float32)  # the chain takes next_block() as reference

    def close(self) -> None:
        self.stop()

    def next_block(self, n: int = BLOCK) -> FloatArray:
        """What sounds during the next block (volume applied)."""
        out = np.zeros(n, dtype=np.float32)
        if self._current is None:
            return out
        uid, audio, pos = self._current
        part = audio[pos : pos + n]
        out[: len(part)] = part * np.float32(self.volume)
        if pos + n >= len(audio):
            self._done.append(uid)
            self._current = None
        else:
            self._current = (uid, audio, pos + n)
        return out

    def remaining_s(self) -> float:
        if self._current is None:
            return 0.0
        return (len(self._current[1]) - self._current[2]) / RATE
