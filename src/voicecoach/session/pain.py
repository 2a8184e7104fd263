"""The pain dialogue: a small machine of its own, started by "pain" (or "tingling") in any
state of a session.

    SCORE --green--> EASIER_OFFER --yes--> easier version, same rep
          |                       --no---> carry on gently, same rep; no answer: paused
          --amber--> easier version, same rep
          |          (already the easiest: SKIP_OFFER --yes--> next exercise
          |                                           --no---> carry on gently)
          --red----> RESTING (the exercise stops; about a minute and a half, counted down)
                     --> SCORE_AGAIN --8-10 at first, still red, or no answer--> the end
                                     --eased out of red--> MOVE_ON (next exercise for
                                       another part of the body) --yes--> on to it
                                       --no--> the end; no answer: paused there
          --a second red, or 3+ above the start score into amber or red--> the end
    "tingling" --> the exercise stops, advice --> MOVE_ON (as above)

Outside an exercise (introduction, closing words) nothing is stopped: green and amber carry
on where the session was; red rests and asks again, then asks whether to carry on.
Every end here is kind: rest, the thirty-minute rule, and when to contact the GP or
physiotherapist (safety_words.py holds every sentence, with its source).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from voicecoach.session.adaptation import level_range
from voicecoach.session.asking import score_of
from voicecoach.session.events import Action, Cue, ListenFor, ListenRole, Log, StateChanged
from voicecoach.session.level_change import LevelChanges
from voicecoach.session.safety_words import (
    END_FOR_PAIN,
    FIRST_CHECK_PAIN,
    NO_OTHER_AREA,
    PAIN_AGAIN_ASK_AGAIN,
    PAIN_AGAIN_QUESTION,
    PAIN_ASK_AGAIN,
    PAIN_EASED_OTHER_AREA,
    PAIN_FIRST_WORDS,
    PAIN_QUESTION,
    PAIN_REST_SECONDS,
    PAIN_REST_WORDS,
    RED_STOP,
    TINGLING_WORDS,
)
from voicecoach.session.states import Question, QuestionKind, State
from voicecoach.session.vocabulary import SCORE_ANSWERS, YES_NO_ANSWERS, Answer, count_word

_SAID_ON_THE_WAY = ((60, "One minute left."), (30, "Thirty seconds."), (10, "Ten seconds."))

MOVE_ON_PAUSED = "We are paused. Say continue when you want to move on, or stop to finish."


class PainStage(str, Enum):
    SCORE = "score"
    EASIER_OFFER = "easier offer"
    SKIP_OFFER = "skip offer"
    RESTING = "resting"
    SCORE_AGAIN = "score again"
    MOVE_ON = "move on"


class PainDialogue:
    """One "pain" (or "tingling"), from the moment it is said until the session goes on
    or ends."""

    def __init__(self, engine: LevelChanges) -> None:
        self.engine = engine
        self.stage = PainStage.SCORE
        self.resume_index = engine._resume_index()
        """The rep the session goes back to when it carries on with this exercise."""
        self.exercise_index = engine._current_exercise_index()
        """The exercise the pain came in (None in the introduction or the closing words)."""
        self.first_score: int | None = None
        self._rest_end = 0.0

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

    def tingling(self, t: float) -> list[Action]:
        """Tingling or numbness: not a pain score. Stop the exercise and give advice."""
        e = self.engine
        actions = [
            *e._cut(),
            Log("command_heard", {"command": "tingling", "state": e.state.value}),
            Log("symptom", {"kind": "tingling", "exercise": e._exercise_name(self.exercise_index)}),
            *self._stop_exercise(),
        ]
        if self.exercise_index is None:
            return actions + e._pause(
                t, [TINGLING_WORDS, "Say continue when you are ready."], self.resume_index
            )
        return actions + self._offer_next(t, [TINGLING_WORDS], reason="tingling")

    @property
    def after_red(self) -> bool:
        """A red score was given: the rest, or the score asked again, is under way."""
        return self.stage in (PainStage.RESTING, PainStage.SCORE_AGAIN)

    def ask_after_stop(self, t: float) -> list[Action]:
        """ "stop" came before this pain was scored (or asked again after the rest); the
        person carries on: the question comes first, never the exercise."""
        if self.stage is PainStage.SCORE:
            question = Question(
                QuestionKind.PAIN_NOW, PAIN_QUESTION, PAIN_ASK_AGAIN, SCORE_ANSWERS, self._scored
            )
            return self.engine._ask(question, t, before=[FIRST_CHECK_PAIN])
        return self._ask_again(t)

    # ------------------------------------------------------------------ SCORE

    def _log_score(self, score: int | None, zone: str, **extra: object) -> Log:
        e = self.engine
        detail = {
            "moment": "during",
            "score": score,
            "zone": zone,
            "exercise": e._exercise_name(self.exercise_index),
            **extra,
        }
        return Log("pain_score", detail)

    def _scored(self, answer: Answer | None, t: float) -> list[Action]:
        e = self.engine
        score = score_of(answer)
        zone = "red" if score is None else e.settings.pain_zones.zone(score)
        logs: list[Action] = [self._log_score(score, zone)]
        if zone == "red":
            e.red_count += 1
        e.pain_end = score if score is not None else e.pain_end
        if e.red_count >= 2 or e._pain_rose_too_much(score):
            return logs + e._finish(t, "pain", END_FOR_PAIN + " Well done for stopping.")
        if zone == "green":
            return logs + self._offer_easier(t)
        if zone == "amber":
            return logs + self._amber(t)
        return logs + self._rest(t, score)

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
        return self._carry_on_gently()

    def _carry_on_gently(self) -> list[Action]:
        e = self.engine
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
        base = e.script.all_exercises[self.exercise_index]
        if e.levels.get(base.name, 0) <= level_range(base)[0]:
            return self._offer_skip(t)
        return e._change_level(
            t,
            -1,
            self.exercise_index,
            self.resume_index,
            lead="Thank you. Let's make this exercise easier.",
        )

    def _offer_skip(self, t: float) -> list[Action]:
        """Amber on the easiest version: rather than the same again, offer to skip it."""
        self.stage = PainStage.SKIP_OFFER
        return self.engine._ask(
            Question(
                QuestionKind.SKIP_OFFER,
                "Would you like to skip this exercise? Say yes or no.",
                "Shall we skip this exercise? Yes or no.",
                tuple(YES_NO_ANSWERS),
                self._skip_answered,
            ),
            t,
            before=["Thank you. This is already the easiest version."],
        )

    def _skip_answered(self, answer: Answer | None, t: float) -> list[Action]:
        e = self.engine
        if answer is Answer.YES:
            actions = self._stop_exercise()
            e.index = e._next_exercise_start(self.exercise_index)
            e.state = State.SPEAKING
            return actions + e._speak(["All right. Skipping this one."], e._run_from_index)
        if answer is None:
            return e._pause(
                t, "No problem. We are paused. Say continue when you are ready.", self.resume_index
            )
        return self._carry_on_gently()

    # ------------------------------------------------------------------ red: rest, then again

    def _stop_exercise(self) -> list[Action]:
        e = self.engine
        if self.exercise_index is None:
            return []
        start = e._next_exercise_start(self.exercise_index - 1)
        end = e._next_exercise_start(self.exercise_index)
        return [
            Log(
                "exercise_stopped",
                {
                    "exercise": e._exercise_name(self.exercise_index),
                    "reason": "pain",
                    "sets_skipped": sum(1 for s in e.plan[max(e.index, start) : end] if s.ends_set),
                },
            )
        ]

    def _rest(self, t: float, score: int | None) -> list[Action]:
        """Stop the exercise and guide a rest, counted down, then ask again."""
        e = self.engine
        self.first_score = score
        self.stage = PainStage.RESTING
        lead = (
            "I did not hear a number, so let's be careful."
            if score is None
            else "Thank you for telling me."
        )
        actions = [*self._stop_exercise(), *e._cut()]
        e.question = None
        e.state = State.RESTING_AFTER_PAIN
        # Stop, then continue, never goes back to the painful exercise.
        e._resume_to = (
            self.resume_index
            if self.exercise_index is None
            else e._next_exercise_start(self.exercise_index)
        )
        words = [lead, *([RED_STOP] if self.exercise_index is not None else []), PAIN_REST_WORDS]
        speech = e._speak(words, lambda at: [])
        self._count_down(t + PAIN_REST_SECONDS)
        # "ready" (or "done") ends the rest early: an answer word, so listened for.
        listen = ListenFor(ListenRole.ANSWER, (Answer.DONE.value,))
        return [*actions, StateChanged(State.RESTING_AFTER_PAIN.value), listen, *speech]

    def _count_down(self, end: float) -> None:
        """The rest's end, with "One minute.", "Thirty seconds." and "Ten seconds." said
        on the way (the screen counts every second)."""
        e = self.engine
        self._rest_end = end
        e._countdown_end, e._countdown_label = end, "rest"
        for left, words in _SAID_ON_THE_WAY:
            if end - left > e._now + 5:
                e._at(end - left, self._saying(words))
        e._at(end, self._ask_again)

    def _saying(self, words: str) -> Callable[[float], list[Action]]:
        def say(at: float) -> list[Action]:
            if self.engine._speaking is not None:
                return []  # never over a sentence; the screen counts every second
            return [self.engine._say(words, "count")]

        return say

    def more_rest(self, t: float) -> list[Action]:
        if self.stage is not PainStage.RESTING:
            return []
        e = self.engine
        actions = e._cut()
        seconds = e.settings.more_rest_seconds
        self._count_down(self._rest_end + seconds)
        return [*actions, e._say(f"Another {count_word(seconds)} seconds.")]

    def rest_over(self, t: float) -> list[Action]:
        """The person is ready before the rest is over ("ready", "continue", "skip")."""
        if self.stage is not PainStage.RESTING:
            return []
        return [*self.engine._cut(), *self._ask_again(t)]

    def _ask_again(self, t: float) -> list[Action]:
        e = self.engine
        e._clear_timers()
        self.stage = PainStage.SCORE_AGAIN
        question = Question(
            QuestionKind.PAIN_AGAIN,
            PAIN_AGAIN_QUESTION,
            PAIN_AGAIN_ASK_AGAIN,
            SCORE_ANSWERS,
            self._scored_again,
            resume_at=e._resume_to,
        )
        return [Cue("rest over"), StateChanged(State.ASKING.value), *e._ask(question, t)]

    def _scored_again(self, answer: Answer | None, t: float) -> list[Action]:
        e = self.engine
        score = score_of(answer)
        zone = "red" if score is None else e.settings.pain_zones.zone(score)
        logs: list[Action] = [self._log_score(score, zone, after_rest=True)]
        e.pain_end = score if score is not None else e.pain_end
        first = self.first_score
        severe = first is not None and e._severe(first)
        if severe or zone == "red":
            return logs + e._finish(t, "pain", END_FOR_PAIN + " Well done for stopping.")
        if self.exercise_index is None:
            return logs + self._offer_carry_on(t)
        return logs + self._offer_next(t, [PAIN_EASED_OTHER_AREA])

    # ------------------------------------------------------------------ moving on

    def _offer_next(self, t: float, before: list[str], reason: str = "pain") -> list[Action]:
        """Go on with the next exercise, never one for the same part of the body at once."""
        e = self.engine
        assert self.exercise_index is not None
        target = e._next_other_area_start(self.exercise_index)
        upcoming = e.plan[target].place.exercise if target < len(e.plan) else None
        name = e._exercise_name(upcoming)
        if name is None:
            return e._finish_with(t, reason, " ".join([*before, NO_OTHER_AREA]))
        self.stage = PainStage.MOVE_ON

        def answered(answer: Answer | None, at: float) -> list[Action]:
            if answer is Answer.YES:
                e.index = target
                e.state = State.SPEAKING
                return e._speak(["All right. Moving on, gently."], e._run_from_index)
            if answer is Answer.NO:
                return e._finish(at, reason, END_FOR_PAIN + " Well done for today.")
            return e._pause(at, MOVE_ON_PAUSED, target)

        return e._ask(
            Question(
                QuestionKind.MOVE_ON,
                f"Would you like to go on with the next exercise, {name}? Say yes or no.",
                "Shall we go on with the next exercise? Yes or no.",
                tuple(YES_NO_ANSWERS),
                answered,
                resume_at=target,
            ),
            t,
            before=before,
        )

    def _offer_carry_on(self, t: float) -> list[Action]:
        """Red pain in the introduction or the closing words has eased: carry on from
        where the session was, never back to the first exercise."""
        e = self.engine
        self.stage = PainStage.MOVE_ON

        def answered(answer: Answer | None, at: float) -> list[Action]:
            if answer is Answer.YES:
                e.index = self.resume_index
                e.state = State.SPEAKING
                return e._speak(["All right. Carrying on, gently."], e._run_from_index)
            if answer is Answer.NO:
                return e._finish(at, "pain", END_FOR_PAIN + " Well done for today.")
            return e._pause(at, MOVE_ON_PAUSED, self.resume_index)

        return e._ask(
            Question(
                QuestionKind.MOVE_ON,
                "Would you like to carry on with the session? Say yes or no.",
                "Shall we carry on with the session? Yes or no.",
                tuple(YES_NO_ANSWERS),
                answered,
                resume_at=self.resume_index,
            ),
            t,
            before=[PAIN_EASED_OTHER_AREA],
        )
