"""A pain score that is owed stays owed: "stop", "pain" again or "tingling" in the middle of
the pain dialogue never lead back into an exercise before the score is given."""

from __future__ import annotations

from engine_driver import EngineDriver, driver_at
from sample_scripts import sample_script
from voicecoach.session.engine import PAIN_QUESTION, State
from voicecoach.session.safety_words import (
    END_FOR_PAIN,
    FIRST_CHECK_PAIN,
    PAIN_AGAIN_QUESTION,
    TINGLING_ADVICE,
)
from voicecoach.session.states import QuestionKind

EXERCISE_STATES = {State.COUNTING, State.HOLDING, State.RESTING, State.WAITING_FOR_DONE}


def _counts(d: EngineDriver, since: int) -> list[str]:
    return [s.text for s in d.spoken(since) if s.kind == "count"]


def test_stop_then_continue_before_the_pain_score_asks_for_it_first() -> None:
    d = driver_at("asking pain now")
    d.hear("stop")
    d.quiet()
    mark = d.mark()
    d.hear("continue")
    d.quiet()
    assert d.said(mark) == [FIRST_CHECK_PAIN, PAIN_QUESTION]
    assert d.engine.question is not None and d.engine.question.kind is QuestionKind.PAIN_NOW
    d.answer("two")  # green: the easier version is offered, as for any green score
    assert "Would you like the easier version? Say yes or no." in d.said(mark)


def test_a_key_or_skip_after_stop_also_comes_back_to_the_pain_question() -> None:
    for resume in ("d", " ", "n"):
        d = driver_at("asking pain now")
        d.key("s")
        d.quiet()
        mark = d.mark()
        d.key(resume)
        d.quiet()
        assert d.engine.question is not None, resume
        assert d.engine.question.kind is QuestionKind.PAIN_NOW, resume
        assert _counts(d, mark) == [], resume


def test_stop_in_the_rest_after_red_pain_then_continue_asks_the_score_again() -> None:
    d = driver_at("resting after pain")  # "seven", then part of the rest
    d.hear("stop")
    d.quiet()
    mark = d.mark()
    d.hear("continue")
    d.quiet()
    assert d.said(mark) == [PAIN_AGAIN_QUESTION]
    d.answer("six")  # still red: the session ends kindly, no exercise on the way
    assert d.state is State.ENDED
    assert END_FOR_PAIN in d.said_text(mark)
    assert _counts(d, mark) == []


def test_stop_at_the_score_again_then_rest_and_continue_asks_it_again() -> None:
    d = driver_at("asking pain again")
    d.hear("stop")
    d.quiet()
    d.hear("rest")
    d.run_until(lambda: d.state is State.WAITING_FOR_READY)
    d.quiet()
    mark = d.mark()
    d.hear("ready")
    d.quiet()
    assert d.said(mark) == [PAIN_AGAIN_QUESTION]


def test_pain_at_the_score_again_asks_it_again_and_a_severe_first_score_still_ends() -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.cooperate_until(lambda: d.state is State.COUNTING)
    d.hear("pain")
    d.quiet()
    d.answer("nine")
    d.run_until(lambda: d.engine.question is not None)
    d.quiet()
    mark = d.mark()
    d.hear("pain")
    d.quiet()
    assert d.engine.question is not None
    assert d.engine.question.kind is QuestionKind.PAIN_AGAIN
    assert PAIN_QUESTION not in d.said(mark)  # not a new pain, with a new first score
    d.answer("two")
    assert d.state is State.ENDED  # nine at first: the session ends, however it feels now
    assert _counts(d, mark) == []


def test_tingling_before_the_pain_score_gives_advice_then_asks_the_score() -> None:
    d = driver_at("asking pain now")
    mark = d.mark()
    d.hear("pins and needles")
    d.quiet()
    assert d.said(mark) == [TINGLING_ADVICE, PAIN_QUESTION]
    assert d.engine.question is not None and d.engine.question.kind is QuestionKind.PAIN_NOW
    assert [log.detail["kind"] for log in d.logs("symptom", mark)] == ["tingling"]


def test_tingling_while_stopped_before_the_score_keeps_the_score_owed() -> None:
    d = driver_at("asking pain now")
    d.hear("stop")
    d.quiet()
    d.key("i")
    d.quiet()
    assert d.state is State.STOPPED
    mark = d.mark()
    d.hear("continue")
    d.quiet()
    assert d.said(mark) == [FIRST_CHECK_PAIN, PAIN_QUESTION]
    for _ in range(200):  # nobody answers: taken as red, a rest, then the end
        if d.state is State.ENDED or not d.step():
            break
        assert d.state not in EXERCISE_STATES
    assert d.state is State.ENDED


def test_tingling_again_while_the_next_exercise_is_offered_repeats_the_advice_and_asks() -> None:
    """Said twice (or heard twice), tingling is one symptom: the advice again, and the
    offer still stands. (It used to start over from the exercise offered, which had not
    begun, and could end the session saying the rest worked the same part of the body.)"""
    d = driver_at("counting")
    d.hear("tingling")
    d.quiet()
    assert d.engine.question is not None and d.engine.question.kind is QuestionKind.MOVE_ON
    mark = d.mark()
    d.hear("numb")
    d.quiet()
    assert d.said(mark) == [TINGLING_ADVICE, d.engine.question.prompt]
    assert d.state is State.ASKING and d.engine.question.kind is QuestionKind.MOVE_ON
    d.hear("yes")
    d.quiet()
    assert d.state is not State.ENDED
