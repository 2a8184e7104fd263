"""A recogniser that reports phrases at stream positions the test chooses."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from voicecoach.listening.recognizer import Detection


class ScriptedRecognizer:
    """Reports `script` phrases at given stream positions (samples since reset)."""

    sample_rate = 16000
    name = "scripted"

    def __init__(self, script: Sequence[tuple[int, str]] = ()) -> None:
        self.script = list(script)
        self.phrases: list[str] = []
        self.phrase_sets = 0
        self.position = 0

    def set_phrases(self, phrases: Sequence[str]) -> None:
        self.phrases = list(phrases)
        self.phrase_sets += 1

    def accept(self, samples: npt.NDArray[np.float32]) -> list[Detection]:
        before, self.position = self.position, self.position + len(samples)
        return [
            Detection(text, final=True, at_sample=self.position)
            for at, text in self.script
            if before < at <= self.position and text in self.phrases
        ]

    def reset(self) -> None:
        self.position = 0
