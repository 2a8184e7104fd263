"""The engine's states, the named sets of them, and the question it may be waiting on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from voicecoach.session.events import Action
from voicecoach.session.vocabulary import Answer


class State(str, Enum):
    SPEAKING = "speaking"
    COUNTING = "counting"
    HOLDING = "holding"
    RESTING = "resting"
    WAITING_FOR_DONE = "waiting for done"
    ASKING = "asking"
    PAUSED = "paused"
    STOPPED = "stopped"
    TAKING_A_REST = "taking a rest"
    WAITING_FOR_READY = "waiting for ready"
    RESTING_AFTER_PAIN = "resting after pain"
    ENDED = "ended"


MOVING: frozenset[State] = frozenset(
    {State.SPEAKING, State.COUNTING, State.HOLDING, State.RESTING, State.WAITING_FOR_DONE}
)
"""The person is in the middle of the plan: a sentence, a movement, or a planned rest."""

AWAITING_CONTINUE: frozenset[State] = frozenset(
    {State.PAUSED, State.STOPPED, State.WAITING_FOR_READY}
)
"""Nothing happens until the person says "continue" (or "stop")."""

ON_HOLD: frozenset[State] = AWAITING_CONTINUE | {State.TAKING_A_REST}
"""The plan waits: "continue", or the end of a rest asked for, picks it up again at the
place kept in `_resume_to`."""

OFF_PLAN_RESTS: frozenset[State] = frozenset({State.TAKING_A_REST, State.RESTING_AFTER_PAIN})
"""Rests outside the plan (asked for, or after red pain): a short answer is said over the
count-down, which goes on."""

KEEPS_ITS_PLACE: frozenset[State] = ON_HOLD | {State.RESTING_AFTER_PAIN}
"""States that go back to the place kept in `_resume_to` (after red pain: the next
exercise, never the one that hurt), not to the current step."""


class QuestionKind(str, Enum):
    """What a pending question asks."""

    PAIN_START = "pain_start"
    """The pain score before the session (skippable)."""
    PAIN_END = "pain_end"
    """The pain score at the end (skippable)."""
    PAIN_NOW = "pain_now"
    """The pain score after "pain" (nothing else moves on until it is given)."""
    EASIER_OFFER = "easier_offer"
    """Green pain: would you like the easier version?"""
    MOVE_ON = "move_on"
    """After red pain eased, or tingling: go on with the next exercise (or the session)?"""
    PAIN_AGAIN = "pain_again"
    """The pain score again after the guided rest that follows red pain."""
    SKIP_OFFER = "skip_offer"
    """Amber pain on the easiest version: skip this exercise?"""
    START_OFFER = "start_offer"
    """A high start score: the gentlest session (or go on gently), or stop for today?"""

    @property
    def is_score(self) -> bool:
        """Answered with a number from zero to ten."""
        return self in (
            QuestionKind.PAIN_START,
            QuestionKind.PAIN_END,
            QuestionKind.PAIN_NOW,
            QuestionKind.PAIN_AGAIN,
        )

    @property
    def skippable_score(self) -> bool:
        """A start or end score: "skip" answers it with no score."""
        return self in (QuestionKind.PAIN_START, QuestionKind.PAIN_END)


@dataclass
class Question:
    """A question waiting for an answer."""

    kind: QuestionKind
    prompt: str
    again: str
    answers: tuple[Answer, ...]
    on_answer: Callable[[Answer | None, float], list[Action]]
    """Called with the answer, or None for "skip" / no answer after asking twice."""
    asked: int = 1
    heard: Answer | None = None
    """A score said back ("Four."), waiting out the moment in which "no", "wrong" or another
    number replaces it."""
    resume_at: int | None = None
    """Where pause, stop or rest pick up after this question, when not the current rep
    (after red pain: the next exercise, never the one stopped for pain)."""
