"""Drive a SessionEngine on a virtual clock, as a test would watch a real session.

`EngineDriver` owns the clock and a simulated speaker (a sentence lasts as long as saying it
would take, a new sentence cuts the one before, cut speech reports its end at once). A test
advances time, says phrases or presses keys, and reads what was said and when:

    d = EngineDriver(sample_script())
    d.start()
    d.cooperate_until(lambda: d.state is State.COUNTING)
    mark = d.mark()
    actions = d.hear("pause")          # the actions of that one engine call
    d.advance(600)                     # ten quiet minutes
    assert d.said(since=mark) == [...]
    d.finish()                         # a willing person drives it to ENDED

`MOMENTS` names the moments of a session of `sample_script()` that the command tests start
from ("counting", "asking move on", ...); `driver_at(name)` returns a driver there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sample_scripts import sample_script
from voicecoach.config.settings import SessionSettings
from voicecoach.script.model import Script
from voicecoach.session.engine import SessionEngine, State
from voicecoach.session.events import (
    Action,
    Event,
    Heard,
    KeyPressed,
    Log,
    Say,
    SpeechFinished,
    StopSpeech,
    Tick,
)
from voicecoach.session.plan import Phase, StepKind
from voicecoach.session.preview import speech_seconds
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, Vocabulary

WAITING_FOR_PERSON = {State.PAUSED, State.STOPPED, State.WAITING_FOR_READY}

# How a willing person answers each question.
WILLING_ANSWERS = {
    "pain_start": "skip",
    "pain_end": "skip",
    "pain_now": "two",
    "easier_offer": "no",
    "move_on": "yes",
    "pain_again": "two",
    "skip_offer": "no",
    "start_offer": "yes",
}


@dataclass(frozen=True)
class Spoken:
    t: float
    text: str
    kind: str
    """"speech" or "count"."""


@dataclass(frozen=True)
class Record:
    t: float
    action: Action


class EngineDriver:
    def __init__(
        self,
        script: Script,
        settings: SessionSettings | None = None,
        *,
        levels: dict[str, int] | None = None,
        vocabulary: Vocabulary = DEFAULT_VOCABULARY,
        rate_wpm: int = 140,
    ) -> None:
        self.engine = SessionEngine(script, settings, levels=levels, vocabulary=vocabulary)
        self.rate_wpm = rate_wpm
        self.t = 0.0
        self.records: list[Record] = []
        self.speaking: tuple[int, float, str] | None = None
        """Utterance id, when it ends, its text."""

    @property
    def state(self) -> State:
        return self.engine.state

    # ------------------------------------------------------------------ input

    def start(self) -> list[Action]:
        actions = self.engine.start(self.t)
        self._perform(actions)
        return actions

    def hear(self, phrase: str) -> list[Action]:
        """The person says `phrase` now; returns the actions of that one engine call."""
        return self.send(Heard(self.t, phrase))

    def answer(self, phrase: str) -> None:
        """The person answers `phrase`, lets a score said back stand (no correction), and
        hears what follows it."""
        self.hear(phrase)
        self.run_until(lambda: self.engine.question is None or self.engine.question.heard is None)
        self.quiet()

    def key(self, key: str) -> list[Action]:
        return self.send(KeyPressed(self.t, key))

    def send(self, event: Event) -> list[Action]:
        actions = self.engine.handle(event)
        self._perform(actions)
        return actions

    # ------------------------------------------------------------------ time

    def next_moment(self) -> float | None:
        """When something happens next by itself (a timer, or the end of a sentence)."""
        found = [
            c
            for c in (self.engine.next_deadline(), self.speaking[1] if self.speaking else None)
            if c is not None
        ]
        return min(found) if found else None

    def step(self) -> bool:
        """Move the clock to the next moment and deliver it; False when nothing is due."""
        moment = self.next_moment()
        if moment is None:
            return False
        self.t = max(self.t, moment)
        if self.speaking is not None and self.speaking[1] <= self.t:
            uid = self.speaking[0]
            self.speaking = None
            self.send(SpeechFinished(self.t, uid))
        else:
            self.send(Tick(self.t))
        return True

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass with nobody saying anything."""
        target = self.t + seconds
        while True:
            moment = self.next_moment()
            if moment is None or moment > target:
                break
            self.step()
        self.t = target

    def run_until(self, done: Callable[[], bool], limit: float = 6 * 3600.0) -> None:
        """Step (nobody saying anything) until `done()`; fails when stuck or past `limit`."""
        while not done():
            if self.t > limit:
                raise AssertionError(f"not reached by t={self.t} (state {self.state.value})")
            if not self.step():
                raise AssertionError(f"stuck in {self.state.value} at t={self.t}")

    @property
    def silent(self) -> bool:
        """Nothing is being said, and nothing is due before the usual pause between
        sentences is over: what was being said has been said."""
        if self.speaking is not None:
            return False
        due = self.engine.next_deadline()
        return due is None or due - self.t > self.engine.settings.sentence_pause + 0.05

    def quiet(self) -> None:
        """Let the current sentence, and the ones queued after it, be said."""
        self.run_until(lambda: self.silent)

    # ------------------------------------------------------------------ a willing person

    def cooperate_until(self, done: Callable[[], bool], limit: float = 6 * 3600.0) -> None:
        """Let the session run, answering as a willing person would once each question has
        been said (WILLING_ANSWERS), saying done, and continuing when paused."""
        while not done():
            if self.t > limit:
                raise AssertionError(f"not reached by t={self.t} (state {self.state.value})")
            question = self.engine.question
            if question is not None and question.heard is not None:
                self.step()  # a score said back: the moment for "no" passes
            elif self.silent and question is not None:
                self.hear(WILLING_ANSWERS[question.kind])
            elif self.silent and self.state in WAITING_FOR_PERSON:
                self.hear("continue")
            elif self.silent and self.state is State.WAITING_FOR_DONE:
                self.hear("done")
            elif not self.step():
                raise AssertionError(f"stuck in {self.state.value} at t={self.t}")

    def finish(self, limit: float = 6 * 3600.0) -> None:
        """Drive the session to ENDED as a willing person would, and let the goodbye end."""
        self.cooperate_until(lambda: self.state is State.ENDED, limit)
        self.quiet()

    # ------------------------------------------------------------------ reading

    def mark(self) -> int:
        return len(self.records)

    def spoken(self, since: int = 0) -> list[Spoken]:
        return [
            Spoken(r.t, r.action.text, r.action.kind)
            for r in self.records[since:]
            if isinstance(r.action, Say)
        ]

    def said(self, since: int = 0) -> list[str]:
        return [s.text for s in self.spoken(since)]

    def said_text(self, since: int = 0) -> str:
        return " ".join(self.said(since))

    def logs(self, kind: str, since: int = 0) -> list[Log]:
        return [
            r.action
            for r in self.records[since:]
            if isinstance(r.action, Log) and r.action.kind == kind
        ]

    # ------------------------------------------------------------------ speaker

    def _perform(self, actions: list[Action]) -> None:
        for action in actions:
            self.records.append(Record(self.t, action))
            if isinstance(action, Say):
                cut = self.speaking
                ends = self.t + speech_seconds(action.text, self.rate_wpm)
                self.speaking = (action.utterance_id, ends, action.text)
                self._report_cut(cut)
            elif isinstance(action, StopSpeech):
                cut, self.speaking = self.speaking, None
                self._report_cut(cut)

    def _report_cut(self, cut: tuple[int, float, str] | None) -> None:
        # A new sentence cuts the one before; cut speech reports its end at once, as the
        # real speakers do.
        if cut is not None:
            self.send(SpeechFinished(self.t, cut[0]))


# ---------------------------------------------------------------------- named moments


def _at_rep(d: EngineDriver, exercise: str, state: State, rep: int) -> None:
    def there() -> bool:
        step = d.engine.step
        return (
            d.state is state
            and d.engine.status().exercise == exercise
            and step is not None
            and step.place.rep == rep
        )

    d.cooperate_until(there)


def _intro(d: EngineDriver) -> None:
    pass  # the first sentence of the introduction is being said


def _setup_sentence(d: EngineDriver) -> None:
    def there() -> bool:
        step = d.engine.step
        return (
            d.state is State.SPEAKING
            and step is not None
            and step.phase is Phase.SETUP
            and step.text == d.engine.script.exercises[1].setup
            and d.speaking is not None
        )

    d.cooperate_until(there)


def _counting(d: EngineDriver) -> None:
    _at_rep(d, "Ankle pumps", State.COUNTING, 2)


def _holding(d: EngineDriver) -> None:
    _at_rep(d, "Bridging", State.HOLDING, 2)
    d.advance(1.5)  # into the middle of the hold


def _resting(d: EngineDriver) -> None:
    def between_sets() -> bool:
        step = d.engine.step
        return (
            d.state is State.RESTING
            and step is not None
            and not step.quiet
            and step.place.set > 1
            and step.place.rep == 0
        )

    d.cooperate_until(between_sets)  # the rest between Bridging's two sets
    d.advance(5)


def _waiting_for_done(d: EngineDriver) -> None:
    d.cooperate_until(lambda: d.state is State.WAITING_FOR_DONE)
    d.quiet()


def _asking_pain_start(d: EngineDriver) -> None:
    d.run_until(lambda: d.engine.question is not None)
    d.quiet()


def _asking_pain_now(d: EngineDriver) -> None:
    _counting(d)
    d.hear("pain")
    d.quiet()


def _asking_easier_offer(d: EngineDriver) -> None:
    _asking_pain_now(d)
    d.answer("two")


def _correcting_a_score(d: EngineDriver) -> None:
    _asking_pain_now(d)
    d.hear("two")
    d.quiet()  # "Two." has been said; "no" or another number would replace it now


def _resting_after_pain(d: EngineDriver) -> None:
    _asking_pain_now(d)
    d.answer("seven")
    d.advance(20)


def _asking_pain_again(d: EngineDriver) -> None:
    _resting_after_pain(d)
    d.run_until(lambda: d.engine.question is not None)
    d.quiet()


def _asking_move_on(d: EngineDriver) -> None:
    _asking_pain_again(d)
    d.answer("three")


def _paused(d: EngineDriver) -> None:
    _counting(d)
    d.hear("pause")
    d.quiet()


def _stopped(d: EngineDriver) -> None:
    _counting(d)
    d.hear("stop")
    d.quiet()


def _taking_a_rest(d: EngineDriver) -> None:
    _counting(d)
    d.hear("rest")
    d.advance(5)


def _waiting_for_ready(d: EngineDriver) -> None:
    _taking_a_rest(d)
    d.run_until(lambda: d.state is State.WAITING_FOR_READY)
    d.quiet()


MOMENTS: dict[str, Callable[[EngineDriver], None]] = {
    "speaking intro": _intro,
    "speaking set-up": _setup_sentence,
    "counting": _counting,
    "holding": _holding,
    "resting": _resting,
    "waiting for done": _waiting_for_done,
    "asking pain start": _asking_pain_start,
    "asking pain now": _asking_pain_now,
    "asking easier offer": _asking_easier_offer,
    "asking move on": _asking_move_on,
    "correcting a score": _correcting_a_score,
    "resting after pain": _resting_after_pain,
    "asking pain again": _asking_pain_again,
    "paused": _paused,
    "stopped": _stopped,
    "taking a rest": _taking_a_rest,
    "waiting for ready": _waiting_for_ready,
}

MOMENT_STATE: dict[str, State] = {
    "speaking intro": State.SPEAKING,
    "speaking set-up": State.SPEAKING,
    "counting": State.COUNTING,
    "holding": State.HOLDING,
    "resting": State.RESTING,
    "waiting for done": State.WAITING_FOR_DONE,
    "asking pain start": State.ASKING,
    "asking pain now": State.ASKING,
    "asking easier offer": State.ASKING,
    "asking move on": State.ASKING,
    "correcting a score": State.ASKING,
    "resting after pain": State.RESTING_AFTER_PAIN,
    "asking pain again": State.ASKING,
    "paused": State.PAUSED,
    "stopped": State.STOPPED,
    "taking a rest": State.TAKING_A_REST,
    "waiting for ready": State.WAITING_FOR_READY,
}


def driver_at(name: str, settings: SessionSettings | None = None) -> EngineDriver:
    """A started session of `sample_script()` at the named moment."""
    d = EngineDriver(sample_script(), settings)
    d.start()
    MOMENTS[name](d)
    assert d.state is MOMENT_STATE[name], (name, d.state)
    return d


def check_consistent(d: EngineDriver) -> None:
    """What must hold in every state: a question is pending exactly while asking, the plan
    position is in range, and the display can be drawn."""
    engine = d.engine
    assert (engine.question is not None) == (engine.state is State.ASKING), engine.state
    assert 0 <= engine.index <= len(engine.plan)
    status = engine.status()
    assert status.state == engine.state.value
    if engine.state is State.WAITING_FOR_DONE:
        step = engine.step
        assert step is not None and step.kind is StepKind.WAIT_DONE
