"""What went wrong in an audio stream's callbacks, counted where it happened.

PortAudio hands every callback a `status` (sounddevice.CallbackFlags): the input
overflowed (the sound card had samples nobody took), or the output underflowed (it ran
out of samples and played silence). A busy computer shows up here first, before any
word is missed, so the microphone and the speaker count these flags beside the blocks
they dropped themselves. Counting is a few attribute reads: fit for the audio thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class StreamHealth:
    dropped_blocks: int = 0
    """Blocks the program itself let go (e.g. a reader that stalled)."""
    input_overflows: int = 0
    input_underflows: int = 0
    output_underflows: int = 0
    output_overflows: int = 0

    def count(self, status: Any) -> None:
        """Add the flags of one callback's `status` (None or falsy: all is well)."""
        if not status:
            return
        self.input_overflows += bool(getattr(status, "input_overflow", False))
        self.input_underflows += bool(getattr(status, "input_underflow", False))
        self.output_underflows += bool(getattr(status, "output_underflow", False))
        self.output_overflows += bool(getattr(status, "output_overflow", False))

    @property
    def troubled(self) -> bool:
        return any(
            (
                self.dropped_blocks,
                self.input_overflows,
                self.input_underflows,
                self.output_underflows,
                self.output_overflows,
            )
        )

    def describe(self) -> str:
        """E.g. "2 blocks dropped, 1 input overflow" (empty when all is well)."""
        parts = [
            (self.dropped_blocks, "block dropped", "blocks dropped"),
            (self.input_overflows, "input overflow", "input overflows"),
            (self.input_underflows, "input underflow", "input underflows"),
            (self.output_underflows, "output underflow", "output underflows"),
            (self.output_overflows, "output overflow", "output overflows"),
        ]
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)
