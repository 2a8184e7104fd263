"""Changing sample rates: the one whole-signal resampler and the streaming converter.

`resample` is a windowed-sinc polyphase filter (the idea of scipy.signal.resample_poly,
with numpy alone): used for WAV clips brought to the recogniser's 16 kHz (the corpus mixes
8 kHz and 16 kHz), synthesised speech brought to the speaker's rate, and the evaluations.
It works through the output in bounded pieces, so a long sentence at 48 kHz never builds
a large index matrix. `RateConverter` does the same job block by block, with state, for a
live stream (a microphone that only opens at 48 kHz).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

RECOGNIZER_RATE = 16000
TAPS_PER_PHASE = 24
PIECE = 8192
"""Output samples computed at once (bounds the temporary arrays to a few MB)."""


def resample(samples: npt.NDArray[Any], rate: int, target: int = RECOGNIZER_RATE) -> FloatArray:
    """`samples` at `rate` Hz resampled to `target` Hz (anti-aliased, same duration)."""
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    if rate == target or len(x) == 0:
        same: FloatArray = x.copy()
        return same
    ratio = Fraction(target, rate)
    up, down = ratio.numerator, ratio.denominator
    # Low-pass at the lower of the two Nyquist frequencies, designed at the upsampled rate.
    cutoff = 0.95 / max(up, down)
    half = TAPS_PER_PHASE * up // 2
    n = np.arange(-half, half + TAPS_PER_PHASE * up - 2 * half) + 0.0
    kernel = cutoff * np.sinc(cutoff * n) * np.kaiser(len(n), 8.0) * up
    offsets = np.arange(len(n) // up + 1)
    out_len = int(np.ceil(len(x) * up / down))
    out = np.empty(out_len, dtype=np.float32)
    for first in range(0, out_len, PIECE):
        # Output sample k sits at input position k*down/up; gather the taps around it.
        position = np.arange(first, min(out_len, first + PIECE)) * down  # upsampled units
        newest = (position + half) // up  # newest input sample touching the kernel
        inputs = newest[:, None] - offsets[None, :]
        kernel_index = position[:, None] + half - inputs * up
        valid = (inputs >= 0) & (inputs < len(x)) & (kernel_index >= 0)
        valid &= kernel_index < len(kernel)
        values = np.where(valid, x[np.clip(inputs, 0, len(x) - 1)], 0.0)
        weights = np.where(valid, kernel[np.clip(kernel_index, 0, len(kernel) - 1)], 0.0)
        out[first : first + len(position)] = (values * weights).sum(axis=1)
    return out


def lowpass_taps(cutoff: float, half_width: int = 16) -> FloatArray:
    """A windowed-sinc low-pass filter; `cutoff` is a fraction of the sample rate (< 0.5)."""
    n = np.arange(-half_width, half_width + 1, dtype=np.float64)
    taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(len(n))
    out: FloatArray = (taps / taps.sum()).astype(np.float32)
    return out


class RateConverter:
    """Block-by-block sample-rate change with state, for a live stream (e.g. a
    microphone that only opens at 48 kHz feeding a 16 kHz recogniser)."""

    def __init__(self, from_rate: int, to_rate: int) -> None:
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._step = from_rate / to_rate
        self._taps = lowpass_taps(0.45 * to_rate / from_rate) if to_rate < from_rate else None
        self._half = 0 if self._taps is None else len(self._taps) // 2
        self._start = -self._half  # absolute input index of _pending[0] (zeros before 0)
        self._pending = np.zeros(self._half, dtype=np.float32)
        self._next = 0.0  # absolute input position of the next output sample

    def process(self, block: npt.NDArray[Any]) -> FloatArray:
        if self.from_rate == self.to_rate:
            same: FloatArray = np.asarray(block, dtype=np.float32).copy()
            return same
        self._pending = np.concatenate([self._pending, np.asarray(block, dtype=np.float32)])
        end = self._start + len(self._pending)  # absolute index after the last sample
        # An output at position p needs inputs up to floor(p) + 1 + half.
        last = end - 1 - self._half - 1
        if last < self._next:
            return np.zeros(0, dtype=np.float32)
        count = int((last - self._next) // self._step) + 1
        positions = self._next + np.arange(count) * self._step
        x = self._pending
        if self._taps is not None:
            x = np.convolve(x, self._taps, mode="same")
        local = positions - self._start
        out: FloatArray = np.interp(local, np.arange(len(x)), x).astype(np.float32)
        self._next += count * self._step
        keep_from = max(0, int(np.floor(self._next)) - self._start - self._half - 1)
        self._pending = self._pending[keep_from:]
        self._start += keep_from
        return out
