"""The pain dialogue: a small machine of its own, started by "pain" in any state.

    SCORE --green--> EASIER_OFFER --yes--> easier version, same rep
          |                       --no---> carry on gently, same rep
          |                       --none-> paused
          --amber--> easier version (or "already the easiest"), same rep
          --red----> MOVE_ON --yes--> next exercise (never the painful one)
          |                  --no---> the session ends kindly
          |                  --none-> paused; "continue" goes on at the next exercise
          --second red, or 3+ above the start score--> the session ends kindly

Outside an exercise (introduction, closing words) nothing is stopped: green and amber carry
on where the session was, red asks whether to carry on with the session.
"""

from __future__ import annotations

from enum import Enum

from voicecoach.session.asking import score_of
from voicecoach.session.events import Action, Log
from voicecoach.session.level_change import LevelChanges
from voicecoach.session.safety_words import (
    END_FOR_PAIN,
    PAIN_ASK_AGAIN,
    PAIN_FIRST_WORDS,
    PAIN_QUESTION,
)
from voicecoach.session.states import Question, QuestionKind, State
from voicecoach.session.vocabulary import SCORE_ANSWERS, YES_NO_ANSWERS, Answer


class PainStage(str, Enum):
    SCORE = "score"
    EASIER_OFFER = "easier offer"
    MOVE_ON = "move on"


class PainDialogue:
    """One "pain", from the moment it is said until the session goes on or ends."""

    def __init__(self, engine: LevelChanges) -> None:
        self.engine = engine
        self.stage = PainStage.SCORE
        self.resume_index = engine._resume_index()
        """The rep the session goes back to when it carries on with this exercise."""
        self.exercise_index = engine._current_exercise_index()
        """The exercise the pain came in (None in the introduction or the closing words)."""

    def begin(self, t: float) -> list[Action]:
        e = self.engine
        actions = e._cut()
        question = Question(
            QuestionKind.PAIN_NOW, PAIN_QUESTION, PAIN_ASK_AGAIN, SCORE_ANSWERS, self._scored
        )
        return [
            *actions,
            Log("command_heard", {"command": "pain", "state": e.state.value}),
            *e._ask(question, t, before=[PAIN_FIRST_WORDS]),
        ]

    # ------------------------------------------------------------------ SCORE

    def _scored(self, answer: Answer | None, t: float) -> list[Action]:
        e = self.engine
        score = score_of(answer)
        zone = "red" if score is None else e.settings.pain_zones.zone(score)
        logs: list[Action] = [
            Log(
                "pain_score",
                {
                    "moment": "during",
                    "score": score,
                    "zone": zone,
                    "exercise": e._exercise_name(self.exercise_index),
                },
            )
        ]
        if zone == "red":
            e.red_count += 1
        e.pain_end = score if score is not None else e.pain_end
        if e.red_count >= 2 or e._pain_rose_too_much(score):
            return logs + e._finish(t, "pain", END_FOR_PAIN + " Well done for stopping.")
        if zone == "green":
            return logs + self._offer_easier(t)
        if zone == "amber":
            return logs + self._amber(t)
        return logs + self._red(t, no_answer=score is None)

    # ------------------------------------------------------------------ green

    def _offer_easier(self, t: float) -> list[Action]:
        e = self.engine
        if self.exercise_index is None:
            e.state = State.SPEAKING
            return e._speak(
                ["Thank you. Carry on gently, only if it feels all right."],
                lambda at: e._resume(at, self.resume_index),
            )
        self.stage = PainStage.EASIER_OFFER
        return e._ask(
            Question(
                QuestionKind.EASIER_OFFER,
                "Would you like the easier version? Say yes or no.",
                "Would you like the easier version? Yes or no.",
                tuple(YES_NO_ANSWERS),
                self._easier_answered,
            ),
            t,
            before=["Thank you. It is fine to carry on gently, only if it feels all right."],
        )

    def _easier_answered(self, answer: Answer | None, t: float) -> list[Action]:
        e = self.engine
        if answer is Answer.YES:
            return e._change_level(t, -1, self.exercise_index, self.resume_index)
        if answer is None:
            return e._pause(
                t, "No problem. We are paused. Say continue when you are ready.", self.resume_index
            )
        e.state = State.SPEAKING
        return e._speak(
            ["All right. Carry on gently."], lambda at: e._resume(at, self.resume_index)
        )

    # ------------------------------------------------------------------ amber

    def _amber(self, t: float) -> list[Action]:
        e = self.engine
        if self.exercise_index is None:
            return e._pause(
                t,
                "Thank you. Let's take it gently. Say continue when you are ready.",
                self.resume_index,
            )
        return e._change_level(
            t,
            -1,
            self.exercise_index,
            self.resume_index,
            lead="Thank you. Let's make this exercise easier.",
        )

    # ------------------------------------------------------------------ red

    def _red(self, t: float, no_answer: bool) -> list[Action]:
        e = self.engine
        lead = (
            "I did not hear a number, so let's be careful."
            if no_answer
            else "Thank you for telling me."
        )
        # Outside an exercise (introduction, ending) there is nothing to stop: carry on from
        # where we were, never back to the first exercise.
        next_index = (
            self.resume_index
            if self.exercise_index is None
            else e._next_exercise_start(self.exercise_index)
        )
        actions: list[Action] = []
        if self.exercise_index is not None:
            actions.append(
                Log(
                    "exercise_stopped",
                    {
                        "exercise": e._exercise_name(self.exercise_index),
                        "reason": "pain",
                        "sets_skipped": sum(1 for s in e.plan[e.index : next_index] if s.ends_set),
                    },
                )
            )

        def answered(answer: Answer | None, at: float) -> list[Action]:
            if answer is Answer.YES:
                e.index = next_index
                e.state = State.SPEAKING
                words = (
                    "All right. Moving on, gently."
                    if self.exercise_index is not None
                    else "All right. Carrying on, gently."
                )
                return e._speak([words], e._run_from_index)
            if answer is Answer.NO:
                return e._finish(at, "pain", END_FOR_PAIN + " Well done for today.")
            return e._pause(
                at,
                "We are paused. Say continue when you want to move on, or stop to finish.",
                next_index,
            )

        if self.exercise_index is None:
            prompt = "Would you like to carry on with the session? Say yes or no."
            again = "Shall we carry on with the session? Yes or no."
            before = [lead, "Stay comfortable and breathe."]
        else:
            prompt = "Would you like to move on to the next exercise? Say yes or no."
            again = "Shall we move on to the next exercise? Yes or no."
            before = [lead, "We will stop this exercise here. Stay comfortable and breathe."]
        self.stage = PainStage.MOVE_ON
        return actions + e._ask(
            Question(
                QuestionKind.MOVE_ON,
                prompt,
                again,
                tuple(YES_NO_ANSWERS),
                answered,
                resume_at=next_index,
            ),
            t,
            before=before,
        )
