"""Asking a question and waiting for its answer, and the start and end pain scores.

A question is said, then waited on for `answer_timeout`; with no answer it is asked once
more, then answered with None (the question's own default). The question is open while
its first sentence is said, so an early answer counts.
"""

from __future__ import annotations

from voicecoach.session.events import Action, ListenFor, ListenRole, Log, StopSpeech
from voicecoach.session.safety_words import END_FOR_PAIN
from voicecoach.session.states import Question, QuestionKind, State
from voicecoach.session.steps import StepPlayer
from voicecoach.session.vocabulary import SCORE_ANSWERS, Answer


def score_of(answer: Answer | None) -> int | None:
    return int(answer.value) if answer is not None and answer.value.isdigit() else None


class Asking(StepPlayer):
    """Questions: ask, ask again, take the answer."""

    def _ask(self, question: Question, t: float, before: list[str] | None = None) -> list[Action]:
        self.question = question
        self.state = State.ASKING
        words = [*(before or []), question.prompt]
        listen = ListenFor(ListenRole.ANSWER, tuple(a.value for a in question.answers))

        def wait(at: float) -> list[Action]:
            self._at(at + self.settings.answer_timeout, self._no_answer)
            return []

        return [listen, *self._speak(words, wait)]

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
                if self._pain_rose_too_much(score):
                    words = f"Thank you. {END_FOR_PAIN}"
                return logs + self._finish_with(at, self._end_reason, words)
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

    def _finish_with(self, t: float, reason: str, words: str) -> list[Action]:
        closing = (
            f"{words} That is the end of the session. Well done for today. "
            "Remember, voicecoach is not medical advice."
        )
        return self._finish(t, reason, closing)

    def _pain_rose_too_much(self, score: int | None) -> bool:
        return score is not None and self.pain_start is not None and score >= self.pain_start + 3
