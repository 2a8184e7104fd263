"""Easier, harder and back to normal: swap in an exercise's variant and go on at the same
rep (or, on hold, announce it and go on at the new level on "continue")."""

from __future__ import annotations

from voicecoach.script.model import Exercise
from voicecoach.session.adaptation import adapt, ceiling_sentence, level_range
from voicecoach.session.commands import Commands
from voicecoach.session.events import Action, Log
from voicecoach.session.plan import Phase, Step, exercise_block, number_steps
from voicecoach.session.states import ON_HOLD, State


class LevelChanges(Commands):
    def _change_level(
        self,
        t: float,
        direction: int,
        exercise_index: int | None = None,
        resume_index: int | None = None,
        lead: str = "",
    ) -> list[Action]:
        index = self._current_exercise_index() if exercise_index is None else exercise_index
        if index is None:
            return self._aside(t, ["We can change that once an exercise has started."])
        base = self.script.all_exercises[index]
        lowest, highest = level_range(base)
        old = self.levels.get(base.name, 0)
        new = 0 if direction == 0 else max(lowest, min(highest, old + direction))
        if new == old:
            edge = (
                "This is already the easiest version."
                if direction < 0
                else ceiling_sentence(base)
                if direction > 0
                else "This is already the usual version."
            )
            return self._aside(t, [lead, edge] if lead else [edge])
        self.levels[base.name] = new
        adapted = adapt(base, new)
        if direction == 0:
            sentence = "Back to the usual version."
        else:
            word = "easier" if new < old else "harder"
            sentence = (
                adapted.sentence
                if adapted.sentence and abs(new) > abs(old)
                else f"Making it a little {word}."
            )
        words = [w for w in (lead, sentence) if w]
        # The rep the session goes back to (not the step it was cut at: after red pain
        # that is in the exercise stopped for pain).
        current_index = self._resume_index() if resume_index is None else resume_index
        current = self.plan[current_index] if current_index < len(self.plan) else None
        # Only the variant's sentence is said, never the whole setup again ("repeat" says it).
        self._replan_exercise(index, adapted.exercise, current)
        log = Log(
            "level_change",
            {
                "exercise": base.name,
                "level": new,
                "from": old,
                "direction": "easier" if new < old else "harder",
            },
        )
        resume = self.index
        if self.state in ON_HOLD:
            # Announced, and the pause or rest goes on; "continue" resumes at the new level.
            self._resume_to = resume
            if self.state is State.TAKING_A_REST:
                return [log, self._say(" ".join(words))]
            state = self.state
            actions = self._cut()
            result = [*actions, log, *self._speak(words, lambda at: [])]
            self.state = state
            return result
        actions = self._cut()
        self.question = None
        self.state = State.SPEAKING
        return [*actions, log, *self._speak(words, lambda at: self._resume(at, resume))]

    def _replan_exercise(self, index: int, exercise: Exercise, current: Step | None) -> None:
        """Swap in the exercise's steps at its new level and point at the same rep."""
        start = next(i for i, s in enumerate(self.plan) if s.place.exercise == index)
        end = self._next_exercise_start(index)
        new_steps = exercise_block(
            self.script,
            index,
            exercise,
            self.settings.extra_rest_between_sets,
            self.settings.rest_between_exercises,
        )
        self.plan = number_steps(self.plan[:start] + new_steps + self.plan[end:])
        if current is None or current.phase is Phase.SETUP or current.place.set == 0:
            self.index = start
            return
        key = current.place.order()
        offset = next(
            (
                i
                for i, s in enumerate(new_steps)
                if s.place.order() >= key and s.phase is not Phase.SETUP
            ),
            len(new_steps),
        )
        self.index = (
            self.plan[start + offset].resume_at
            if start + offset < len(self.plan)
            else start + offset
        )
