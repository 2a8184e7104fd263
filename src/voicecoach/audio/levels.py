"""Sound levels: RMS and decibels of sample blocks, shared by the echo and talk-over checks."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SOUNDING_FLOOR = 10 ** (-55 / 20)  # reference RMS above which the player counts as speaking


def rms(x: npt.ArrayLike) -> float:
    a = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.mean(np.square(a)))) if a.size else 0.0


def level_db(x: npt.ArrayLike) -> float:
    return 20 * float(np.log10(max(rms(x), 1e-9)))
