"""The first promise, tried at random: on every bundled script, a person does anything at
all (waits, answers, says any word, presses any key) and at random moments says "pain" or
"stop" or presses p or s. What they must notice every time is checked by `WatchedDriver`
(safety_watch.py): the speech is cut in that same moment, the exercise halts until they
carry on, pain leads to the pain question, a red score is followed up before going on.

The same for the start chooser ("Are you in bed or in a chair?"): pain or stop at any
moment, the greeting, a question, "Starting ..." or the goodbye, cuts the speech at once
and no session follows.

Hypothesis runs derandomized with no example database, so CI tries the same sessions every
run: `EXAMPLES` sessions and `CHOOSER_EXAMPLES` starts.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safety_watch import PromiseBroken, WatchedDriver
from voicecoach.config.settings import PainZones, SessionSettings, Settings
from voicecoach.script.library import load_library
from voicecoach.session.adaptation import level_range
from voicecoach.session.chooser import CHOOSER_KEYS, ScriptChooser
from voicecoach.session.engine import SessionEngine
from voicecoach.session.events import (
    Action,
    Event,
    Heard,
    KeyPressed,
    Say,
    SpeechFinished,
    StopSpeech,
    Tick,
)
from voicecoach.session.preview import speech_seconds
from voicecoach.session.states import State
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, KEYS, NUMBER_WORDS, Command

LIBRARY = {s.id: s for s in load_library()}

EXAMPLES = 500
CHOOSER_EXAMPLES = 300

PHRASES = [
    *sorted({p.text for p in DEFAULT_VOCABULARY.phrases}),
    "stop please",
    "ouch that really hurts",
    "seven",
    "7",
    "10",
    "what",
]
"""Every phrase of the vocabulary (every command word, answer and number) and a few
sentences with a word inside."""

PRESSED = [*sorted(KEYS), " ", "P", "S", "x"]

SAFETY = [("pain", False), ("pain", True), ("stop", False), ("stop", True)]

SETTINGS = [
    SessionSettings(),
    SessionSettings(count_style="beeps", pace=0.5),
    SessionSettings(ask_pain_scores=False, extra_rest_between_sets=10),
    SessionSettings(answer_timeout=5.0, sentence_pause=0.2),
    SessionSettings(pain_zones=PainZones(green_max=1, amber_max=7)),
]

ANSWERS = [*NUMBER_WORDS, "yes", "no", "ready"]

moves = st.one_of(
    st.tuples(st.just("until"), st.sampled_from(list(State))),
    st.tuples(st.just("answer"), st.sampled_from(ANSWERS)),
    st.tuples(st.just("answer"), st.sampled_from(ANSWERS)),
    st.tuples(st.just("go"), st.integers(1, 80)),
    st.tuples(st.just("wait"), st.integers(1, 6)),
    st.tuples(st.just("advance"), st.floats(0.0, 150.0, allow_nan=False)),
    st.tuples(st.just("say"), st.sampled_from(PHRASES)),
    st.tuples(st.just("key"), st.sampled_from(PRESSED)),
    st.tuples(st.just("safety"), st.sampled_from(SAFETY)),
    st.tuples(st.just("safety"), st.sampled_from(SAFETY)),
)


def play(d: WatchedDriver, move: tuple[str, object]) -> None:
    kind, what = move
    if kind == "until":
        # A willing person, until the session is in that state (if it gets there soon).
        for _ in range(150):
            if d.state is what or d.finished:
                break
            d.willing_step()
    elif kind == "answer":
        # Once what is being said has been said, this answer.
        for _ in range(20):
            if d.silent:
                break
            d.step()
        d.hear(str(what))
    elif kind == "go":
        for _ in range(int(what)):  # type: ignore[call-overload]
            d.willing_step()
    elif kind == "wait":
        for _ in range(int(what)):  # type: ignore[call-overload]
            d.step()
    elif kind == "advance":
        d.advance(float(what))  # type: ignore[arg-type]
    elif kind == "say":
        d.hear(str(what))
    elif kind == "key":
        d.key(str(what))
    else:
        word, by_key = what  # type: ignore[misc]
        d.inject(word, by_key=by_key)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    script_id=st.sampled_from(sorted(LIBRARY)),
    session=st.sampled_from(SETTINGS),
    first_use=st.booleans(),
    level=st.sampled_from(["usual", "easiest", "hardest"]),
    moves=st.lists(moves, min_size=1, max_size=30),
    last=st.sampled_from(SAFETY),
)
def test_pain_and_stop_always_cut_and_halt(
    script_id: str,
    session: SessionSettings,
    first_use: bool,
    level: str,
    moves: list[tuple[str, object]],
    last: tuple[str, bool],
) -> None:
    script = LIBRARY[script_id]
    levels = {
        ex.name: level_range(ex)[0 if level == "easiest" else 1]
        for ex in script.all_exercises
        if level != "usual"
    }
    d = WatchedDriver(script, session, levels=levels, first_use=first_use)
    d.start()
    for move in moves:
        play(d, move)
    # Then the safety word once more, and a quarter of an hour in which nobody says
    # anything: nothing of an exercise may be played.
    d.inject(last[0], by_key=last[1])
    d.advance(900)


def test_the_vocabulary_has_the_safety_words_tried() -> None:
    """The words and keys tried above include every word for pain and stop."""
    for meaning in (Command.PAIN, Command.STOP):
        assert set(DEFAULT_VOCABULARY.words_for(meaning)) <= set(PHRASES)
    assert {"p", "s"} <= set(PRESSED)


class _DeafToStop(SessionEngine):
    def _stop(self, t: float) -> list[Action]:
        return []


class _PainMovesOn(SessionEngine):
    def _pain(self, t: float) -> list[Action]:
        return self._cut()  # silence, and the exercise goes on at its next beat


class _SkipsTheRest(SessionEngine):
    def _pain(self, t: float) -> list[Action]:
        actions = super()._pain(t)
        assert self.question is not None
        self.question.on_answer = lambda answer, at: self._continue_now(at)
        return actions

    def _continue_now(self, t: float) -> list[Action]:
        self.state = State.SPEAKING
        return self._speak(["Carrying on."], lambda at: self._resume(at, self.index))


@pytest.mark.parametrize(
    ("engine", "broken"),
    [
        (_DeafToStop, "the speech was not cut"),
        (_PainMovesOn, "no pain question"),
        (_SkipsTheRest, "the exercise went on"),
    ],
)
def test_the_watch_notices_a_broken_promise(engine: type[SessionEngine], broken: str) -> None:
    """The checks can fail: engines that break the promise on purpose are caught."""
    script = LIBRARY["chair-gentle-start"]
    d = WatchedDriver(script)
    d.engine = engine(script)
    d.start()
    d.cooperate_until(lambda: d.state is State.COUNTING and d.speaking is not None)
    with pytest.raises(PromiseBroken, match=broken):
        d.inject("stop" if engine is _DeafToStop else "pain", by_key=False)
        d.quiet()
        d.hear("eight")
        d.advance(120)


# ---------------------------------------------------------------- the start chooser


class ChooserRun:
    """The start chooser with a simulated speaker (as EngineDriver's): a sentence lasts
    as long as saying it takes, a new one cuts the one before, a cut ends at once."""

    def __init__(self, settings: Settings, last: str | None) -> None:
        self.chooser = ScriptChooser(list(LIBRARY.values()), settings, last)
        self.chooser._minutes = MINUTES  # each script's length, worked out once for all runs
        self.t = 0.0
        self.speaking: tuple[int, float, str] | None = None
        self.words: list[str] = []
        self._perform(self.chooser.start(0.0))

    def send(self, event: Event) -> list[Action]:
        actions = self.chooser.handle(event)
        self._perform(actions)
        return actions

    def step(self) -> None:
        due = [d for d in (self.chooser.next_deadline(), self.speaking and self.speaking[1]) if d]
        if not due:
            return
        self.t = max(self.t, min(due))
        if self.speaking is not None and self.speaking[1] <= self.t:
            uid, self.speaking = self.speaking[0], None
            self.send(SpeechFinished(self.t, uid))
        else:
            self.send(Tick(self.t))

    def _perform(self, actions: list[Action]) -> None:
        for action in actions:
            cut = None
            if isinstance(action, Say):
                cut, self.speaking = self.speaking, (action.utterance_id, 0.0, action.text)
                ends = self.t + speech_seconds(action.text, 140)
                self.speaking = (action.utterance_id, ends, action.text)
            elif isinstance(action, StopSpeech):
                cut, self.speaking = self.speaking, None
            if cut is not None:
                self.send(SpeechFinished(self.t, cut[0]))

    def safety_word(self, word: str, by_key: bool) -> None:
        chooser = self.chooser
        was_saying, was_finished, had_chosen = self.speaking, chooser.finished, chooser.chosen
        how = f"{word} ({'key' if by_key else 'said'}) at {self.t:.1f}; before: {self.words}"
        self.words.append(word)
        event: Event = KeyPressed(self.t, word[0]) if by_key else Heard(self.t, word)
        actions = self.send(event)
        if was_saying is not None:
            stops = [i for i, a in enumerate(actions) if isinstance(a, StopSpeech)]
            says = [i for i, a in enumerate(actions) if isinstance(a, Say)]
            assert stops, f"{how}: {was_saying[2]!r} was not cut"
            assert not says or stops[0] < says[0], f"{how}: said before the cut"
        assert chooser.finished and chooser.chosen is None, f"{how}: a session would start"
        if was_finished and had_chosen is None:
            assert not [a for a in actions if isinstance(a, Say)], f"{how}: more words"

    def anything(self, event: Event) -> None:
        ended = self.chooser.finished and self.chooser.chosen is None
        self.words.append(repr(getattr(event, "text", getattr(event, "key", "tick"))))
        actions = self.send(event)
        if ended:
            assert not [a for a in actions if isinstance(a, Say)], f"after the end: {actions}"
            assert self.chooser.chosen is None


MINUTES: dict[str, int] = {}

CHOOSER_PRESSED = [*sorted(CHOOSER_KEYS), "x", "S", "P"]

chooser_moves = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 4)),
    st.tuples(st.just("advance"), st.floats(0.0, 60.0, allow_nan=False)),
    st.tuples(st.just("say"), st.sampled_from(PHRASES)),
    st.tuples(st.just("say"), st.sampled_from(["bed", "chair", "yes", "no", "next"])),
    st.tuples(st.just("key"), st.sampled_from(CHOOSER_PRESSED)),
    st.tuples(st.just("safety"), st.sampled_from(SAFETY)),
)


@settings(
    max_examples=CHOOSER_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    default_position=st.sampled_from([None, "bed", "chair"]),
    last=st.sampled_from([None, "bed-gentle-start", "chair-strength", "gone-since"]),
    moves=st.lists(chooser_moves, min_size=0, max_size=12),
    last_word=st.sampled_from(SAFETY),
)
def test_pain_and_stop_always_cut_the_start_and_no_session_follows(
    default_position: str | None,
    last: str | None,
    moves: list[tuple[str, object]],
    last_word: tuple[str, bool],
) -> None:
    run = ChooserRun(Settings(default_position=default_position), last)
    for kind, what in moves:
        if kind == "wait":
            for _ in range(int(what)):  # type: ignore[call-overload]
                run.step()
        elif kind == "advance":
            run.t += float(what)  # type: ignore[arg-type]
            run.anything(Tick(run.t))
        elif kind == "say":
            run.anything(Heard(run.t, str(what)))
        elif kind == "key":
            run.anything(KeyPressed(run.t, str(what)))
        else:
            word, by_key = what  # type: ignore[misc]
            run.safety_word(word, by_key)
    run.safety_word(*last_word)
    run.t += 300
    run.anything(Tick(run.t))
    assert run.chooser.chosen is None
