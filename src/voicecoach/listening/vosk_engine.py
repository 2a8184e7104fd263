"""Vosk in grammar mode behind the Recognizer interface.

The grammar is the list of phrases plus "[unk]", so other speech has somewhere to go
(without it grammar mode turns any sound into a confident command). A final result waits
for trailing silence, which is too slow for "stop": phrases in `early_phrases` (the safety
words) are reported from the partial result as soon as they appear there, and not again
when the same utterance becomes final. Everything else is reported from final results,
where Vosk has had the whole utterance to decide.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from voicecoach.errors import ModelError
from voicecoach.listening.recognizer import SAMPLE_RATE, Detection

UNKNOWN = "[unk]"


class KaldiLike(Protocol):
    """The part of vosk.KaldiRecognizer used here (tests/fakes/fake_vosk.py fakes it)."""

    def AcceptWaveform(self, data: bytes) -> bool: ...
    def Result(self) -> str: ...
    def PartialResult(self) -> str: ...
    def FinalResult(self) -> str: ...
    def SetWords(self, enable: bool) -> None: ...
    def Reset(self) -> None: ...


RecognizerFactory = Callable[[Any, int, str], KaldiLike]
"""(model, sample rate, grammar JSON) -> a KaldiRecognizer."""


def _real_recognizer(model: Any, rate: int, grammar: str) -> KaldiLike:
    import vosk

    recognizer: KaldiLike = vosk.KaldiRecognizer(model, rate, grammar)
    return recognizer


class VoskRecognizer:
    """Grammar-mode Vosk with early reporting of the safety words."""

    name = "vosk"
    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        model_dir: Path | None,
        early_phrases: Collection[str] = (),
        *,
        model: Any = None,
        recognizer_factory: RecognizerFactory = _real_recognizer,
    ) -> None:
        """Load the model in `model_dir`, or use an already loaded `model` (tests pass a
        fake one together with a fake `recognizer_factory`)."""
        if model is None:
            if model_dir is None:
                raise ModelError("No Vosk model directory given.")
            from voicecoach.store.models import open_vosk_model

            model = open_vosk_model(model_dir)
        self._model = model
        self._make = recognizer_factory
        self._early = frozenset(early_phrases)
        self._phrases: tuple[str, ...] = ()
        self._by_words: dict[tuple[str, ...], str] = {}
        self._longest = 1
        self._recognizer: KaldiLike | None = None
        self._fed = 0
        self._reported_early: Counter[str] = Counter()

    def grammar(self) -> str:
        """The grammar JSON given to Vosk: the phrases it knows plus "[unk]"."""
        return json.dumps([*self._phrases, UNKNOWN])

    def set_phrases(self, phrases: Sequence[str]) -> None:
        known = [p for p in dict.fromkeys(phrases) if self._model_knows(p)]
        self._phrases = tuple(known)
        self._by_words = {tuple(p.split()): p for p in known}
        self._longest = max((len(words) for words in self._by_words), default=1)
        self._reported_early.clear()
        current = self._recognizer
        set_grammar = getattr(current, "SetGrammar", None)
        if current is not None and callable(set_grammar):
            set_grammar(self.grammar())
            return
        self._recognizer = self._make(self._model, SAMPLE_RATE, self.grammar())
        self._recognizer.SetWords(True)

    def accept(self, samples: npt.NDArray[np.float32]) -> list[Detection]:
        self._fed += len(samples)
        if self._recognizer is None:
            return []
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        if self._recognizer.AcceptWaveform(pcm):
            return self._final(_text(self._recognizer.Result(), "text"))
        return self._partial(_text(self._recognizer.PartialResult(), "partial"))

    def reset(self) -> None:
        self._fed = 0
        self._reported_early.clear()
        if self._recognizer is not None:
            self._recognizer.Reset()

    def _partial(self, text: str) -> list[Detection]:
        found: list[Detection] = []
        for phrase, count in Counter(self._phrases_in(text)).items():
            if phrase not in self._early:
                continue
            for _ in range(count - self._reported_early[phrase]):
                found.append(Detection(phrase, final=False, at_sample=self._fed))
            self._reported_early[phrase] = max(count, self._reported_early[phrase])
        return found

    def _final(self, text: str) -> list[Detection]:
        already = self._reported_early
        self._reported_early = Counter()
        found: list[Detection] = []
        for phrase in self._phrases_in(text):
            if already[phrase] > 0:  # reported from a partial of this utterance
                already[phrase] -= 1
                continue
            found.append(Detection(phrase, final=True, at_sample=self._fed))
        return found

    def _phrases_in(self, text: str) -> list[str]:
        """Whole grammar phrases in a result, longest match first; "[unk]" separates."""
        words = text.split()
        found: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 0, -1):
                phrase = self._by_words.get(tuple(words[i : i + size]))
                if phrase is not None:
                    found.append(phrase)
                    i += size
                    break
            else:
                i += 1
        return found

    def _model_knows(self, phrase: str) -> bool:
        # Words outside the model's vocabulary make Vosk drop them with a warning.
        find_word = getattr(self._model, "vosk_model_find_word", None)
        if not callable(find_word):
            return True
        return all(find_word(word) != -1 for word in phrase.split())


def _text(result_json: str, key: str) -> str:
    try:
        value = json.loads(result_json).get(key, "")
    except (json.JSONDecodeError, AttributeError):  # a malformed result is heard as nothing
        return ""
    return value if isinstance(value, str) else ""
