"""A microphone for enrolment tests: each opening plays one take, then falls silent.

Implements voicecoach.audio.microphone.Microphone. `read()` never waits: it returns the next
20 ms block (quiet room noise, the clip, quiet room noise) and then None at once, as a
microphone does when nothing more arrives within the timeout.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
RATE = 16000
BLOCK = RATE // 50
NOISE_LEVEL = 3e-4
"""RMS of the quiet room around each take (about -70 dBFS)."""


class FakeEnrolMicrophone:
    sample_rate = RATE

    def __init__(
        self, clip: FloatArray | None, lead: float = 0.5, tail: float = 1.0, seed: int = 0
    ) -> None:
        """`clip` (16 kHz) between `lead` and `tail` seconds of room noise; None for a take
        in which nobody speaks."""
        noise = np.random.default_rng(seed)
        parts: list[npt.NDArray[np.floating]] = [noise.normal(0, NOISE_LEVEL, int(lead * RATE))]
        if clip is not None:
            parts += [clip, noise.normal(0, NOISE_LEVEL, int(tail * RATE))]
        audio = np.concatenate(parts).astype(np.float32)
        self._blocks = [audio[i : i + BLOCK] for i in range(0, len(audio), BLOCK)]
        self.reads = 0
        self.closed = False

    def read(self, timeout: float) -> np.ndarray | None:
        self.reads += 1
        return self._blocks.pop(0) if self._blocks else None

    @property
    def alive(self) -> bool:
        return not self.closed

    def close(self) -> None:
        self.closed = True


class FakeEnrolMicrophones:
    """Opens a FakeEnrolMicrophone per take, with the clips in order (None: silence)."""

    def __init__(self, clips: Iterable[FloatArray | None]) -> None:
        self._clips = list(clips)
        self.opened: list[FakeEnrolMicrophone] = []

    def open(self) -> FakeEnrolMicrophone:
        if not self._clips:
            raise AssertionError("the session opened the microphone more often than expected")
        microphone = FakeEnrolMicrophone(self._clips.pop(0), seed=len(self.opened))
        self.opened.append(microphone)
        return microphone

    @property
    def all_closed(self) -> bool:
        return all(m.closed for m in self.opened)
