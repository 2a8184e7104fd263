"""Small statistics helpers (pure Python, so they are easy to check)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between the closest ranks
    (numpy's default method); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0-100, not {q}")
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    share = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * share


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 50)


def summary(values: Sequence[float], digits: int = 4) -> dict[str, float | int | None]:
    """n, min, median, p95 and max of `values` (rounded), for the raw results."""

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, digits)

    return {
        "n": len(values),
        "min": r(min(values)) if values else None,
        "p50": r(median(values)),
        "p95": r(percentile(values, 95)),
        "max": r(max(values)) if values else None,
    }
