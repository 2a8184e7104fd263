"""A simulated person and a silent speaker, for driving whole sessions without a person
or a sound card.

The person answers what a session waits for, like preview's: "skip" for the pain scores,
"yes" to an offer, "done" after a self-paced set. The speaker plays nothing but keeps
time as a real one does: an utterance lasts as long as its samples, on the given clock,
and it notes when each one started.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from voicecoach.player.live_session import InputItem
from voicecoach.session.engine import SessionEngine, State


def answer_for(engine: SessionEngine) -> tuple[str, float] | None:
    """(phrase, seconds to wait before saying it) when the session waits for the person."""
    question = engine.question
    if engine.state is State.ASKING and question is not None:
        if question.heard is not None:
            return None  # a score said back: the moment to take it back passes by itself
        if question.kind.skippable_score:
            return "skip", 2.0
        if question.kind.is_score:
            return "two", 2.0  # a low score: carry on
        return "yes", 2.0
    if engine.state is State.WAITING_FOR_DONE:
        step = engine.step
        exercises = engine.script.all_exercises
        index = step.place.exercise if step is not None else -1
        exercise = exercises[index] if 0 <= index < len(exercises) else None
        seconds = exercise.reps * exercise.tempo if exercise is not None else 20.0
        return "done", seconds
    if engine.state in (State.PAUSED, State.STOPPED, State.WAITING_FOR_READY):
        return "continue", 1.0
    return None


@dataclass
class Onset:
    utterance_id: int
    text: str
    at: float
    seconds: float


@dataclass
class TimedSpeaker:
    """voicecoach.audio.speaker.Speaker that plays nothing, on `clock`."""

    clock: Callable[[], float]
    onsets: list[Onset] = field(default_factory=list)
    _current: tuple[int, float] | None = None
    _done: list[int] = field(default_factory=list)
    volume: float = 1.0

    def say(self, utterance_id: int, samples: np.ndarray, sample_rate: int, text: str = "") -> None:
        now = self.clock()
        if self._current is not None:
            self._done.append(self._current[0])
        seconds = len(samples) / sample_rate if sample_rate else 0.0
        self.onsets.append(Onset(utterance_id, text, now, seconds))
        self._current = (utterance_id, now + seconds)

    def stop(self) -> None:
        if self._current is not None:
            self._done.append(self._current[0])
            self._current = None

    def finished(self) -> list[int]:
        if self._current is not None and self.clock() >= self._current[1]:
            self._done.append(self._current[0])
            self._current = None
        done, self._done = self._done, []
        return done

    def is_speaking(self) -> bool:
        return self._current is not None and self.clock() < self._current[1]

    def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
        return np.zeros(frames, dtype=np.float32)

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def close(self) -> None:
        self.stop()


@dataclass
class LoopPerson:
    """The person at a live_session.LiveSession: `wait` is its input wait (timeouts in
    session seconds on a clock `scale` times faster than real time). It answers what the
    session waits for, and passes on what the listening thread heard (`heard`)."""

    engine: SessionEngine
    speaker: TimedSpeaker
    clock: Callable[[], float]
    scale: float = 1.0
    heard: queue.Queue[InputItem] = field(default_factory=queue.Queue)
    planned: tuple[float, str] | None = None

    def wait(self, timeout: float) -> InputItem | None:
        now = self.clock()
        if self.planned is None and not self.speaker.is_speaking():
            wanted = answer_for(self.engine)
            if wanted is not None:
                self.planned = (now + wanted[1], wanted[0])
        if self.planned is not None and self.planned[0] <= now + timeout:
            timeout = max(0.0, self.planned[0] - now)
            item = self._heard_within(timeout)
            if item is not None:
                return item
            phrase, self.planned = self.planned[1], None
            return InputItem("heard", phrase)
        return self._heard_within(max(0.0, timeout))

    def _heard_within(self, timeout: float) -> InputItem | None:
        # Waits as the player's queue_wait does: on a queue, with a real-time timeout.
        try:
            return self.heard.get(timeout=timeout / self.scale)
        except queue.Empty:
            return None
