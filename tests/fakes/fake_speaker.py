"""Fakes for speech out: a Speaker for player tests, an output stream for speaker tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


@dataclass
class SaidUtterance:
    utterance_id: int
    text: str
    seconds: float
    started_at: float
    cut: bool = False


class FakeSpeaker:
    """Implements voicecoach.audio.speaker.Speaker on an injected clock.

    An utterance lasts as long as its samples; `finished()` reports it once the clock has
    passed its end, or at once when it was cut by `stop()` or a newer `say()`.
    """

    def __init__(self, clock: Callable[[], float] = lambda: 0.0) -> None:
        self.clock = clock
        self.said: list[SaidUtterance] = []
        self.stops = 0
        self.volume = 1.0
        self.closed = False
        self._current: SaidUtterance | None = None
        self._done: list[int] = []

    def say(self, utterance_id: int, samples: np.ndarray, sample_rate: int, text: str = "") -> None:
        self._cut_current()
        seconds = len(samples) / sample_rate if sample_rate else 0.0
        self._current = SaidUtterance(utterance_id, text, seconds, self.clock())
        self.said.append(self._current)

    def stop(self) -> None:
        self.stops += 1
        self._cut_current()

    def finished(self) -> list[int]:
        now = self.clock()
        current = self._current
        if current is not None and now >= current.started_at + current.seconds:
            self._done.append(current.utterance_id)
            self._current = None
        done, self._done = self._done, []
        return done

    def is_speaking(self) -> bool:
        current = self._current
        return current is not None and self.clock() < current.started_at + current.seconds

    def played_reference(self, frames: int) -> np.ndarray:
        return np.zeros(frames, dtype=np.float32)

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def close(self) -> None:
        self.closed = True
        self._cut_current()

    @property
    def texts(self) -> list[str]:
        return [u.text for u in self.said]

    def _cut_current(self) -> None:
        if self._current is not None:
            self._current.cut = True
            self._done.append(self._current.utterance_id)
            self._current = None


@dataclass
class FakeTimeInfo:
    outputBufferDacTime: float  # PortAudio's field names
    currentTime: float


class FakeOutputStream:
    """Stands in for sounddevice.OutputStream; the test pulls blocks with `pull()`."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.samplerate: int = kwargs["samplerate"]
        self.blocksize: int = kwargs["blocksize"]
        self.callback: Callable[..., None] = kwargs["callback"]
        self.latency = 0.03
        self.active = False
        self.time = 0.0
        self.aborted = False
        self.closed = False

    def start(self) -> None:
        self.active = True

    def abort(self) -> None:
        self.active = False
        self.aborted = True

    def close(self) -> None:
        self.closed = True

    def pull(self, dac_time: float | None = None, status: Any = None) -> FloatArray:
        """Run one callback, as the audio thread would, and return the block it wrote.

        The block sounds `latency` after the current `time` unless `dac_time` is given.
        """
        out = np.full((self.blocksize, 1), np.nan, dtype=np.float32)  # catches unwritten samples
        info = FakeTimeInfo(
            dac_time if dac_time is not None else self.time + self.latency, self.time
        )
        self.callback(out, self.blocksize, info, status)
        self.time += self.blocksize / self.samplerate
        block: FloatArray = out[:, 0].copy()
        return block


def stream_factory(holder: list[FakeOutputStream]) -> Callable[..., FakeOutputStream]:
    """A factory for SoundDeviceSpeaker(stream_factory=...) that keeps the stream made."""

    def make(**kwargs: Any) -> FakeOutputStream:
        stream = FakeOutputStream(**kwargs)
        holder.append(stream)
        return stream

    return make
