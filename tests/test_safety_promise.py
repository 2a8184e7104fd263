"""The first promise, tried at random: on every bundled script, a person does anything at
all (waits, answers, says any word, presses any key) and at random moments says "pain" or
"stop" or presses p or s. What they must notice every time is checked by `WatchedDriver`
(safety_watch.py): the speech is cut in that same moment, the exercise halts until they
carry on, pain leads to the pain question, a red score is followed up before going on.

Hypothesis runs derandomized with no example database, so CI tries the same sessions every
run; `EXAMPLES` of them per test.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safety_watch import WatchedDriver
from voicecoach.config.settings import SessionSettings
from voicecoach.script.library import load_library
from voicecoach.session.states import State
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, KEYS, NUMBER_WORDS, Command

LIBRARY = {s.id: s for s in load_library()}

EXAMPLES = 500

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
    moves=st.lists(moves, min_size=1, max_size=30),
    last=st.sampled_from(SAFETY),
)
def test_pain_and_stop_always_cut_and_halt(
    script_id: str,
    session: SessionSettings,
    moves: list[tuple[str, object]],
    last: tuple[str, bool],
) -> None:
    d = WatchedDriver(LIBRARY[script_id], session)
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
    assert replace(SETTINGS[0]) == SessionSettings()
