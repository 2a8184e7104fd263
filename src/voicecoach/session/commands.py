"""What the commands do: stop, pause, continue, repeat, skip, rest, help, how many left,
slower and faster. (Easier and harder are in level_change.py, pain in pain.py.)

Most commands cut speech, say something short and pick up the current rep from its start;
while the session is on hold (paused, stopped, resting on request) they are answered and
the hold goes on.
"""

from __future__ import annotations

import math

from voicecoach.session.asking import Asking
from voicecoach.session.events import (
    Action,
    Cue,
    ListenFor,
    ListenRole,
    Log,
    StateChanged,
    StopSpeech,
)
from voicecoach.session.plan import NOT_MEDICAL_ADVICE, Phase, StepKind
from voicecoach.session.safety_words import RED_FLAGS
from voicecoach.session.states import (
    AWAITING_CONTINUE,
    MOVING,
    OFF_PLAN_RESTS,
    ON_HOLD,
    State,
)
from voicecoach.session.steps import plural, seconds_phrase
from voicecoach.session.timeline import EPSILON


class Commands(Asking):
    """The commands' behaviour; which one runs is decided by the engine's state handlers."""

    def _stop(self, t: float) -> list[Action]:
        log: Action = Log("command_heard", {"command": "stop", "state": self.state.value})
        if self.state is State.STOPPED:
            self._cut()
            return [
                StopSpeech(),
                log,
                Log("ending_early", {"reason": "stopped"}),
                *self._end_early(t),
            ]
        resume_index = self._resume_index()
        actions = [*self._cut(), log]
        self._stopped_at = t
        self.question = None
        self.state = State.STOPPED
        self._resume_to = resume_index
        return [
            *actions,
            ListenFor(ListenRole.SPOT),
            StateChanged(State.STOPPED.value),
            *self._speak(
                ["Stopped. Say continue to carry on, or stop again to finish."], lambda at: []
            ),
        ]

    def _end_early(self, t: float) -> list[Action]:
        """Straight to the end-of-session pain check, then the goodbye."""
        self.index = next(
            (
                i
                for i, s in enumerate(self.plan)
                if s.phase is Phase.ENDING and s.kind is StepKind.ASK_PAIN
            ),
            len(self.plan),
        )
        self._end_reason = "stopped"
        if self.index >= len(self.plan):
            return self._finish(
                t, "stopped", "We'll finish here. Well done for what you did today."
            )
        # The question is open while the first sentence is said, so an early answer counts.
        return self._ask_pain_score(
            "end", t, before=["We'll finish here. Well done for what you did today."]
        )

    def _pause(
        self,
        t: float,
        words: str | list[str] = "Paused. Say continue when you are ready.",
        resume_index: int | None = None,
    ) -> list[Action]:
        resume = self._resume_index() if resume_index is None else resume_index
        actions = self._cut()
        self.question = None
        self.state = State.PAUSED
        self._resume_to = resume
        return [
            *actions,
            ListenFor(ListenRole.SPOT),
            StateChanged(State.PAUSED.value),
            *self._speak([words] if isinstance(words, str) else words, lambda at: []),
        ]

    def _continue(self, t: float) -> list[Action]:
        if self.state in ON_HOLD:
            resume = self._resume_to
            actions = self._cut()
            self.state = State.SPEAKING
            return actions + self._speak(["Carrying on."], lambda at: self._resume(at, resume))
        if self.state is State.WAITING_FOR_DONE:
            return self._advance(t)
        return []

    def _aside(self, t: float, words: list[str]) -> list[Action]:
        """Cut, say something short, then pick up the current rep (or question) again."""
        if self.state in AWAITING_CONTINUE:
            resume_to = self._resume_index()
            actions = self._cut()
            state = self.state
            result = actions + self._speak(words, lambda at: [])
            self.state = state
            self._resume_to = resume_to
            return result
        if self.state in OFF_PLAN_RESTS:
            say = self._say(" ".join(words))
            self._speaking = say.utterance_id  # the rest's own words wait for it
            return [say]
        question = self.question
        if question is not None:
            actions = self._cut()
            return actions + self._speak([*words, question.prompt], self._wait_answer)
        resume = self._resume_index()
        actions = self._cut()
        self.state = State.SPEAKING
        return actions + self._speak(words, lambda at: self._resume(at, resume))

    def _repeat(self, t: float) -> list[Action]:
        step = self.step
        if self.question is not None:
            return self._aside(t, [])  # the question is said again
        if self.state in MOVING and step is not None and step.phase in (Phase.REP, Phase.REST):
            ex = self._played_exercise(step.place.exercise)
            if ex is not None:
                return self._aside(t, [ex.setup])
        if self.state is State.SPEAKING and step is not None and step.kind is StepKind.SAY:
            return self._aside(t, [])  # the sentence (an exercise's set-up from its title)
        return self._aside(t, [self._last_sentence or "Let's carry on."])

    def _skip(self, t: float) -> list[Action]:
        step = self.step
        if self.state is State.RESTING or self.state is State.TAKING_A_REST:
            actions = self._cut()
            if self.state is State.TAKING_A_REST:
                return actions + self._ready(t)
            return actions + self._advance(t)
        if step is None:
            return []
        if step.phase is Phase.INTRO:
            # The "not medical advice" line is never skipped; the rest of the intro is.
            target = next(
                (
                    i
                    for i, s in enumerate(self.plan)
                    # The line itself while it is being said: say it again, whole.
                    if (
                        i > self.index
                        or (
                            i == self.index
                            and (s.text == NOT_MEDICAL_ADVICE or s.text in RED_FLAGS)
                        )
                    )
                    and (
                        _unskippable(s.text)
                        or s.phase is not Phase.INTRO
                        or s.kind is StepKind.ASK_PAIN
                    )
                ),
                len(self.plan),
            )
            words = "Skipping the introduction."
        else:
            target = self._next_exercise_start(step.place.exercise)
            words = "Skipping to the next exercise." if target < len(self.plan) else "Skipping."
        actions = self._cut()
        self.question = None
        self.index = target
        self.state = State.SPEAKING
        return actions + self._speak([words], self._run_from_index)

    # ------------------------------------------------------------------ rest on request

    def _take_rest(self, t: float) -> list[Action]:
        if self.state is State.TAKING_A_REST:
            return self._more_rest(t)
        resume = self._resume_index()
        actions = self._cut()
        self.question = None
        self._resume_to = resume
        self.state = State.TAKING_A_REST
        seconds = self.settings.rest_seconds
        end = t + seconds
        self._countdown_end, self._countdown_label = end, "rest"
        self._ten_seconds_before(end, seconds)
        self._at(end, self._ready)
        return [
            *actions,
            StateChanged(State.TAKING_A_REST.value),
            self._say(
                f"Let's rest for {seconds_phrase(seconds)}. Say more rest if you need longer."
            ),
        ]

    def _more_rest(self, t: float) -> list[Action]:
        if self.state is not State.TAKING_A_REST:
            return self._take_rest(t)
        end = (self._countdown_end or t) + self.settings.more_rest_seconds
        self._clear_timers()
        self._countdown_end, self._countdown_label = end, "rest"
        self._ten_seconds_before(end, end - t)
        self._at(end, self._ready)
        return [
            StopSpeech(),
            self._say(f"Another {seconds_phrase(self.settings.more_rest_seconds)}."),
        ]

    def _ready(self, t: float) -> list[Action]:
        self._clear_timers()
        self.state = State.WAITING_FOR_READY
        return [
            Cue("rest over"),
            StateChanged(State.WAITING_FOR_READY.value),
            self._say("Ready when you are. Say continue to carry on."),
        ]

    # ------------------------------------------------------------------ short answers

    def _help(self, t: float) -> list[Action]:
        if self.question is not None and self.question.kind.is_score:
            return self._aside(
                t, ["Say a number from zero to ten. Zero is no pain, ten is the worst."]
            )
        if self.question is not None:
            return self._aside(t, ["Say yes or no."])
        if self.state is State.WAITING_FOR_DONE:
            words = ["Say done when you have finished, or pause, easier, or pain."]
        elif self.state in AWAITING_CONTINUE:
            words = ["Say continue to carry on, or stop to finish."]
        elif self.state is State.RESTING_AFTER_PAIN:
            words = ["Say ready when you want to go on, or more rest, or stop."]
        else:
            words = ["You can say: " + ", ".join(self.vocabulary.advertised()) + "."]
        return self._pause_to_tell(t, [*words, *RED_FLAGS])

    def _safety(self, t: float) -> list[Action]:
        return self._pause_to_tell(t, list(RED_FLAGS))

    def _pause_to_tell(self, t: float, words: list[str]) -> list[Action]:
        """Help and the red flags: in the middle of a movement, pause first (the count
        never runs on under the words); on hold or asking, answer and wait as before."""
        if self.state in MOVING:
            return self._pause(t, ["Paused.", *words, "Say continue when you are ready."])
        return self._aside(t, words)

    def _how_many_left(self, t: float) -> list[Action]:
        if self.state is State.RESTING_AFTER_PAIN and self._countdown_end is not None:
            left = max(1, math.ceil(self._countdown_end - t - EPSILON))
            return self._aside(
                t, [f"{seconds_phrase(left).capitalize()} of rest left. Then I will ask again."]
            )
        step = self.step
        main = len(self.script.exercises)
        then_cool = ", then a cool-down" if self.script.cool_down else ""
        if step is None or step.place.exercise < 0:
            return self._aside(t, [f"There are {main} exercises in this session{then_cool}."])
        index = step.place.exercise
        if index >= len(self.script.all_exercises):
            return self._aside(t, ["All the exercises are done. We are nearly finished."])
        parts = []
        ex = self._played_exercise(index)
        if ex is not None and step.place.set:
            parts.append(f"This is set {step.place.set} of {ex.sets}.")
            # Self-paced sets are counted for the person too (waiting for "done", none is
            # left). The rep under way starts again after this answer, so it is one of those
            # left.
            if step.place.rep and step.kind is not StepKind.WAIT_DONE:
                left_in_set = plural(ex.reps - step.place.rep + 1, "rep")
                parts.append(f"{left_in_set.capitalize()} left in this set.")
        elif index < main:
            parts.append(f"This is exercise {index + 1} of {main}.")
        if index >= main:
            parts.append("This is the cool-down, the last part of the session.")
        elif index == main - 1:
            parts.append("This is the last exercise" + (then_cool or "") + ".")
        else:
            parts.append(f"Then {plural(main - index - 1, 'more exercise')}{then_cool}.")
        return self._aside(t, parts)

    def _slower(self, t: float) -> list[Action]:
        self.pace = min(3.0, self.pace * 1.25)
        return [
            Log("level_change", {"pace": round(self.pace, 2)}),
            *self._aside(t, ["A little slower."]),
        ]

    def _faster(self, t: float) -> list[Action]:
        self.pace = max(0.5, self.pace / 1.25)
        return [
            Log("level_change", {"pace": round(self.pace, 2)}),
            *self._aside(t, ["A little quicker."]),
        ]


def _unskippable(text: str) -> bool:
    """The "not medical advice" line and the red flags are said even when the rest of the
    introduction is skipped."""
    return text == NOT_MEDICAL_ADVICE or text in RED_FLAGS
