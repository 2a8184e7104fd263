"""Keeping time for speech that is not really played (printed or simulated speech)."""

from __future__ import annotations

from collections.abc import Callable


class UtteranceTimer:
    """One utterance at a time; each lasts its duration on `clock`. A new one, or `stop()`,
    ends the current one at once, and `finished()` reports every ended id once."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._current: tuple[int, float] | None = None  # (id, ends at)
        self._done: list[int] = []

    def start(self, utterance_id: int, seconds: float) -> None:
        self.stop()
        self._current = (utterance_id, self._clock() + seconds)

    def stop(self) -> None:
        if self._current is not None:
            self._done.append(self._current[0])
            self._current = None

    def finished(self) -> list[int]:
        if self._current is not None and self._clock() >= self._current[1]:
            self.stop()
        done, self._done = self._done, []
        return done

    def busy(self) -> bool:
        return self._current is not None and self._clock() < self._current[1]
