"""The first promise, state by state: every bundled script is walked (a willing person, and
detours through every kind of question, pain and rest), every moment it reaches is noted
(state, question, a score being said back, speech under way), and at each one "stop" and
"pain", said and keyed, are tried on a fresh session replayed to that moment. What a
person must notice is checked by `WatchedDriver` (safety_watch.py); after the word, a
quarter of an hour passes with nobody saying anything, and no exercise may move. After a
key, the person says "continue" ten seconds later: the exercise may go on only once any
pain has been scored and any red score asked again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from safety_watch import WatchedDriver
from voicecoach.script.library import load_library
from voicecoach.session.adaptation import level_range
from voicecoach.session.engine import State
from voicecoach.session.events import Event
from voicecoach.session.plan import StepKind
from voicecoach.session.states import QuestionKind

LIBRARY = {s.id: s for s in load_library()}

Moment = tuple[str, str | None, bool, bool]
"""State, the question's kind, a score being said back, something being said."""

Levels = dict[str, int]
Route = tuple[Levels, list[Event]]
"""The levels a session starts at and the events that lead to a moment."""

WAYS = [("pain", False), ("pain", True), ("stop", False), ("stop", True)]


class Tour(WatchedDriver):
    """A watched session that notes the first time it is at each moment, with the events
    that led there."""

    def __init__(self, script_id: str, found: dict[Moment, Route], levels: Levels) -> None:
        super().__init__(LIBRARY[script_id], levels=levels)
        self.found = found
        self.levels = levels

    def _after(self, event: Event, mark: int) -> None:
        super()._after(event, mark)
        self.found.setdefault(self.moment(), (self.levels, list(self.events)))

    def moment(self) -> Moment:
        question = self.engine.question
        return (
            self.engine.state.value,
            question.kind.value if question else None,
            question is not None and question.heard is not None,
            self.speaking is not None,
        )

    def asked(self, kind: QuestionKind) -> bool:
        return self.engine.question is not None and self.engine.question.kind is kind

    def in_exercise(self) -> bool:
        return self.state in (State.COUNTING, State.HOLDING)


def _willing(d: Tour) -> None:
    d.finish()


def _scores_said_back(d: Tour) -> None:
    d.run_until(lambda: d.asked(QuestionKind.PAIN_START))
    d.quiet()
    d.hear("two")
    d.quiet()
    d.finish()


def _red_start(d: Tour) -> None:
    d.run_until(lambda: d.asked(QuestionKind.PAIN_START))
    d.quiet()
    d.answer("seven")
    d.run_until(lambda: d.asked(QuestionKind.START_OFFER))
    d.quiet()
    d.hear("yes")
    d.finish()


def _green_pain(d: Tour) -> None:
    d.cooperate_until(lambda: d.state is State.COUNTING)
    d.hear("pain")
    d.quiet()
    d.hear("two")
    d.quiet()
    d.run_until(lambda: d.asked(QuestionKind.EASIER_OFFER))
    d.quiet()
    d.advance(120)  # no answer: paused
    d.finish()


def _red_pain(d: Tour) -> None:
    d.cooperate_until(lambda: d.state is State.HOLDING)
    d.hear("pain")
    d.quiet()
    d.answer("seven")
    d.advance(20)
    d.run_until(lambda: d.asked(QuestionKind.PAIN_AGAIN))
    d.quiet()
    d.answer("three")
    d.run_until(lambda: d.asked(QuestionKind.MOVE_ON))
    d.quiet()
    d.advance(120)  # no answer: paused where it would go on
    d.finish()


def _amber_on_the_easiest(d: Tour) -> None:
    """Every exercise at its easiest (TOURS_AT_THE_EASIEST)."""
    d.cooperate_until(d.in_exercise)
    d.hear("pain")
    d.quiet()
    d.answer("four")
    d.run_until(lambda: d.asked(QuestionKind.SKIP_OFFER))
    d.quiet()
    d.hear("no")
    d.finish()


def _stop_rest_pause(d: Tour) -> None:
    d.cooperate_until(lambda: d.state in (State.RESTING, State.HOLDING))
    d.hear("stop")
    d.quiet()
    d.hear("rest")
    d.run_until(lambda: d.state is State.WAITING_FOR_READY)
    d.quiet()
    d.hear("continue")
    d.cooperate_until(d.in_exercise)
    d.hear("pause")
    d.quiet()
    d.hear("continue")
    d.cooperate_until(d.in_exercise)
    d.hear("stop")
    d.quiet()
    d.advance(5)
    d.hear("stop")  # the second stop: the end score, then the goodbye
    d.finish()


def _tingling(d: Tour) -> None:
    d.cooperate_until(d.in_exercise)
    d.hear("tingling")
    d.finish()


TOURS: list[Callable[[Tour], None]] = [
    _willing,
    _scores_said_back,
    _red_start,
    _green_pain,
    _red_pain,
    _stop_rest_pause,
    _tingling,
]
TOURS_AT_THE_EASIEST: list[Callable[[Tour], None]] = [_amber_on_the_easiest]


@cache
def moments(script_id: str) -> dict[Moment, Route]:
    """Every moment the tours reach on this script, with the route that leads there."""
    found: dict[Moment, Route] = {}
    script = LIBRARY[script_id]
    easiest = {ex.name: level_range(ex)[0] for ex in script.all_exercises}
    for tours, levels in ((TOURS, {}), (TOURS_AT_THE_EASIEST, easiest)):
        for tour in tours:
            d = Tour(script_id, found, levels)
            d.start()
            tour(d)
    return found


def _expected_states(script_id: str) -> set[State]:
    kinds = {s.kind for s in WatchedDriver(LIBRARY[script_id]).engine.plan}
    expected = set(State)
    if StepKind.WAIT_DONE not in kinds:
        expected.discard(State.WAITING_FOR_DONE)
    if StepKind.REST not in kinds:
        expected.discard(State.RESTING)
    return expected


@pytest.mark.parametrize("script_id", sorted(LIBRARY))
def test_the_walk_reaches_every_state_and_every_question(script_id: str) -> None:
    found = moments(script_id)
    assert {State(m[0]) for m in found} == _expected_states(script_id)
    assert {m[1] for m in found} == {None} | {k.value for k in QuestionKind}
    assert any(m[2] for m in found)  # a score being said back
    assert len(found) >= 20


@pytest.mark.parametrize("script_id", sorted(LIBRARY))
def test_stop_and_pain_act_at_every_moment(script_id: str) -> None:
    tried = 0
    for moment, (levels, events) in moments(script_id).items():
        for word, by_key in WAYS:
            d = Tour(script_id, {}, levels)
            d.start()
            d.replay(events)
            assert d.moment() == moment
            d.inject(word, by_key=by_key)
            if by_key:
                # Then "continue": a pain not yet scored, or a red score not yet asked
                # again, still comes first.
                d.advance(10)
                d.hear("continue")
            d.advance(900)  # nobody says anything (more): no exercise moves
            tried += 1
    assert tried == 4 * len(moments(script_id))
