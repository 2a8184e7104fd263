"""A score said back ("Nine.") stands when "stop" or "pain" comes right after it. When that
score ends the session, its closing words carry the advice a person needs (rest, when to
contact the GP or physiotherapist): they are said, not lost in silence; a second stop or
pain cuts them."""

from __future__ import annotations

import pytest

from engine_driver import driver_at
from voicecoach.session.engine import END_FOR_PAIN, State
from voicecoach.session.events import StopSpeech
from voicecoach.session.safety_words import START_TOO_HIGH


@pytest.mark.parametrize("word", ["stop", "pain", "ouch"])
def test_a_severe_start_score_then_stop_or_pain_still_gives_the_advice(word: str) -> None:
    d = driver_at("asking pain start")
    d.hear("nine")
    d.quiet()  # "Nine." has been said; the moment for "no" is under way
    mark = d.mark()
    d.hear(word)
    assert d.state is State.ENDED
    assert START_TOO_HIGH in d.said_text(mark)
    assert d.logs("pain_score", mark)[0].detail["score"] == 9
    assert d.hear(word) == [StopSpeech()]  # a second one cuts the advice
    assert d.speaking is None


@pytest.mark.parametrize("by_key", [False, True])
def test_still_red_after_the_rest_then_pain_still_gives_the_advice(by_key: bool) -> None:
    d = driver_at("asking pain again")
    d.hear("seven")
    d.quiet()
    mark = d.mark()
    d.key("p") if by_key else d.hear("pain")
    assert d.state is State.ENDED
    assert END_FOR_PAIN in d.said_text(mark)


def test_stop_while_the_score_is_said_back_cuts_it_then_the_advice_is_said() -> None:
    d = driver_at("asking pain start")
    d.hear("nine")
    assert d.speaking is not None and d.speaking[2] == "Nine."
    actions = d.hear("stop")
    assert actions.index(StopSpeech()) < [type(a).__name__ for a in actions].index("Say")
    assert d.speaking is not None and START_TOO_HIGH in d.speaking[2]
