"""A second opinion on whether a person is talking over the player, from raw levels.

`echo_cancel.SelfSpeechGate` hears a person when the echo canceller's output is much
louder than the echo it usually leaves. That needs the canceller to be in step with the
speaker. When a busy computer makes the speaker underrun or the microphone drop audio,
the canceller loses step for a while, the player's own voice comes through almost whole,
and the gate would take it for a person.

`LouderThanEcho` does not depend on that alignment. The player's voice can only reach the
microphone as loud as the loudest thing it played within the last `window_s` seconds,
times the room's gain. The gain is learned, per 20 ms block, as a high percentile of
(microphone level - loudest recent playback level) over blocks with nobody talking over.
A block is "louder than the echo" when it is `margin_db` above that. The live player
believes a person is talking over it only when both the gate and this check say so.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from voicecoach.audio.levels import SOUNDING_FLOOR, rms


class LouderThanEcho:
    def __init__(
        self,
        *,
        window_s: float = 0.6,
        margin_db: float = 6.0,
        history_s: float = 10.0,
        learn_s: float = 1.0,
        percentile: float = 95.0,
        block_s: float = 0.02,
    ) -> None:
        self._recent = np.zeros(max(1, round(window_s / block_s)))
        self._blocks = 0
        self._history = np.zeros(max(1, round(history_s / block_s)))
        self._learned = 0  # ratios stored in _history so far
        self._learn = max(1, round(learn_s / block_s))
        self._margin_db = margin_db
        self._percentile = percentile
        self._expected = 0.0  # refreshed every REFRESH blocks: it moves slowly
        self.above_echo_db = float("inf")
        """How far the last block stood above the loudest echo expected (inf: no echo)."""

    REFRESH = 5

    def louder(self, mic: npt.ArrayLike, reference: npt.ArrayLike) -> bool:
        """Whether this microphone block is louder than the player's echo could make it.

        True while nothing has been played lately (anything heard is someone else) and
        while the room's gain is still being learned (the gate alone decides then)."""
        self._recent[self._blocks % len(self._recent)] = rms(reference)
        self._blocks += 1
        self.above_echo_db = float("inf")
        loudest = float(self._recent.max())
        if loudest <= SOUNDING_FLOOR:
            return True
        ratio_db = 20 * float(np.log10(max(rms(mic), 1e-9) / loudest))
        if self._learned < self._learn:
            self._remember(ratio_db)
            return True
        if self._blocks % self.REFRESH == 0 or self._learned == self._learn:
            known = self._history[: min(self._learned, len(self._history))]
            self._expected = float(np.percentile(known, self._percentile))
        self.above_echo_db = ratio_db - self._expected
        if ratio_db > self._expected + self._margin_db:
            return True
        self._remember(ratio_db)
        return False

    def _remember(self, ratio_db: float) -> None:
        self._history[self._learned % len(self._history)] = ratio_db
        self._learned += 1
