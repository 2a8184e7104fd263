"""What the person did, as it reaches the live loop: a heard (or typed) phrase, or a key."""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass

from voicecoach.session.vocabulary import HeardWord


@dataclass(frozen=True)
class InputItem:
    """Something the person did: `kind` is "heard" (a phrase) or "key" (one key). A phrase
    from the listener carries its meaning in `word`; typed phrases are understood by the
    engine's vocabulary."""

    kind: str
    text: str
    word: HeardWord | None = None


InputWait = Callable[[float], InputItem | None]
"""Wait up to `timeout` seconds for the next input; None when nothing came."""


def queue_wait(inputs: queue.Queue[InputItem]) -> InputWait:
    def wait(timeout: float) -> InputItem | None:
        try:
            return inputs.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    return wait
