"""The engine's own time line: timers on the injected clock and the queue of sentences.

Nothing here reads a clock. Timers run when a Tick reaches their time (at their own time,
so nothing drifts with late ticks); sentences are said one after another, each waiting for
the driver's SpeechFinished, and the next step starts a sentence pause after the last one.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

from voicecoach.config.settings import SessionSettings
from voicecoach.session.events import Action, Say, SpeechFinished, StopSpeech

EPSILON = 1e-6

Then = Callable[[float], list[Action]]
"""Something to do at a time: returns the actions it takes."""


@dataclass
class _Timer:
    at: float
    seq: int
    run: Then = field(compare=False)

    def __lt__(self, other: _Timer) -> bool:
        return (self.at, self.seq) < (other.at, other.seq)


class Timeline:
    """Timers and sentences; the base every part of the engine builds on."""

    def __init__(self, settings: SessionSettings) -> None:
        self.settings = settings
        self._timers: list[_Timer] = []
        self._seq = 0
        self._utterance = 0
        self._speaking: int | None = None
        self._speech_queue: list[tuple[str, str]] = []
        self._after_speech: Then | None = None
        self._last_sentence = ""
        self._countdown_end: float | None = None
        self._countdown_label: str | None = None
        self._now = 0.0
        self._beat_waiting = 0

    def next_deadline(self) -> float | None:
        return self._timers[0].at if self._timers else None

    # ------------------------------------------------------------------ time

    def _on_tick(self, t: float) -> list[Action]:
        actions: list[Action] = []
        while self._timers and self._timers[0].at <= t + EPSILON:
            timer = heapq.heappop(self._timers)
            # Run at the timer's own time so scheduling never drifts with late ticks.
            actions += timer.run(timer.at)
        return actions

    def _at(self, when: float, run: Then) -> None:
        self._seq += 1
        heapq.heappush(self._timers, _Timer(when, self._seq, run))

    def _clear_timers(self) -> None:
        self._timers.clear()
        self._countdown_end = None
        self._countdown_label = None

    # ------------------------------------------------------------------ speech

    def _say(self, text: str, kind: str = "speech") -> Say:
        self._utterance += 1
        if kind == "speech":
            self._last_sentence = text
        return Say(self._utterance, text, kind)

    def _speak(self, texts: list[str], then: Then) -> list[Action]:
        """Say sentences one after another, then call `then` after the sentence pause.
        The caller sets the state."""
        self._speech_queue = [(t, "speech") for t in texts if t]
        self._after_speech = then
        return self._next_sentence()

    def _next_sentence(self) -> list[Action]:
        if not self._speech_queue:
            then, self._after_speech = self._after_speech, None
            self._speaking = None
            if then is None:
                return []
            self._at(self._now + self.settings.sentence_pause, then)
            return []
        text, kind = self._speech_queue.pop(0)
        say = self._say(text, kind)
        self._speaking = say.utterance_id
        return [say]

    def _on_speech_finished(self, event: SpeechFinished) -> list[Action]:
        if event.utterance_id != self._speaking:
            return []  # a count word, or speech that was cut: nothing waits for it
        return self._next_sentence()

    def _cut(self) -> list[Action]:
        """Silence now and forget everything that was scheduled."""
        self._clear_timers()
        self._speech_queue = []
        self._after_speech = None
        self._speaking = None
        self._beat_waiting = 0
        return [StopSpeech()]

    def _cut_quietly(self) -> None:
        self._clear_timers()
        self._speech_queue = []
        self._after_speech = None
        self._speaking = None
