"""A speaker that outlives its device.

When the output device goes (headphones unplugged, the sound server restarted), the
session must not stall or go on in a silence nobody explains. `FailoverSpeaker` notices
the loss at the next sentence, tells the person on screen, carries on with a
`PrintSpeaker` that keeps the session's time, and tries to open a speaker again every
`RETRY_SECONDS`; when one opens, the next sentence is heard again and the screen says so.

It is the one Speaker the rest of the player holds, so the echo canceller's reference
(`played_reference`) always comes from whichever device is playing now.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from voicecoach.audio.speaker import PrintSpeaker, Speaker

RETRY_SECONDS = 5.0
LOST = "The speaker was lost. I will show what I say here and keep trying to reconnect."
BACK = "The speaker is back."


class FailoverSpeaker:
    def __init__(
        self,
        first: Speaker,
        reopen: Callable[[], Speaker | None],
        note: Callable[[str], None],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`reopen` opens the configured speaker again (None when there still is none)."""
        self.current = first
        self._reopen = reopen
        self._note = note
        self._clock = clock
        self._lost_at: float | None = None
        self._tried_at = 0.0
        self._volume: float | None = None
        self._carried: list[int] = []  # finished on the old device, not yet reported

    def say(self, utterance_id: int, samples: np.ndarray, sample_rate: int, text: str = "") -> None:
        self._check()
        self.current.say(utterance_id, samples, sample_rate, text)

    def stop(self) -> None:
        self.current.stop()

    def finished(self) -> list[int]:
        carried, self._carried = self._carried, []
        return carried + self.current.finished()

    def is_speaking(self) -> bool:
        return self.current.is_speaking()

    def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
        return self.current.played_reference(frames, captured_at)

    def set_volume(self, volume: float) -> None:
        self._volume = volume
        self.current.set_volume(volume)

    def close(self) -> None:
        self.current.close()

    def _check(self) -> None:
        now = self._clock()
        if self._lost_at is None:
            if getattr(self.current, "alive", True):
                return
            self._swap(PrintSpeaker(echo=False))
            self._lost_at = self._tried_at = now
            self._note(LOST)
            return
        if now - self._tried_at < RETRY_SECONDS:
            return
        self._tried_at = now
        speaker = self._reopen()
        if speaker is not None and getattr(speaker, "alive", True):
            self._swap(speaker)
            self._lost_at = None
            self._note(BACK)
        elif speaker is not None:
            speaker.close()

    def _swap(self, speaker: Speaker) -> None:
        old, self.current = self.current, speaker
        if self._volume is not None:
            speaker.set_volume(self._volume)
        old.stop()
        self._carried += old.finished()
        old.close()
