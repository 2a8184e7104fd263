"""Sound levels: RMS, decibels and the active-speech level of sample blocks (the one of each)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SOUNDING_FLOOR = 10 ** (-55 / 20)  # reference RMS above which the player counts as speaking


def rms(x: npt.ArrayLike) -> float:
    a = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.mean(np.square(a)))) if a.size else 0.0


def level_db(x: npt.ArrayLike) -> float:
    return 20 * float(np.log10(max(rms(x), 1e-9)))


def active_rms(x: npt.ArrayLike, frame: int = 160, floor_db: float = 20.0) -> float:
    """RMS over the frames of `frame` samples within `floor_db` of the loudest: the level of
    the speech itself, not diluted by the pauses around it. The default (10 ms at 16 kHz,
    20 dB) is the SNR definition of the evaluations; synthesis levels sentences over 40 dB.
    A signal shorter than one frame gives its plain RMS."""
    a = np.asarray(x, dtype=np.float64).reshape(-1)
    frames = len(a) // frame
    if frames == 0:
        return rms(a)
    power = np.mean(np.square(a[: frames * frame]).reshape(frames, frame), axis=1)
    active = power[power >= power.max() * 10 ** (-floor_db / 10)]
    return float(np.sqrt(np.mean(active))) if active.size else 0.0
