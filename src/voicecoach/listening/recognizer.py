"""The one small interface every offline recogniser offers.

Audio goes in as 16 kHz float32 mono blocks in [-1, 1]; detections of table phrases come
out. An engine reports each spoken phrase once: from a partial result (final=False) when
it is allowed to act early on that phrase (the safety words), otherwise when its result is
final. Which phrases to listen for is set at any time with set_phrases().
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Detection:
    text: str
    """A phrase of the vocabulary table (normalised), e.g. "stop", "seven"."""
    final: bool
    """False when taken from a partial result."""
    at_sample: int
    """Stream position (16 kHz samples since reset) when it was detected."""
    score: float | None = None
    start_sample: int | None = None
    """Where the phrase started in the stream (samples since reset), when the engine knows."""
    end_sample: int | None = None
    """Where the phrase ended in the stream (samples since reset), when the engine knows;
    a detection comes after this, by the engine's decoding delay."""


class Recognizer(Protocol):
    sample_rate: int
    """Always 16000."""
    name: str
    """"kws" or "vosk"."""

    def set_phrases(self, phrases: Sequence[str]) -> None:
        """What to listen for from now on."""

    def accept(self, samples: npt.NDArray[np.float32]) -> list[Detection]:
        """Feed float32 mono samples in [-1, 1]; phrases detected in them."""

    def reset(self) -> None:
        """Forget the audio so far; the stream position starts again at 0."""
