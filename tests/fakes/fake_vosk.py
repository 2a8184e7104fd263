"""A fake of vosk's Model and KaldiRecognizer that "hears" a scripted timeline.

Like the real recogniser it is fed 16-bit PCM bytes: AcceptWaveform returns True when an
utterance has become final (then Result() holds it), else False (then PartialResult()
holds the words so far). The script says what has been recognised by which stream
position, e.g.

    vosk = FakeVosk([(4000, "partial", "stop"), (12000, "final", "stop")])
    recognizer = VoskRecognizer(None, model=vosk.model, recognizer_factory=vosk.recognizer)

Each FakeVosk is fresh per test; `created` holds every recogniser made, with the grammar
it was given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

ScriptEvent = tuple[int, str, str]
"""(stream position in samples, "partial" | "final", text)."""


class FakeModel:
    """vosk.Model: knows the words in `words` (every word when None)."""

    def __init__(self, words: Iterable[str] | None = None) -> None:
        self.words = None if words is None else set(words)

    def vosk_model_find_word(self, word: str) -> int:  # the real method's name
        return 0 if self.words is None or word in self.words else -1


class FakeKaldiRecognizer:
    def __init__(self, model: FakeModel, rate: int, grammar: str, script: Sequence[ScriptEvent]):
        self.model = model
        self.rate = rate
        self.grammar = grammar
        self.grammars = [grammar]
        self.words_enabled = False
        self.resets = 0
        self.position = 0
        self._script = sorted(script, key=lambda event: event[0])
        self._next = 0
        self._partial = ""
        self._final = ""

    def AcceptWaveform(self, data: bytes) -> bool:
        self.position += len(data) // 2
        while self._next < len(self._script) and self._script[self._next][0] <= self.position:
            _, kind, text = self._script[self._next]
            self._next += 1
            if kind == "final":
                self._final, self._partial = text, ""
                return True
            self._partial = text
        return False

    def Result(self) -> str:
        text, self._final = self._final, ""
        words = [{"word": w, "conf": 1.0, "start": 0.0, "end": 0.1} for w in text.split()]
        return json.dumps({"result": words, "text": text})

    def PartialResult(self) -> str:
        return json.dumps({"partial": self._partial})

    def FinalResult(self) -> str:
        text, self._partial = self._partial, ""
        return json.dumps({"text": text})

    def SetWords(self, enable: bool) -> None:
        self.words_enabled = enable

    def SetGrammar(self, grammar: str) -> None:
        self.grammar = grammar
        self.grammars.append(grammar)

    def Reset(self) -> None:
        self.resets += 1
        self._partial = ""


class FakeVosk:
    """One fake model plus a factory of fake recognisers that follow `script`."""

    def __init__(self, script: Sequence[ScriptEvent] = (), words: Iterable[str] | None = None):
        self.model = FakeModel(words)
        self.script = list(script)
        self.created: list[FakeKaldiRecognizer] = []

    def recognizer(self, model: object, rate: int, grammar: str) -> FakeKaldiRecognizer:
        assert isinstance(model, FakeModel)
        made = FakeKaldiRecognizer(model, rate, grammar, self.script)
        self.created.append(made)
        return made
