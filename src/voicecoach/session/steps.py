"""Playing the plan's steps: sentences, counted beats, holds, rests, and the end.

`StepPlayer` holds where the session is (the plan, the step index, the state) and walks
the plan one step at a time; the questions, commands and pain dialogue build on it.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable

from voicecoach.config.settings import SessionSettings
from voicecoach.script.model import Exercise, Pace, Script
from voicecoach.session.adaptation import adapt, level_range
from voicecoach.session.events import Action, Cue, ListenFor, ListenRole, Log, StateChanged
from voicecoach.session.plan import (
    NOT_MEDICAL_ADVICE,
    Phase,
    Place,
    Step,
    StepKind,
    build_plan,
    number_steps,
    planned_sets,
)
from voicecoach.session.safety_words import RED_FLAGS
from voicecoach.session.states import KEEPS_ITS_PLACE, Question, State
from voicecoach.session.timeline import EPSILON, Timeline
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, Answer, Vocabulary, count_word

CLOSED = "closed"
"""The end reason when the person closes the player mid-session."""


def hold_count_seconds(hold: int) -> list[int]:
    """Seconds (from the hold's start) that get a spoken count. "hold" is second zero and
    "and relax" second `hold`. Up to ten seconds every second is counted; longer holds are
    counted on every fifth second and on each of the last three."""
    if hold <= 10:
        return list(range(1, hold))
    return sorted(set(range(4, hold - 1, 5)) | set(range(hold - 3, hold)))


class StepPlayer(Timeline, ABC):
    """Where the session is, and how each kind of step is played."""

    def __init__(
        self,
        script: Script,
        settings: SessionSettings | None = None,
        *,
        levels: dict[str, int] | None = None,
        vocabulary: Vocabulary = DEFAULT_VOCABULARY,
        notices: tuple[str, ...] = (),
        notes: tuple[str, ...] = (),
        first_use: bool = False,
        gentlest: Script | None = None,
    ) -> None:
        """`first_use`: the person's first session (the red flags are said in the
        introduction). `gentlest`: the gentlest session for this position, offered when
        the start pain score is red."""
        super().__init__(settings or SessionSettings())
        self.script = script
        self.gentlest = gentlest
        self.vocabulary = vocabulary
        self.levels: dict[str, int] = _clamped_levels(script, levels or {})
        self.plan: list[Step] = build_plan(
            script,
            self.levels,
            heat_note=self.settings.heat_note,
            ask_pain=self.settings.ask_pain_scores,
            extra_rest=self.settings.extra_rest_between_sets,
            rest_between_exercises=self.settings.rest_between_exercises,
            notes=notes,
        )
        if first_use:
            self.plan = number_steps(_with_red_flags(self.plan))
        if notices:
            # Things the person must know first, e.g. that voice commands are off.
            first = [Step(StepKind.SAY, Phase.INTRO, Place(-1), n) for n in notices]
            self.plan = number_steps(first + self.plan)
        self.state = State.SPEAKING
        self.index = 0
        self.pace = self.settings.pace
        self.pain_start: int | None = None
        self.pain_end: int | None = None
        self.red_count = 0
        self.completed_sets = 0
        self.question: Question | None = None
        self._resume_to = 0
        self._stopped_at = -1e9
        self._end_reason = "completed"

    @property
    def finished(self) -> bool:
        return self.state is State.ENDED

    @property
    def step(self) -> Step | None:
        return self.plan[self.index] if self.index < len(self.plan) else None

    @abstractmethod
    def _ask_pain_score(
        self, moment: str, t: float, before: list[str] | None = None
    ) -> list[Action]:
        """The start or end pain score (a step of the plan)."""

    # ------------------------------------------------------------------ walking

    def _advance(self, t: float) -> list[Action]:
        step = self.step
        actions: list[Action] = []
        if step is not None and step.ends_set:
            self.completed_sets += 1
            ex = self._exercise_at(step.place.exercise)
            actions.append(
                Log(
                    "step_completed",
                    {
                        "exercise": ex.name if ex else "",
                        "set": step.place.set,
                        "side": step.place.side,
                        "completed": self.completed_sets,
                    },
                )
            )
        self.index += 1
        return actions + self._run_step(t)

    def _run_step(self, t: float) -> list[Action]:
        step = self.step
        if step is None:
            return self._finish(t, self._end_reason)
        if step.kind is StepKind.SAY:
            self.state = State.SPEAKING
            return self._speak([step.text], self._advance)
        if step.kind is StepKind.BEAT:
            return self._start_beat(step, t)
        if step.kind is StepKind.HOLD:
            return self._start_hold(step, t)
        if step.kind is StepKind.REST:
            return self._start_rest(step, t)
        if step.kind is StepKind.WAIT_DONE:
            self.state = State.WAITING_FOR_DONE
            return [
                self._say(step.text),
                ListenFor(ListenRole.ANSWER, (Answer.DONE.value,)),
            ]
        return self._ask_pain_score(step.text, t)

    def _resume(self, t: float, index: int) -> list[Action]:
        self.index = min(index, len(self.plan))
        return self._run_step(t)

    def _run_from_index(self, t: float) -> list[Action]:
        return self._run_step(t)

    def _resume_index(self) -> int:
        if self.state in KEEPS_ITS_PLACE:
            return self._resume_to
        if self.question is not None and self.question.resume_at is not None:
            return self.question.resume_at
        step = self.step
        return step.resume_at if step is not None else self.index

    def _next_exercise_start(self, exercise_index: int | None) -> int:
        current = -1 if exercise_index is None else exercise_index
        return next(
            (i for i, s in enumerate(self.plan) if s.place.exercise > current), len(self.plan)
        )

    def _next_other_area_start(self, exercise_index: int) -> int:
        """The start of the next exercise that works another part of the body (any next
        exercise when either has no area), or the ending when there is none."""
        area = self.script.all_exercises[exercise_index].area
        for later in range(exercise_index + 1, len(self.script.all_exercises)):
            other = self.script.all_exercises[later].area
            if area is None or other is None or other != area:
                return self._next_exercise_start(later - 1)
        return self._next_exercise_start(len(self.script.all_exercises))

    # ------------------------------------------------------------------ kinds of step

    def _start_beat(self, step: Step, t: float) -> list[Action]:
        """A rep's cue, spoken on a whole second; the next step waits for both the beat
        length (times the pace) and the end of the speech."""
        self.state = State.COUNTING
        start = math.ceil(t - EPSILON)
        self._beat_waiting = 2

        def spoken(at: float) -> list[Action]:
            say = self._say(step.text)
            self._speaking = say.utterance_id
            self._after_speech = done
            self._at(start + step.seconds * self.pace, done)
            return [say]

        def done(at: float) -> list[Action]:
            self._beat_waiting -= 1
            return self._advance(at) if self._beat_waiting == 0 else []

        if start <= t + EPSILON:
            return spoken(t)
        self._at(start, spoken)
        return []

    def _start_hold(self, step: Step, t: float) -> list[Action]:
        """ "hold" on a whole second, the counts on the whole seconds after it, "and relax"
        when the hold is over; every time is computed from the start, so nothing drifts."""
        self.state = State.HOLDING
        start = math.ceil(t - EPSILON)
        hold = round(step.seconds)
        beeps = self.settings.count_style == "beeps"

        def count(k: int) -> Callable[[float], list[Action]]:
            def run(at: float) -> list[Action]:
                return [Cue("beep")] if beeps else [self._say(count_word(k + 1), "count")]

            return run

        def begin(at: float) -> list[Action]:
            self._countdown_end, self._countdown_label = start + hold, "hold"
            return [self._say("Hold.", "count")]

        def relax(at: float) -> list[Action]:
            self._countdown_end = self._countdown_label = None
            say = self._say("And relax.")
            self._speaking = say.utterance_id
            self._after_speech = self._advance
            return [say]

        self._at(start, begin)
        for k in hold_count_seconds(hold):
            self._at(start + k, count(k))
        self._at(start + hold, relax)
        return self._on_tick(t)

    def _start_rest(self, step: Step, t: float) -> list[Action]:
        """A rest said and counted down; a quiet one (between two holds) is just time."""
        self.state = State.RESTING
        seconds = round(step.seconds)
        if seconds <= 0:
            return self._advance(t)
        end = t + seconds
        self._countdown_end, self._countdown_label = end, "rest"
        if not step.quiet:
            self._ten_seconds_before(end, seconds)

        def over(at: float) -> list[Action]:
            self._countdown_end = self._countdown_label = None
            return [*([] if step.quiet else [Cue("rest over")]), *self._advance(at)]

        self._at(end, over)
        return [] if step.quiet else [self._say(f"Rest for {seconds_phrase(seconds)}.")]

    def _end_self_paced_set(self, t: float) -> list[Action]:
        """ "done" while a self-paced set is being counted: the set is over now."""
        step = self.step
        done_at = next(
            (
                i
                for i in range(self.index, len(self.plan))
                if self.plan[i].kind is StepKind.WAIT_DONE
            ),
            None,
        )
        played = self._played_exercise(step.place.exercise) if step is not None else None
        if (
            step is None
            or played is None
            or played.pace is not Pace.SELF
            or done_at is None
            or self.plan[done_at].place.order()[:3] != step.place.order()[:3]
        ):
            return []
        actions = self._cut()
        self.index = done_at
        return [*actions, Log("command_heard", {"answer": "done"}), *self._advance(t)]

    def _ten_seconds_before(self, end: float, seconds: float) -> None:
        """A rest longer than 20 s says "Ten seconds." ten seconds before it ends, so a
        person with their eyes closed knows the rest is nearly over."""
        if seconds > 20:
            self._at(end - 10, lambda at: [self._say("Ten seconds.", "count")])

    # ------------------------------------------------------------------ the end

    def close(self, t: float) -> list[Action]:
        """The person closed the player (Ctrl-C, or the terminal was closed): the session
        ends now with nothing more said, and its record says so ("closed")."""
        if self.state is State.ENDED:
            return []
        return self._finish(t, CLOSED, say=False)

    def _finish(self, t: float, reason: str, words: str = "", *, say: bool = True) -> list[Action]:
        self._clear_timers()
        closing = words or (
            "That is the end of the session. Well done. "
            "Remember to move gently for the rest of the day."
        )
        self.state = State.ENDED
        return [
            *([self._say(closing)] if say else []),
            Log(
                "session_ended",
                {
                    "reason": reason,
                    "completed": self.completed_sets,
                    "planned": planned_sets(self.plan),
                    "pain_start": self.pain_start,
                    "pain_end": self.pain_end,
                },
            ),
            StateChanged(State.ENDED.value),
        ]

    # ------------------------------------------------------------------ where we are

    def _current_exercise_index(self) -> int | None:
        step = self.plan[self._resume_index()] if self._resume_index() < len(self.plan) else None
        if (
            step is None
            or step.place.exercise < 0
            or step.place.exercise >= len(self.script.all_exercises)
        ):
            return None
        return step.place.exercise

    def _exercise_at(self, index: int) -> Exercise | None:
        exercises = self.script.all_exercises
        return exercises[index] if 0 <= index < len(exercises) else None

    def _exercise_name(self, index: int | None) -> str | None:
        ex = self._exercise_at(index) if index is not None else None
        return ex.name if ex else None

    def _played_exercise(self, index: int) -> Exercise | None:
        base = self._exercise_at(index)
        return adapt(base, self.levels.get(base.name, 0)).exercise if base else None


def _with_red_flags(plan: list[Step]) -> list[Step]:
    """The red flags said right after the "not medical advice" line."""
    at = next((i + 1 for i, s in enumerate(plan) if s.text == NOT_MEDICAL_ADVICE), 0)
    flags = [Step(StepKind.SAY, Phase.INTRO, Place(-1), text) for text in RED_FLAGS]
    return plan[:at] + flags + plan[at:]


def _clamped_levels(script: Script, levels: dict[str, int]) -> dict[str, int]:
    """Remembered levels within what each exercise can take now (a script may have been
    edited since): otherwise "harder" at a level below the easiest would change nothing."""
    out = dict(levels)
    for ex in script.all_exercises:
        if ex.name in out:
            lowest, highest = level_range(ex)
            out[ex.name] = max(lowest, min(highest, out[ex.name]))
    return out


def seconds_phrase(seconds: int) -> str:
    if seconds % 60 == 0 and seconds >= 60:
        minutes = seconds // 60
        return "a minute" if minutes == 1 else f"{count_word(minutes)} minutes"
    return f"{count_word(seconds)} seconds"


def plural(n: int, noun: str) -> str:
    return f"{count_word(n)} {noun}" + ("" if n == 1 else "s")
