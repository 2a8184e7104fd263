"""Keys in the live loop (issue 13): a pain score of 10 from the digit keys, Enter to skip a
score, "n" for no, an early Enter that is not lost in silence, and what was typed shown.
Everything runs on the fake clock of test_live_session: no real waiting."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sample_scripts import ankle_pumps, sample_script
from test_live_session import (
    QUIET_START,
    Display,
    FakeClock,
    FakeSpeech,
    ListInput,
    key,
    live,
    small_script,
)
from voicecoach.config.settings import SessionSettings
from voicecoach.player.keys import TEN_WAIT_SECONDS, KeyComposer, keys_line, unused_enter
from voicecoach.player.live_session import InputItem, LiveSession
from voicecoach.script.model import Pace
from voicecoach.session.engine import SessionEngine, State
from voicecoach.session.events import Status
from voicecoach.session.safety_words import PAIN_REST_WORDS

PAIN_KEY_AT = 31.0  # during the first rep of ankle pumps


def pain_scores(logs: list) -> list[tuple[float, dict]]:  # type: ignore[type-arg]
    return [(t, log.detail) for t, log in logs if log.kind == "pain_score"]


def said_at(run: object, text: str) -> float:
    return next(t for t, said in run.speech.said if said == text)  # type: ignore[attr-defined]


def test_one_then_zero_is_a_pain_score_of_ten() -> None:
    run = live([key(PAIN_KEY_AT, "p"), key(40.0, "1"), key(40.4, "0")])
    first = pain_scores(run.logs)[0][1]
    assert first["score"] == 10 and first["zone"] == "red"
    assert said_at(run, "Ten.") == pytest.approx(40.4)  # said back as soon as it is typed
    assert PAIN_REST_WORDS in run.speech.texts(40.0)  # red: the guided rest


def test_a_one_alone_counts_after_the_short_wait_on_the_sessions_clock() -> None:
    run = live([key(PAIN_KEY_AT, "p"), key(40.0, "1"), key(50.0, "n")])
    ((_, score),) = pain_scores(run.logs)
    assert score["score"] == 1 and score["zone"] == "green"
    assert said_at(run, "One.") == pytest.approx(40.0 + TEN_WAIT_SECONDS, abs=0.03)


def test_enter_after_a_one_settles_it_at_once() -> None:
    run = live([key(PAIN_KEY_AT, "p"), key(40.0, "1"), key(40.2, "\n"), key(50.0, "n")])
    ((_, score),) = pain_scores(run.logs)
    assert score["score"] == 1
    assert said_at(run, "One.") == pytest.approx(40.2)


def test_ten_at_the_end_question_too() -> None:
    settings = SessionSettings(heat_note=False)
    plain = live([], settings=settings)
    asked = next(t for t, text in plain.speech.said if text.startswith("How is your pain now"))
    run = live([key(2.0, "n"), key(asked + 1, "1"), key(asked + 1.5, "0")], settings=settings)
    scores = [s for _, s in pain_scores(run.logs)]
    assert scores == [{"moment": "end", "score": 10, "zone": "red"}]


def test_enter_skips_the_pain_question_as_the_prompt_offers() -> None:
    settings = SessionSettings(heat_note=False)
    question = "How is your pain right now, from zero to ten? Or say skip."
    at = next(t for t, text in live([], settings=settings).speech.said if text == question)
    run = live([key(at + 1.0, "\n")], settings=settings)
    texts = run.speech.texts()
    asked = texts.index(question)
    assert texts[asked + 1] == "That's fine."
    assert pain_scores(run.logs) == []
    assert run.engine.state is State.ENDED


def test_the_n_key_answers_no_at_a_yes_no_question() -> None:
    # Pain 2 (green): "Would you like the easier version?"; n is no: carry on as before.
    run = live([key(PAIN_KEY_AT, "p"), key(40.0, "2"), key(55.0, "n")])
    assert "All right. Carry on gently." in run.speech.texts(55.0)
    assert not [log for _, log in run.logs if log.kind == "level_change"]


def test_the_y_key_answers_yes() -> None:
    run = live([key(PAIN_KEY_AT, "p"), key(40.0, "2"), key(55.0, "y")])
    (change,) = [log for _, log in run.logs if log.kind == "level_change"]
    assert change.detail["direction"] == "easier"


def test_an_early_enter_for_done_is_told_not_lost() -> None:
    script = replace(sample_script(replace(ankle_pumps(reps=2), pace=Pace.SELF)), cool_down=())
    clock = FakeClock()
    engine = SessionEngine(script, QUIET_START)
    speech = FakeSpeech(clock)
    display = Display()
    plain = live([], script, max_seconds=300)
    instructions = next(t for t, text in plain.speech.said if text.startswith("Do two"))
    LiveSession(
        engine, speech, ListInput(clock, [key(instructions + 0.5, "\n")]), clock, display=display
    ).run(max_seconds=instructions + 30)
    assert any("Enter was too early" in note for note in display.notes)
    # Said once too, after the instructions, and the count and "Say done ..." follow whole.
    said = speech.texts(instructions)
    assert said == [
        "Do two, at your own pace. Point your toes. pull them back. I'll count for you. "
        "Say slower if you need more time.",
        "Enter was too early. Press it again when you have finished.",
        "One.",
        "Last one.",
        "Say done when you have finished.",
    ]
    assert engine.state is State.WAITING_FOR_DONE  # it did not count as done


def test_what_was_typed_for_a_score_is_shown() -> None:
    clock = FakeClock()
    display = Display()
    engine = SessionEngine(sample_script(ankle_pumps(reps=2)), QUIET_START)
    items = [key(PAIN_KEY_AT, "p"), key(40.0, "1"), key(40.3, "0")]
    LiveSession(engine, FakeSpeech(clock), ListInput(clock, items), clock, display=display).run(
        max_seconds=45
    )
    assert "Pain score typed: 1 (type 0 now for 10)" in display.notes
    assert "Pain score typed: 10" in display.notes


# ---------------------------------------------------------------- the composer alone


def asking_score() -> Status:
    return Status(
        state="asking",
        script_title="s",
        exercise=None,
        exercise_number=0,
        exercise_count=0,
        side=None,
        set_number=0,
        set_count=0,
        rep_number=0,
        rep_count=0,
        countdown=None,
        countdown_label=None,
        can_say=("zero to ten", "skip", "stop", "pain"),
        level=0,
    )


def test_stop_while_a_one_waits_drops_the_one_and_stops_at_once() -> None:
    composer = KeyComposer()
    assert composer.key("1", 10.0, asking_score()) == []
    assert composer.deadline() == pytest.approx(10.0 + TEN_WAIT_SECONDS)
    assert composer.key("s", 10.1, asking_score()) == [InputItem("key", "s")]
    assert composer.deadline() is None
    assert composer.due(20.0) == []


def test_digits_outside_a_score_question_pass_straight_through() -> None:
    composer = KeyComposer()
    playing = replace(asking_score(), state="counting", can_say=("pause", "stop"))
    assert composer.key("1", 0.0, playing) == [InputItem("key", "1")]
    assert composer.key("n", 0.0, playing) == [InputItem("key", "n")]
    assert composer.key("\n", 0.0, playing) == [InputItem("key", "\n")]
    assert keys_line(playing) == "Keys now: space pause, s stop."


def test_printed_sessions_print_an_early_enter_notice_once() -> None:
    script = replace(sample_script(replace(ankle_pumps(reps=2), pace=Pace.SELF)), cool_down=())
    instructions = next(
        t for t, text in live([], script, max_seconds=300).speech.said if text.startswith("Do two")
    )
    clock = FakeClock()
    speech = FakeSpeech(clock)
    printed: list[str] = []
    LiveSession(
        SessionEngine(script, QUIET_START),
        speech,
        ListInput(clock, [key(instructions + 0.5, "\n")]),
        clock,
        echo=printed.append,
    ).run(max_seconds=instructions + 30)
    assert [line for line in printed if "too early" in line] == [
        "Enter was too early: nothing is waiting for done yet. Press Enter again when asked."
    ]
    assert not [text for text in speech.texts() if "too early" in text]


def test_enter_at_a_yes_no_question_says_which_keys_answer() -> None:
    clock = FakeClock()
    display = Display()
    engine = SessionEngine(small_script(), QUIET_START)
    speech = FakeSpeech(clock)
    items = [key(PAIN_KEY_AT, "p"), key(40.0, "2"), key(52.0, "\n"), key(60.0, "y")]
    LiveSession(engine, speech, ListInput(clock, items), clock, display=display).run(
        max_seconds=120
    )
    assert "Enter does not answer this question: press y for yes or n for no." in display.notes
    assert "Press y for yes, or n for no." in speech.texts(52.0)
    assert not any("too early" in note for note in display.notes)


def test_the_keys_line_names_a_key_for_each_word_of_a_rest() -> None:
    resting = replace(
        asking_score(), state="taking a rest", can_say=("ready", "more rest", "stop", "pain")
    )
    assert keys_line(resting) == "Keys now: Enter ready, t more rest, s stop, p pain."
    odd = replace(asking_score(), state="speaking", can_say=("back to normal",))
    assert keys_line(odd) == "Keys now: :back to normal."


def test_an_unused_enter_outside_an_exercise_lists_the_keys_that_act() -> None:
    choosing = replace(asking_score(), state="choosing", can_say=("bed", "chair", "stop"))
    told = unused_enter(choosing)
    assert told.text == "Enter does nothing now. Keys now: b bed, c chair, s stop."
    assert told.spoken == "Enter does nothing now."
    during = replace(asking_score(), state="speaking", exercise="Ankle pumps", can_say=("pain",))
    assert "too early" in unused_enter(during).text
