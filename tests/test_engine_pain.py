"""The engine's pain flow: halt at once, ask zero to ten, then green / amber / red.

Most tests say "pain" in the middle of a hold of Bridging (set 1 of 2, rep 2), whose easier
variant says "Lift your hips only a little." and does 3 reps.
"""

from __future__ import annotations

import pytest

from engine_driver import EngineDriver, driver_at
from sample_scripts import sample_script
from voicecoach.config.settings import PainZones, SessionSettings
from voicecoach.session.engine import (
    END_FOR_PAIN,
    PAIN_ASK_AGAIN,
    PAIN_FIRST_WORDS,
    PAIN_QUESTION,
    State,
)
from voicecoach.session.preview import speech_seconds

THANKS_GREEN = "Thank you. It is fine to carry on gently, only if it feels all right."
OFFER_EASIER = "Would you like the easier version? Say yes or no."
THANKS_AMBER = "Thank you. Let's make this exercise easier."
EASIER_BRIDGING = "Lift your hips only a little."
THANKS_RED = "Thank you for telling me."
NO_NUMBER = "I did not hear a number, so let's be careful."
STOP_EXERCISE = "We will stop this exercise here. Stay comfortable and breathe."
MOVE_ON = "Would you like to move on to the next exercise? Say yes or no."
MOVE_ON_AGAIN = "Shall we move on to the next exercise? Yes or no."
PAUSED_BEFORE_MOVING_ON = "We are paused. Say continue when you want to move on, or stop to finish."
CHECK_PAIN_FIRST = "First, let's check your pain."
START_QUESTION = "How is your pain right now, from zero to ten? Or say skip."
END_QUESTION = "How is your pain now, from zero to ten? Or say skip."


def pain_in_a_hold(settings: SessionSettings | None = None) -> EngineDriver:
    """Bridging is being held; the person has said "pain" and heard the question."""
    d = driver_at("holding", settings)
    d.hear("pain")
    d.quiet()
    return d


def answered(score: str, settings: SessionSettings | None = None) -> tuple[EngineDriver, int]:
    d = pain_in_a_hold(settings)
    mark = d.mark()
    d.hear(score)
    d.quiet()
    return d, mark


def with_start_score(score: str) -> EngineDriver:
    """A session whose start pain score was `score`, now holding Bridging."""
    d = EngineDriver(sample_script())
    d.start()
    d.run_until(lambda: d.engine.question is not None)
    d.quiet()
    d.hear(score)
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
    assert d.said(mark)[1:4] == [NO_NUMBER, STOP_EXERCISE, MOVE_ON]
    (score,) = d.logs("pain_score", mark)
    assert score.detail == {
        "moment": "during",
        "score": None,
        "zone": "red",
        "exercise": "Bridging",
    }
    assert d.engine.red_count == 1


def test_an_answer_while_the_first_words_are_said_counts() -> None:
    d = driver_at("holding")
    d.hear("pain")
    mark = d.mark()
    d.hear("two")  # before the question itself has been said
    d.quiet()
    assert d.said(mark) == [THANKS_GREEN, OFFER_EASIER]


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


# ---------------------------------------------------------------- green


@pytest.mark.parametrize("score", ["zero", "one", "two", "three", "3"])
def test_green_offers_the_easier_version(score: str) -> None:
    d, mark = answered(score)
    assert d.said(mark) == [THANKS_GREEN, OFFER_EASIER]
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
    assert d.said(mark)[:3] == [THANKS_AMBER, EASIER_BRIDGING, "Two. Lift your hips"]
    (change,) = d.logs("level_change", mark)
    assert change.detail["level"] == -1
    assert d.engine.levels == {"Bridging": -1}


def test_amber_at_the_easiest_version_says_so_and_carries_on() -> None:
    from voicecoach.session.adaptation import level_range

    lowest, _ = level_range(sample_script().exercises[1])
    d = EngineDriver(sample_script(), levels={"Bridging": lowest})
    d.start()
    d.cooperate_until(lambda: d.state is State.HOLDING and d.engine.status().exercise == "Bridging")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.hear("five")
    d.advance(10)
    assert d.said(mark)[:3] == [
        THANKS_AMBER,
        "This is already the easiest version.",
        "One. Lift your hips",
    ]


# ---------------------------------------------------------------- red


@pytest.mark.parametrize("score", ["six", "eight", "ten", "10"])
def test_red_stops_the_exercise_and_asks_whether_to_move_on(score: str) -> None:
    d, mark = answered(score)
    assert d.said(mark) == [THANKS_RED, STOP_EXERCISE, MOVE_ON]
    (stopped,) = d.logs("exercise_stopped", mark)
    assert stopped.detail == {"exercise": "Bridging", "reason": "pain", "sets_skipped": 2}


def test_red_then_yes_moves_to_the_next_exercise_and_skips_the_remaining_sets() -> None:
    d, _ = answered("seven")
    mark = d.mark()
    d.hear("yes")
    d.finish()
    said = d.said(mark)
    assert said[:3] == [
        "All right. Moving on, gently.",
        "Exercise 3 of 3: Knee rolling.",
        "Knees bent, roll them gently side to side.",
    ]
    assert not [s for s in said if "Lift your hips" in s or s == "Set 2 of 2."]


def test_red_then_no_ends_the_session_kindly() -> None:
    d, _ = answered("seven")
    mark = d.mark()
    d.hear("no")
    d.quiet()
    assert d.engine.state is State.ENDED
    assert END_FOR_PAIN in d.said(mark)[0]
    (ended,) = d.logs("session_ended", mark)
    assert ended.detail["reason"] == "pain"


def test_red_then_no_answer_pauses_and_never_moves_on_by_itself() -> None:
    d, _ = answered("nine")
    mark = d.mark()
    d.advance(3 * 3600)
    assert d.said(mark) == [MOVE_ON_AGAIN, PAUSED_BEFORE_MOVING_ON]
    assert d.state is State.PAUSED
    d.hear("continue")
    d.advance(10)
    assert d.said(mark)[2:4] == ["Carrying on.", "Exercise 3 of 3: Knee rolling."]


@pytest.mark.parametrize("interruption", ["pause", "stop", "rest"])
def test_after_red_pain_continue_never_goes_back_to_the_painful_exercise(
    interruption: str,
) -> None:
    d, _ = answered("eight")
    mark = d.mark()
    d.hear(interruption)
    d.advance(100)
    d.hear("continue")
    d.finish()
    said = d.said(mark)
    assert said[said.index("Carrying on.") + 1] == "Exercise 3 of 3: Knee rolling."
    assert not [s for s in said if "Lift your hips" in s]


def test_two_reds_end_the_session_with_rest_and_gp_advice() -> None:
    d, _ = answered("seven")
    d.hear("yes")
    d.cooperate_until(lambda: d.state is State.WAITING_FOR_DONE)
    d.hear("ouch")
    d.quiet()
    mark = d.mark()
    d.hear("eight")
    d.quiet()
    assert d.engine.state is State.ENDED
    (goodbye,) = d.said(mark)
    assert goodbye.startswith(END_FOR_PAIN)
    assert "rest in a comfortable position" in goodbye
    assert "within about thirty minutes" in goodbye
    assert "contact your GP or physiotherapist" in goodbye
    (ended,) = d.logs("session_ended")
    assert ended.detail["reason"] == "pain"


def test_no_answer_twice_counts_as_a_red_towards_ending() -> None:
    d = pain_in_a_hold()
    d.advance(200)  # no score, no answer to moving on: paused
    d.hear("continue")
    d.cooperate_until(lambda: d.state is State.WAITING_FOR_DONE)
    d.hear("pain")
    d.quiet()
    d.hear("six")
    d.quiet()
    assert d.engine.state is State.ENDED
    assert END_FOR_PAIN in d.said()[-1]


def test_a_rise_of_three_above_the_start_score_ends_the_session() -> None:
    d = with_start_score("two")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.hear("five")  # amber, but three above the start
    d.quiet()
    assert d.engine.state is State.ENDED
    assert d.said(mark)[0].startswith(END_FOR_PAIN)
    (ended,) = d.logs("session_ended")
    assert ended.detail["pain_start"] == 2
    assert ended.detail["reason"] == "pain"


def test_a_rise_of_two_is_the_usual_amber_flow() -> None:
    d = with_start_score("two")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.hear("four")
    d.quiet()
    assert d.said(mark)[0] == THANKS_AMBER
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
    assert d.said(mark)[0] == first_words


# ---------------------------------------------------------------- pain outside an exercise


def test_red_pain_in_the_introduction_asks_to_carry_on_and_does_not_skip_ahead() -> None:
    d = driver_at("speaking intro")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.hear("eight")
    d.quiet()
    assert d.said(mark) == [
        THANKS_RED,
        "Stay comfortable and breathe.",
        "Would you like to carry on with the session? Say yes or no.",
    ]
    assert d.logs("exercise_stopped", mark) == []
    d.hear("yes")
    d.finish()
    said = d.said(mark)
    assert said[3] == "All right. Carrying on, gently."
    assert said.count("Exercise 1 of 3: Ankle pumps.") == 1


def test_red_pain_in_the_closing_words_goes_on_to_the_end_not_back_to_the_start() -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.cooperate_until(lambda: d.said()[-1:] == ["That was the last exercise."])
    d.hear("pain")
    d.quiet()
    d.hear("seven")
    d.quiet()
    mark = d.mark()
    d.hear("yes")
    d.quiet()
    assert d.said(mark)[-1] == END_QUESTION
    assert "Exercise 1 of 3: Ankle pumps." not in d.said(mark)


# ---------------------------------------------------------------- start and end scores


def test_start_and_end_scores_are_asked_and_logged() -> None:
    d = with_start_score("three")
    d.cooperate_until(
        lambda: d.engine.question is not None and d.engine.question.kind == "pain_end"
    )
    d.quiet()
    d.hear("one")
    d.quiet()
    said = d.said()
    assert START_QUESTION in said and END_QUESTION in said
    scores = [log.detail for log in d.logs("pain_score")]
    assert scores == [
        {"moment": "start", "score": 3, "zone": "green"},
        {"moment": "end", "score": 1, "zone": "green"},
    ]
    (ended,) = d.logs("session_ended")
    assert (ended.detail["pain_start"], ended.detail["pain_end"]) == (3, 1)
    assert ended.detail["reason"] == "completed"
    assert said[-1].startswith("Thank you. That is the end of the session.")


def test_an_end_score_three_above_the_start_gets_the_settling_advice() -> None:
    d = with_start_score("one")
    d.cooperate_until(
        lambda: d.engine.question is not None and d.engine.question.kind == "pain_end"
    )
    d.quiet()
    d.hear("four")
    d.quiet()
    assert END_FOR_PAIN in d.said()[-1]
    (ended,) = d.logs("session_ended")
    assert (ended.detail["pain_start"], ended.detail["pain_end"]) == (1, 4)


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
