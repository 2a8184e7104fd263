"""The first promise, watched: "pain" and "stop" cut the speech and halt the exercise at
once, in every state, every time; nothing pushes through pain; a red score is followed up.

`WatchedDriver` is an EngineDriver that checks, after every event a person or the clock
sends, what a person would notice:

- `inject(word, by_key)` sends "pain" or "stop" (spoken or as the p / s key) and checks that
  speech being said is cut in that same engine call (a StopSpeech before any new sentence),
  that "pain" leads to the pain question (or, once the session has ended, cuts the closing
  words) and that "stop" leaves the session stopped (or ending).
- From then on, until the person says something that carries on (continue, ready, skip, an
  answer, easier or harder), no count, beat, hold or planned rest of an exercise is played.
- After "pain", no exercise moves again until a pain score has been given (or taken as red
  for want of one); after a red score during the session, none moves until the score has
  been asked again after the rest, and then not the exercise that hurt.
- A red start score is followed by its offer (or the end) before any exercise.

Every event sent at the top level is kept in `events`, so a test can replay a session to any
moment (`replay`) and try a word there on a fresh engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine_driver import WAITING_FOR_PERSON, WILLING_ANSWERS, EngineDriver
from voicecoach.config.settings import SessionSettings
from voicecoach.script.model import Script
from voicecoach.session.engine import SAME_STOP_SECONDS, SessionEngine
from voicecoach.session.events import (
    Action,
    Cue,
    Event,
    Heard,
    KeyPressed,
    Log,
    Say,
    SpeechFinished,
    StateChanged,
    StopSpeech,
)
from voicecoach.session.states import QuestionKind, State
from voicecoach.session.vocabulary import KEYS, PAUSE_TOGGLE_KEY, Answer, Command, Meaning

EXERCISE_MOVING = frozenset({State.COUNTING, State.HOLDING, State.RESTING, State.WAITING_FOR_DONE})
"""States in which an exercise is under way: a beat, a hold, a planned rest, a self-paced set."""

REST_COUNTS = frozenset({"Ten seconds.", "Thirty seconds.", "One minute left."})
"""Count-kind sentences said in rests (counting a rest down is not exercising)."""

CARRIES_ON: frozenset[Meaning] = frozenset(
    {Command.CONTINUE, Command.SKIP, Command.EASIER, Command.HARDER, Command.BACK_TO_NORMAL}
    | set(Answer)
)
"""What a person says to go on: after one of these the exercise may move again."""

PAIN_SCORE_KINDS = (QuestionKind.PAIN_NOW, QuestionKind.PAIN_AGAIN)


class PromiseBroken(AssertionError):
    """What a person would have noticed, with the words and keys that led there."""


@dataclass
class Watch:
    """What the watched session owes the person right now."""

    halted: str | None = None
    """Why the exercise must stay still ("stop at 12.0"), until the person carries on."""
    pain_unscored: str | None = None
    """"pain" was said; no exercise moves until a score is given (or taken as red)."""
    red_unfollowed: str | None = None
    """A red score during the session; no exercise moves until it is asked again."""
    start_red: bool = False
    """A red start score; its offer (or the end) comes before any exercise."""
    hurt_exercise: str | None = None
    """The exercise stopped for red pain: not the next one to move."""
    injected: list[str] = field(default_factory=list)


class WatchedDriver(EngineDriver):
    def __init__(
        self,
        script: Script,
        settings: SessionSettings | None = None,
        *,
        levels: dict[str, int] | None = None,
        first_use: bool = False,
    ) -> None:
        super().__init__(script, settings, levels=levels)
        if first_use:  # the red flags are said in the introduction
            self.engine = SessionEngine(script, settings, levels=levels, first_use=True)
        self.events: list[Event] = []
        self.watch = Watch()
        self._depth = 0

    # ------------------------------------------------------------------ sending

    def send(self, event: Event) -> list[Action]:
        if self._depth:
            return super().send(event)  # a cut reported by the simulated speaker
        self.events.append(event)
        meaning = self._meaning(event)
        if meaning is Command.PAIN or meaning is Command.STOP:
            return self._safety_word(event, meaning)
        return self._sent(event)

    def _sent(self, event: Event) -> list[Action]:
        mark = self.mark()
        self._depth += 1
        try:
            actions = super().send(event)
        finally:
            self._depth -= 1
        self._after(event, mark)
        return actions

    def replay(self, events: list[Event]) -> None:
        """Send `events` (recorded by another WatchedDriver) as they came."""
        for event in events:
            self.t = event.t
            saying = self.speaking
            if isinstance(event, SpeechFinished) and saying and saying[0] == event.utterance_id:
                self.speaking = None  # as `step` does: the sentence has been said
            self.send(event)

    def inject(self, word: str, *, by_key: bool) -> list[Action]:
        """ "pain" or "stop" now, spoken or as its key (p / s)."""
        return self.send(KeyPressed(self.t, word[0]) if by_key else Heard(self.t, word))

    def _safety_word(self, event: Event, meaning: Meaning) -> list[Action]:
        """Send "pain" or "stop" (any of their words, or keys) and check what the person
        notices at once."""
        engine = self.engine
        before = engine.state
        was_saying = self.speaking
        by_key = isinstance(event, KeyPressed)
        same_stop = (
            meaning is Command.STOP
            and not by_key
            and before is State.STOPPED
            and event.t - engine._stopped_at < SAME_STOP_SECONDS
        )
        word = event.key if isinstance(event, KeyPressed) else getattr(event, "text", "")
        how = f"{meaning.value} ({'key' if by_key else 'said'} {word!r}) at {event.t:.1f} in "
        how += before.value
        self.watch.injected.append(how)
        actions = self._sent(event)
        said = f"{how}, while saying {was_saying[2]!r}" if was_saying else how
        # The player's own "Stopped." heard back as a stop is left to be said.
        own_words = same_stop and was_saying is not None and was_saying[2].startswith("Stopped.")
        if was_saying is not None and not own_words:
            stops = [i for i, a in enumerate(actions) if isinstance(a, StopSpeech)]
            says = [i for i, a in enumerate(actions) if isinstance(a, Say)]
            self._check(bool(stops), f"{said}: the speech was not cut", actions)
            cut_first = not says or stops[0] < says[0]
            self._check(cut_first, f"{said}: something was said before the cut", actions)
        if same_stop:
            self._check(engine.state is State.STOPPED, f"{how}: the session moved on", actions)
        elif before is State.ENDED:
            self._check(
                any(isinstance(a, StopSpeech) for a in actions),
                f"{how}: the closing words were not cut",
                actions,
            )
        elif engine.state is State.ENDED:
            # A score said back just before ended the session: its closing words, with
            # the advice, are said (anything being said was cut first, as checked above).
            self._check(
                any(isinstance(a, Say) for a in actions),
                f"{how}: the session ended in silence, its advice unsaid",
                actions,
            )
        elif meaning is Command.PAIN:
            question = engine.question
            self._check(
                question is not None and question.kind in PAIN_SCORE_KINDS,
                f"{how}: no pain question (now {engine.state.value}, "
                f"{question.kind.value if question else 'no question'})",
                actions,
            )
            self._check(
                any(isinstance(a, Say) for a in actions),
                f"{how}: nothing was said (the question waits in silence)",
                actions,
            )
            if question is not None and question.kind is QuestionKind.PAIN_NOW:
                self.watch.pain_unscored = how
        else:
            stopped = engine.state is State.STOPPED or (
                engine.question is not None and engine.question.kind is QuestionKind.PAIN_END
            )
            self._check(stopped, f"{how}: not stopped (now {engine.state.value})", actions)
        if not self.finished:
            self.watch.halted = how
        return actions

    @property
    def finished(self) -> bool:
        return self.engine.state is State.ENDED

    # ------------------------------------------------------------------ a willing person

    def willing_step(self) -> None:
        """One thing a willing person does (as `cooperate_until`): answer a question once it
        has been said, say done, continue when paused, or let time pass."""
        question = self.engine.question
        if self.finished or (question is not None and question.heard is not None):
            self.step()
        elif self.silent and question is not None:
            self.hear(WILLING_ANSWERS[question.kind.value])
        elif self.silent and self.state in WAITING_FOR_PERSON:
            self.hear("continue")
        elif self.silent and self.state is State.WAITING_FOR_DONE:
            self.hear("done")
        else:
            self.step()

    # ------------------------------------------------------------------ the checks

    def _meaning(self, event: Event) -> Meaning | None:
        if isinstance(event, Heard):
            word = event.word or self.engine.vocabulary.understand(event.text)
            return None if word is None else word.meaning
        if isinstance(event, KeyPressed):
            if event.key == PAUSE_TOGGLE_KEY:
                return Command.CONTINUE  # may carry on (it toggles pause)
            return KEYS.get(event.key.lower() if event.key.strip() else event.key)
        return None

    def _after(self, event: Event, mark: int) -> None:
        watch = self.watch
        engine = self.engine
        records = self.records[mark:]
        actions = [r.action for r in records]
        states = [State(a.state) for a in actions if isinstance(a, StateChanged)]
        states.append(engine.state)
        moved = [s for s in states if s in EXERCISE_MOVING]
        played = [
            a
            for a in actions
            if (isinstance(a, Cue) and a.name == "beep")
            or (isinstance(a, Say) and a.kind == "count" and a.text not in REST_COUNTS)
            or (isinstance(a, Say) and a.text == "And relax.")
        ]
        exercise_moved = bool(moved or played)
        what = f"{[s.value for s in moved]} {[getattr(a, 'text', a) for a in played]}"

        for log in (a for a in actions if isinstance(a, Log) and a.kind == "pain_score"):
            detail = log.detail
            if detail.get("moment") == "during":
                watch.pain_unscored = None
                if detail.get("after_rest"):
                    watch.red_unfollowed = None
                elif detail.get("zone") == "red":
                    watch.red_unfollowed = f"red score {detail.get('score')} at {self.t:.1f}"
                    watch.hurt_exercise = detail.get("exercise")
            elif detail.get("moment") == "start":
                watch.start_red = detail.get("zone") == "red"
        question = engine.question
        if question is not None and question.kind in (
            QuestionKind.START_OFFER,
            QuestionKind.PAIN_START,
        ):
            watch.start_red = False

        self._check(
            (engine.question is not None) == (engine.state is State.ASKING),
            f"a question ({question.kind.value if question else None}) pending while "
            f"{engine.state.value}: the screen offers words that do nothing",
            actions,
        )
        if self._meaning(event) in CARRIES_ON:
            watch.halted = None
        if exercise_moved:
            for owed in (watch.halted, watch.pain_unscored, watch.red_unfollowed):
                self._check(owed is None, f"after {owed}: the exercise went on: {what}", actions)
            self._check(not watch.start_red, f"after a red start score: {what}", actions)
            if watch.hurt_exercise is not None:
                name = engine.status().exercise
                self._check(
                    name != watch.hurt_exercise,
                    f"after red pain in {watch.hurt_exercise}: it went on again",
                    actions,
                )
                areas = {ex.name: ex.area for ex in engine.script.all_exercises}
                hurt_area, area = areas.get(watch.hurt_exercise), areas.get(name or "")
                self._check(
                    hurt_area is None or area is None or area != hurt_area,
                    f"after red pain in {watch.hurt_exercise}: {name}, for the same {area}",
                    actions,
                )
                watch.hurt_exercise = None

        if self.finished:
            watch.halted = watch.pain_unscored = watch.red_unfollowed = None
            watch.start_red = False

    def _check(self, ok: bool, problem: str, actions: list[Action]) -> None:
        if ok:
            return
        said = [f"{a.text!r}" for a in actions if isinstance(a, Say)]
        raise PromiseBroken(
            f"{self.engine.script.id}: {problem}\n  that call said: {', '.join(said) or '-'}"
            f"\n  safety words so far: {'; '.join(self.watch.injected)}"
            f"\n  events: {describe(self.events)}"
        )


def describe(events: list[Event]) -> str:
    """The person's side of a session, short: words and keys with their times."""
    out = []
    for e in events:
        if isinstance(e, Heard):
            out.append(f"{e.t:.1f} said {e.text!r}")
        elif isinstance(e, KeyPressed):
            out.append(f"{e.t:.1f} key {e.key!r}")
    return "; ".join(out) or "none"
