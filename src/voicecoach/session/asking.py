"""Asking a question and waiting for its answer, and the start and end pain scores.

A question is said, then waited on for `answer_timeout`; with no answer it is asked once
more, then answered with None (the question's own default). The question is open while
its first sentence is said, so an early answer counts.

A pain score is always said back ("Four."). For CORRECTION_SECONDS after that, "no",
"wrong" or another number replaces it (and "yes" lets it stand at once); anything else
lets it stand and then acts. Only then does the session act on the score.
"""

from __future__ import annotations

from voicecoach.session.events import Action, ListenFor, ListenRole, Log, StopSpeech
from voicecoach.session.plan import Phase, StepKind, build_plan, number_steps
from voicecoach.session.safety_words import (
    END_FOR_PAIN,
    SEVERE_PAIN,
    START_HIGH,
    START_TOO_HIGH,
    STOP_FOR_TODAY,
)
from voicecoach.session.states import Question, QuestionKind, State
from voicecoach.session.steps import StepPlayer
from voicecoach.session.vocabulary import SCORE_ANSWERS, YES_NO_ANSWERS, Answer, count_word

CORRECTION_SECONDS = 2.5
"""After a score is said back and the usual pause, how long "no", "wrong" or another number
still replaces it."""

NOT_ADVICE = "Remember, voicecoach is not medical advice."


def score_of(answer: Answer | None) -> int | None:
    return int(answer.value) if answer is not None and answer.value.isdigit() else None


def said_back(answer: Answer) -> str:
    return f"{count_word(int(answer.value)).capitalize()}."


class Asking(StepPlayer):
    """Questions: ask, ask again, take the answer."""

    def _ask(self, question: Question, t: float, before: list[str] | None = None) -> list[Action]:
        self.question = question
        self.state = State.ASKING
        words = [*(before or []), question.prompt]

        def wait(at: float) -> list[Action]:
            self._at(at + self.settings.answer_timeout, self._no_answer)
            return []

        return [self._listen(question), *self._speak(words, wait)]

    @staticmethod
    def _listen(question: Question) -> ListenFor:
        answers = question.answers
        if question.heard is not None:  # a correction may come: "no", "wrong", a number
            answers = (*answers, Answer.YES, Answer.NO)
        return ListenFor(ListenRole.ANSWER, tuple(a.value for a in answers))

    def _no_answer(self, t: float) -> list[Action]:
        question = self.question
        if question is None:
            return []
        if question.asked < 2:
            question.asked += 1
            return self._speak([question.again], lambda at: self._wait_answer(at))
        return self._answered(None, t)

    def _wait_answer(self, t: float) -> list[Action]:
        self._at(t + self.settings.answer_timeout, self._no_answer)
        return []

    def _answered(self, answer: Answer | None, t: float) -> list[Action]:
        question, self.question = self.question, None
        actions: list[Action] = [StopSpeech()] if self._speaking is not None else []
        self._cut_quietly()
        actions.append(ListenFor(ListenRole.SPOT))
        if question is not None:
            actions += question.on_answer(answer, t)
        return actions

    # ------------------------------------------------------------------ saying a score back

    def _take_answer(self, answer: Answer, t: float) -> list[Action]:
        """An expected answer to the pending question: a score is said back first."""
        question = self.question
        log: Action = Log("command_heard", {"answer": answer.value})
        if question is None or not question.kind.is_score or score_of(answer) is None:
            return [log, *self._answered(answer, t)]
        question.heard = answer
        actions: list[Action] = [StopSpeech()] if self._speaking is not None else []
        self._cut_quietly()
        return [
            log,
            *actions,
            self._listen(question),
            *self._speak([said_back(answer)], self._wait_correction),
        ]

    def _wait_correction(self, t: float) -> list[Action]:
        self._at(t + CORRECTION_SECONDS, self._score_stands)
        return []

    def _corrects(self, meaning: object) -> bool:
        """Whether `meaning` answers the moment after a score was said back."""
        question = self.question
        return (
            question is not None
            and question.heard is not None
            and isinstance(meaning, Answer)
            and (meaning in (Answer.YES, Answer.NO) or meaning in question.answers)
        )

    def _correct(self, answer: Answer, t: float) -> list[Action]:
        """ "yes" lets the score stand; "no" or "wrong" asks again; a number replaces it."""
        question = self.question
        assert question is not None
        if answer is Answer.YES:
            return self._score_stands(t)
        if answer is Answer.NO:
            question.heard = None
            question.asked = 1
            actions = self._cut()
            return [
                Log("command_heard", {"answer": "no", "corrects": True}),
                *actions,
                self._listen(question),
                *self._speak(["Sorry.", question.prompt], self._wait_answer),
            ]
        return self._take_answer(answer, t)

    def _score_stands(self, t: float) -> list[Action]:
        question = self.question
        if question is None or question.heard is None:
            return []
        return self._answered(question.heard, t)

    # ------------------------------------------------------------------ start and end scores

    def _ask_pain_score(
        self, moment: str, t: float, before: list[str] | None = None
    ) -> list[Action]:
        """The pain score at the start or end of a session (skippable)."""

        def answered(answer: Answer | None, at: float) -> list[Action]:
            score = score_of(answer)
            logs: list[Action] = []
            if score is not None:
                if moment == "start":
                    self.pain_start = score
                else:
                    self.pain_end = score
                logs.append(
                    Log(
                        "pain_score",
                        {
                            "moment": moment,
                            "score": score,
                            "zone": self.settings.pain_zones.zone(score),
                        },
                    )
                )
            if moment == "end":
                words = "Thank you." if score is not None else "All right."
                red = score is not None and self.settings.pain_zones.zone(score) == "red"
                if self._pain_rose_too_much(score) or red:
                    words = f"Thank you. {END_FOR_PAIN}"
                return logs + self._finish_with(at, self._end_reason, words)
            if score is not None and self._severe(score):
                return logs + self._finish(at, "pain", f"Thank you. {START_TOO_HIGH} {NOT_ADVICE}")
            if score is not None and self.settings.pain_zones.zone(score) == "red":
                return logs + self._offer_gentler(at)
            reply = "Thank you." if score is not None else "That's fine."
            self.state = State.SPEAKING
            return logs + self._speak([reply], self._advance)

        if moment == "start":
            kind = QuestionKind.PAIN_START
            prompt = "How is your pain right now, from zero to ten? Or say skip."
        else:
            kind = QuestionKind.PAIN_END
            prompt = "How is your pain now, from zero to ten? Or say skip."
        return self._ask(
            Question(
                kind,
                prompt,
                "Say a number from zero to ten, or skip.",
                SCORE_ANSWERS,
                answered,
            ),
            t,
            before=before,
        )

    def _severe(self, score: int) -> bool:
        """Pain too high to exercise with: 8 to 10 (or all of red, if red starts higher)."""
        return score >= max(SEVERE_PAIN, self.settings.pain_zones.amber_max + 1)

    def _offer_gentler(self, t: float) -> list[Action]:
        """A red start score, not severe: the gentlest session for this position (or this
        one, gently, when it is the gentlest), or stop for today."""
        gentler = self.gentlest if self.gentlest and self.gentlest.id != self.script.id else None

        def answered(answer: Answer | None, at: float) -> list[Action]:
            if answer is not Answer.YES:
                return self._finish(at, "pain", f"{STOP_FOR_TODAY} {NOT_ADVICE}")
            self.state = State.SPEAKING
            if gentler is None:
                return self._speak(["All right. We will go gently."], self._advance)
            old = self.script.id
            self.script = gentler
            self.levels = {}
            plan = build_plan(
                gentler,
                self.levels,
                heat_note=self.settings.heat_note,
                ask_pain=self.settings.ask_pain_scores,
                extra_rest=self.settings.extra_rest_between_sets,
            )
            self.plan = number_steps(
                [s for s in plan if not (s.phase is Phase.INTRO and s.kind is StepKind.ASK_PAIN)]
            )
            self.index = 0
            return [
                Log("script_changed", {"from": old, "to": gentler.id, "reason": "pain"}),
                *self._speak([f"All right. We will do {gentler.title} instead."], self._resume_0),
            ]

        if gentler is not None:
            prompt = (
                f"Would you like the gentlest session instead, {gentler.title}? "
                "Say yes, or no to stop for today."
            )
        else:
            prompt = "Would you like to go on, gently? Say yes, or no to stop for today."
        return self._ask(
            Question(
                QuestionKind.START_OFFER,
                prompt,
                "Shall we go on gently? Yes, or no to stop for today.",
                tuple(YES_NO_ANSWERS),
                answered,
            ),
            t,
            before=[f"Thank you. {START_HIGH}"],
        )

    def _resume_0(self, t: float) -> list[Action]:
        return self._resume(t, 0)

    def _finish_with(self, t: float, reason: str, words: str) -> list[Action]:
        closing = (
            f"{words} That is the end of the session. Well done for today. "
            "Remember, voicecoach is not medical advice."
        )
        return self._finish(t, reason, closing)

    def _pain_rose_too_much(self, score: int | None) -> bool:
        """3 or more above the start score, and no longer green (seed 003: exercise may
        slightly raise symptoms at first)."""
        return (
            score is not None
            and self.pain_start is not None
            and score >= self.pain_start + 3
            and self.settings.pain_zones.zone(score) != "green"
        )
