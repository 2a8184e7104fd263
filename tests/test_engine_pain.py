"""The engine's pain flow: halt at once, ask zero to ten, say the score back, then green /
amber; the start and end scores. (Red pain, tingling and the red flags: test_engine_red.py.)

Most tests say "pain" in the middle of a hold of Bridging (set 1 of 2, rep 2), whose easier
variant says "Lift your hips only a little." and does 3 reps.
"""

from __future__ import annotations

import pytest

from engine_driver import EngineDriver, driver_at
from sample_scripts import sample_script
from voicecoach.config.settings import PainZones, SessionSettings
from voicecoach.session.asking import CORRECTION_SECONDS
from voicecoach.session.engine import (
    END_FOR_PAIN,
    PAIN_ASK_AGAIN,
    PAIN_FIRST_WORDS,
    PAIN_QUESTION,
    State,
)
from voicecoach.session.events import Say
from voicecoach.session.preview import speech_seconds
from voicecoach.session.safety_words import PAIN_REST_WORDS, RED_STOP
from voicecoach.session.vocabulary import NUMBER_WORDS

THANKS_GREEN = "Thank you. It is fine to carry on gently, only if it feels all right."
OFFER_EASIER = "Would you like the easier version? Say yes or no."
THANKS_AMBER = "Thank you. Let's make this exercise easier."
EASIER_BRIDGING = "Lift your hips only a little."
THANKS_RED = "Thank you for telling me."
NO_NUMBER = "I did not hear a number, so let's be careful."
CHECK_PAIN_FIRST = "First, let's check your pain."
START_QUESTION = "How is your pain right now, from zero to ten? Or say skip."
NUMBER_SAID = {f"{w.capitalize()}." for w in NUMBER_WORDS}
END_QUESTION = "How is your pain now, from zero to ten? Or say skip."


def pain_in_a_hold(settings: SessionSettings | None = None) -> EngineDriver:
    """Bridging is being held; the person has said "pain" and heard the question."""
    d = driver_at("holding", settings)
    d.hear("pain")
    d.quiet()
    return d


def answered(score: str, settings: SessionSettings | None = None) -> tuple[EngineDriver, int]:
    """The score has been said back and stood; what follows it has been said."""
    d = pain_in_a_hold(settings)
    mark = d.mark()
    d.answer(score)
    return d, mark


def after_the_number(d: EngineDriver, mark: int) -> list[str]:
    """What was said after the score was said back."""
    said = d.said(mark)
    assert said[0] in NUMBER_SAID, said
    return said[1:]


def with_start_score(score: str) -> EngineDriver:
    """A session whose start pain score was `score`, now holding Bridging."""
    d = EngineDriver(sample_script())
    d.start()
    d.run_until(lambda: d.engine.question is not None)
    d.quiet()
    d.answer(score)
    d.cooperate_until(lambda: d.state is State.HOLDING and d.engine.status().exercise == "Bridging")
    return d


# ---------------------------------------------------------------- asking


def test_pain_halts_and_asks_zero_to_ten() -> None:
    d = driver_at("holding")
    mark = d.mark()
    d.hear("pain")
    d.quiet()
    assert d.said(mark) == [PAIN_FIRST_WORDS, PAIN_QUESTION]
    d.advance(5)
    assert d.said(mark) == [PAIN_FIRST_WORDS, PAIN_QUESTION]  # no more counting
    heard = d.logs("command_heard", mark)
    assert heard[0].detail == {"command": "pain", "state": "holding"}


def test_no_answer_is_asked_again_once_then_counts_as_red() -> None:
    settings = SessionSettings(answer_timeout=8.0)
    d = pain_in_a_hold(settings)
    question = d.spoken()[-1]
    assert question.text == PAIN_QUESTION
    asked_by = question.t + speech_seconds(question.text, d.rate_wpm)
    wait = settings.sentence_pause + settings.answer_timeout
    mark = d.mark()
    d.advance(asked_by + wait - 0.05 - d.t)
    assert d.said(mark) == []
    d.advance(0.1)
    assert d.said(mark) == [PAIN_ASK_AGAIN]
    assert d.spoken(mark)[0].t == pytest.approx(asked_by + wait)
    d.quiet()
    d.advance(wait + 0.1)
    d.quiet()
    assert d.said(mark)[1:4] == [NO_NUMBER, RED_STOP, PAIN_REST_WORDS]
    (score,) = d.logs("pain_score", mark)
    assert score.detail == {
        "moment": "during",
        "score": None,
        "zone": "red",
        "exercise": "Bridging",
    }
    assert d.engine.red_count == 1
    assert d.state is State.RESTING_AFTER_PAIN


def test_an_answer_while_the_first_words_are_said_counts() -> None:
    d = driver_at("holding")
    d.hear("pain")
    mark = d.mark()
    d.answer("two")  # before the question itself has been said
    assert d.said(mark) == ["Two.", THANKS_GREEN, OFFER_EASIER]


@pytest.mark.parametrize(
    "word", ["skip", "next", "rest", "easier", "harder", "continue", "pause", "how many left"]
)
def test_other_commands_do_not_move_on_before_the_pain_is_scored(word: str) -> None:
    d = pain_in_a_hold()
    mark = d.mark()
    d.hear(word)
    d.quiet()
    assert d.said(mark) == [CHECK_PAIN_FIRST, PAIN_QUESTION]
    assert d.engine.question is not None and d.engine.question.kind == "pain_now"
    assert d.logs("level_change", mark) == []


def test_stop_during_the_pain_question_stops() -> None:
    d = pain_in_a_hold()
    d.hear("stop")
    assert d.state is State.STOPPED


# ---------------------------------------------------------------- the score said back


@pytest.mark.parametrize(("how", "back"), [("four", "Four."), ("10", "Ten."), ("key:4", "Four.")])
def test_every_score_is_said_back_before_anything_follows(how: str, back: str) -> None:
    d = pain_in_a_hold()
    mark = d.mark()
    if how.startswith("key:"):
        d.key(how[4:])
    else:
        d.hear(how)
    d.quiet()
    assert d.said(mark) == [back]
    assert d.logs("pain_score", mark) == []  # not acted on yet: it may still be corrected
    d.advance(CORRECTION_SECONDS + 1)
    assert d.logs("pain_score", mark)


@pytest.mark.parametrize("correction", ["no", "wrong", "that's wrong"])
def test_no_or_wrong_right_after_the_number_asks_again(correction: str) -> None:
    d = pain_in_a_hold()
    mark = d.mark()
    d.hear("four")
    d.quiet()
    d.hear(correction)
    d.quiet()
    assert d.said(mark) == ["Four.", "Sorry.", PAIN_QUESTION]
    assert d.engine.question is not None and d.engine.question.heard is None
    d.advance(CORRECTION_SECONDS + 1)
    assert d.logs("pain_score", mark) == []  # the four was taken back
    d.answer("seven")
    scores = [log.detail["score"] for log in d.logs("pain_score", mark)]
    assert scores == [7]


def test_a_new_number_right_after_replaces_the_first() -> None:
    d = pain_in_a_hold()
    mark = d.mark()
    d.hear("seven")
    d.quiet()
    d.answer("three")
    said = d.said(mark)
    assert said[:4] == ["Seven.", "Three.", THANKS_GREEN, OFFER_EASIER]
    assert [log.detail["score"] for log in d.logs("pain_score", mark)] == [3]
    assert d.logs("exercise_stopped", mark) == []


def test_yes_right_after_the_number_lets_it_stand_at_once() -> None:
    d = pain_in_a_hold()
    mark = d.mark()
    d.hear("two")
    d.quiet()
    d.hear("yes")
    d.quiet()
    assert d.said(mark) == ["Two.", THANKS_GREEN, OFFER_EASIER]
    assert d.engine.question is not None and d.engine.question.kind == "easier_offer"


def test_after_the_moment_has_passed_no_answers_the_next_question_instead() -> None:
    d, mark = answered("two")
    d.hear("no")  # now "no thanks" to the easier version
    d.quiet()
    assert after_the_number(d, mark)[2] == "All right. Carry on gently."
    assert [log.detail["score"] for log in d.logs("pain_score", mark)] == [2]


def test_stop_right_after_the_number_keeps_the_score_and_stops_at_once() -> None:
    d = pain_in_a_hold()
    mark = d.mark()
    d.hear("five")
    d.quiet()
    actions = d.hear("stop")
    said_now = [a.text for a in actions if isinstance(a, Say)]
    assert said_now == ["Stopped. Say continue to carry on, or stop again to finish."]
    assert d.state is State.STOPPED
    assert [log.detail["score"] for log in d.logs("pain_score", mark)] == [5]
    assert d.said(mark) == ["Five.", "Stopped. Say continue to carry on, or stop again to finish."]


@pytest.mark.parametrize("word", ["continue", "done"])
def test_a_word_that_changes_nothing_lets_the_score_stand_and_its_reply_is_said(word: str) -> None:
    d = pain_in_a_hold()
    mark = d.mark()
    d.hear("two")
    d.quiet()
    d.hear(word)
    d.quiet()
    assert d.said(mark) == ["Two.", THANKS_GREEN, OFFER_EASIER]


def test_the_start_score_is_said_back_and_can_be_corrected() -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.run_until(lambda: d.engine.question is not None)
    d.quiet()
    mark = d.mark()
    d.hear("two")
    d.quiet()
    d.hear("wrong")
    d.quiet()
    d.answer("three")
    assert d.said(mark)[:5] == ["Two.", "Sorry.", START_QUESTION, "Three.", "Thank you."]
    assert d.engine.pain_start == 3


# ---------------------------------------------------------------- green


@pytest.mark.parametrize("score", ["zero", "one", "two", "three", "3"])
def test_green_offers_the_easier_version(score: str) -> None:
    d, mark = answered(score)
    assert after_the_number(d, mark) == [THANKS_GREEN, OFFER_EASIER]
    (log,) = d.logs("pain_score", mark)
    assert log.detail["zone"] == "green"


def test_green_then_yes_moves_one_step_easier_announced_in_one_sentence() -> None:
    d, _ = answered("two")
    mark = d.mark()
    d.hear("yes")
    d.run_until(lambda: d.said(mark)[-1:] == ["Rest for twenty seconds."])
    said = d.said(mark)
    assert said[:2] == [EASIER_BRIDGING, "Two. Lift your hips"]
    reps = [s for s in said if s.endswith("Lift your hips")]
    assert reps == ["Two. Lift your hips", "Last one. Lift your hips"]  # 3 reps now
    (change,) = d.logs("level_change", mark)
    assert change.detail == {"exercise": "Bridging", "level": -1, "from": 0, "direction": "easier"}


def test_green_then_no_carries_on_as_before() -> None:
    d, _ = answered("one")
    mark = d.mark()
    d.hear("no")
    d.run_until(lambda: d.said(mark)[-1:] == ["Rest for twenty seconds."])
    said = d.said(mark)
    assert said[:2] == ["All right. Carry on gently.", "Two. Lift your hips"]
    assert "Last one. Lift your hips" in said  # the fifth of five
    assert d.logs("level_change", mark) == []


def test_green_then_no_answer_to_the_offer_pauses() -> None:
    d, _ = answered("one")
    mark = d.mark()
    d.advance(120)
    assert d.said(mark) == [
        "Would you like the easier version? Yes or no.",
        "No problem. We are paused. Say continue when you are ready.",
    ]
    assert d.state is State.PAUSED


# ---------------------------------------------------------------- amber


@pytest.mark.parametrize("score", ["four", "five"])
def test_amber_switches_to_the_easier_variant_and_carries_on(score: str) -> None:
    d, mark = answered(score)
    d.advance(10)
    assert after_the_number(d, mark)[:3] == [THANKS_AMBER, EASIER_BRIDGING, "Two. Lift your hips"]
    (change,) = d.logs("level_change", mark)
    assert change.detail["level"] == -1
    assert d.engine.levels == {"Bridging": -1}


def amber_on_the_easiest() -> tuple[EngineDriver, int]:
    from voicecoach.session.adaptation import level_range

    lowest, _ = level_range(sample_script().exercises[1])
    d = EngineDriver(sample_script(), levels={"Bridging": lowest})
    d.start()
    d.cooperate_until(lambda: d.state is State.HOLDING and d.engine.status().exercise == "Bridging")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.answer("five")
    return d, mark


SKIP_OFFER = "Would you like to skip this exercise? Say yes or no."


def test_amber_at_the_easiest_version_offers_to_skip_it_instead_of_repeating() -> None:
    d, mark = amber_on_the_easiest()
    assert after_the_number(d, mark) == [
        "Thank you. This is already the easiest version.",
        SKIP_OFFER,
    ]
    assert d.logs("level_change", mark) == []


@pytest.mark.parametrize("how", ["say:yes", "key:y", "say:skip", "key:n"])
def test_yes_to_skipping_goes_to_the_next_exercise(how: str) -> None:
    d, _ = amber_on_the_easiest()
    mark = d.mark()
    if how.startswith("key:"):
        d.key(how[4:])
    else:
        d.hear(how[4:])
    d.run_until(lambda: "Exercise 3 of 3: Knee rolling." in d.said(mark))
    said = d.said(mark)
    assert said[0] == "All right. Skipping this one."
    assert not [s for s in said if "Lift your hips" in s]
    (stopped,) = d.logs("exercise_stopped", mark)
    assert stopped.detail["exercise"] == "Bridging"


def test_no_to_skipping_carries_on_gently_with_the_same_rep() -> None:
    d, _ = amber_on_the_easiest()
    mark = d.mark()
    d.hear("no")
    d.advance(10)
    assert d.said(mark)[:2] == ["All right. Carry on gently.", "One. Lift your hips"]


# ---------------------------------------------------------------- a rise above the start


def test_a_rise_of_three_above_the_start_into_amber_ends_the_session() -> None:
    d = with_start_score("two")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.answer("five")  # amber, and three above the start
    assert d.engine.state is State.ENDED
    assert after_the_number(d, mark)[0].startswith(END_FOR_PAIN)
    (ended,) = d.logs("session_ended")
    assert ended.detail["pain_start"] == 2
    assert ended.detail["reason"] == "pain"


def test_a_rise_of_three_that_stays_green_is_the_usual_green_flow() -> None:
    """Seed 003: exercise may slightly raise symptoms at first; 0 -> 3 is still green."""
    d = with_start_score("zero")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.answer("three")
    assert after_the_number(d, mark) == [THANKS_GREEN, OFFER_EASIER]
    assert d.state is not State.ENDED


def test_a_rise_of_two_is_the_usual_amber_flow() -> None:
    d = with_start_score("two")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.answer("four")
    assert after_the_number(d, mark)[0] == THANKS_AMBER
    assert d.state is not State.ENDED


@pytest.mark.parametrize(
    ("zones", "score", "first_words"),
    [
        (PainZones(green_max=1, amber_max=2), "one", THANKS_GREEN),
        (PainZones(green_max=1, amber_max=2), "two", THANKS_AMBER),
        (PainZones(green_max=1, amber_max=2), "three", THANKS_RED),
        (PainZones(green_max=6, amber_max=8), "six", THANKS_GREEN),
        (PainZones(green_max=6, amber_max=8), "eight", THANKS_AMBER),
        (PainZones(green_max=6, amber_max=8), "nine", THANKS_RED),
        (PainZones(), "three", THANKS_GREEN),
        (PainZones(), "four", THANKS_AMBER),
        (PainZones(), "six", THANKS_RED),
    ],
)
def test_pain_zones_from_the_settings_decide_the_outcome(
    zones: PainZones, score: str, first_words: str
) -> None:
    d, mark = answered(score, SessionSettings(pain_zones=zones))
    assert after_the_number(d, mark)[0] == first_words


# ---------------------------------------------------------------- start and end scores


def test_start_and_end_scores_are_asked_and_logged() -> None:
    d = with_start_score("three")
    d.cooperate_until(
        lambda: d.engine.question is not None and d.engine.question.kind == "pain_end"
    )
    d.quiet()
    d.answer("one")
    said = d.said()
    assert START_QUESTION in said and END_QUESTION in said
    assert said[said.index(END_QUESTION) + 1] == "One."
    scores = [log.detail for log in d.logs("pain_score")]
    assert scores == [
        {"moment": "start", "score": 3, "zone": "green"},
        {"moment": "end", "score": 1, "zone": "green"},
    ]
    (ended,) = d.logs("session_ended")
    assert (ended.detail["pain_start"], ended.detail["pain_end"]) == (3, 1)
    assert ended.detail["reason"] == "completed"
    assert said[-1].startswith("Thank you. That is the end of the session.")


@pytest.mark.parametrize(
    ("start", "end", "advice"),
    [
        ("one", "four", True),
        ("zero", "three", False),
        ("five", "six", True),
        ("three", "five", False),
    ],
)
def test_an_end_score_in_red_or_three_above_the_start_into_amber_gets_the_settling_advice(
    start: str, end: str, advice: bool
) -> None:
    d = with_start_score(start)
    d.cooperate_until(
        lambda: d.engine.question is not None and d.engine.question.kind == "pain_end"
    )
    d.quiet()
    d.answer(end)
    assert (END_FOR_PAIN in d.said()[-1]) is advice


def test_skip_skips_the_start_and_end_scores() -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.finish()  # a willing person says skip to both
    said = d.said()
    assert START_QUESTION in said and END_QUESTION in said
    assert d.logs("pain_score") == []
    (ended,) = d.logs("session_ended")
    assert (ended.detail["pain_start"], ended.detail["pain_end"]) == (None, None)


def test_scores_can_be_turned_off() -> None:
    d = EngineDriver(sample_script(), SessionSettings(ask_pain_scores=False))
    d.start()
    d.finish()
    said = d.said()
    assert START_QUESTION not in said and END_QUESTION not in said
    assert d.engine.question is None


def test_the_pain_score_during_a_session_is_the_end_score_when_none_is_given() -> None:
    d, _ = answered("four")
    d.finish()
    (ended,) = d.logs("session_ended")
    assert ended.detail["pain_end"] == 4
