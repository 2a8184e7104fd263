"""Fakes for sound in: a Microphone for player tests, an input stream for mic tests."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


class FakeMicrophone:
    """Implements voicecoach.audio.microphone.Microphone from blocks the test supplies."""

    sample_rate = 16000

    def __init__(self, blocks: Iterable[npt.ArrayLike] = (), block: int = 320) -> None:
        self.block = block
        self._queue: queue.Queue[FloatArray] = queue.Queue()
        self._alive = True
        self.closed = False
        for b in blocks:
            self._queue.put(np.asarray(b, dtype=np.float32))

    def push(self, samples: npt.ArrayLike) -> None:
        """Queue `samples` (16 kHz) as blocks of `block` samples."""
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        for i in range(0, len(x), self.block):
            self._queue.put(x[i : i + self.block])

    def push_silence(self, seconds: float) -> None:
        self.push(np.zeros(int(seconds * self.sample_rate), dtype=np.float32))

    def read(self, timeout: float) -> np.ndarray | None:
        if not self._alive:
            return None
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def lose(self) -> None:
        """The device disappears, as when a USB microphone is unplugged."""
        self._alive = False

    @property
    def alive(self) -> bool:
        return self._alive and not self.closed

    def close(self) -> None:
        self.closed = True


class FakeInputStream:
    """Stands in for sounddevice.InputStream; the test delivers blocks with `deliver()`."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.callback: Callable[..., None] = kwargs["callback"]
        self.active = False
        self.closed = False

    def start(self) -> None:
        self.active = True

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        self.closed = True

    def deliver(self, samples: npt.ArrayLike, status: Any = None) -> None:
        """One callback with `samples`; `status` as PortAudio's flags (CallbackFlags)."""
        block = np.asarray(samples, dtype=np.float32).reshape(-1, 1)
        self.callback(block, len(block), None, status)


@dataclass(frozen=True)
class Flags:
    """PortAudio's callback status as sounddevice.CallbackFlags spells it."""

    input_overflow: bool = False
    input_underflow: bool = False
    output_underflow: bool = False
    output_overflow: bool = False

    def __bool__(self) -> bool:
        return any(
            (self.input_overflow, self.input_underflow, self.output_underflow, self.output_overflow)
        )


def input_stream_factory(holder: list[FakeInputStream]) -> Callable[..., FakeInputStream]:
    def make(**kwargs: Any) -> FakeInputStream:
        stream = FakeInputStream(**kwargs)
        holder.append(stream)
        return stream

    return make
