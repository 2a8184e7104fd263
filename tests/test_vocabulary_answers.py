"""What a spoken or typed answer means (session/vocabulary.py) and how the scores heard
one by one in an utterance become one answer (listening/answers.py)."""

from __future__ import annotations

import pytest

from voicecoach.listening.answers import ScoreGroup
from voicecoach.listening.recognizer import Detection
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, Answer, Command


@pytest.mark.parametrize(
    ("said", "score"),
    [
        ("four", Answer.FOUR),
        ("a four", Answer.FOUR),
        ("about five", Answer.FIVE),
        ("maybe a six", Answer.SIX),
        ("five out of ten", Answer.FIVE),
        ("ten out of ten", Answer.TEN),
        ("7 out of 10", Answer.SEVEN),
        ("four or five", Answer.FIVE),
        ("five or four", Answer.FIVE),
        ("ten", Answer.TEN),
    ],
)
def test_a_score_said_naturally_is_one_number(said: str, score: Answer) -> None:
    assert DEFAULT_VOCABULARY.score_in(said) is score
    heard = DEFAULT_VOCABULARY.understand(said)
    assert heard is not None and heard.meaning is score


@pytest.mark.parametrize("said", ["four more", "i did four", "four five", "four or", "forward"])
def test_other_talk_with_a_number_is_not_a_score(said: str) -> None:
    assert DEFAULT_VOCABULARY.score_in(said) is None


@pytest.mark.parametrize(
    "said", ["pain", "hurts", "my knee hurts", "my back hurts", "painful", "it's sore", "ouch"]
)
def test_the_ways_of_saying_it_hurts_mean_pain(said: str) -> None:
    heard = DEFAULT_VOCABULARY.understand(said)
    assert heard is not None and heard.meaning is Command.PAIN


def detection(text: str, at: float) -> Detection:
    at_sample = round(at * 16000)
    return Detection(text, True, at_sample, None, at_sample - 4800, at_sample - 1600)


def test_scores_heard_in_one_utterance_are_reported_once_when_it_ends() -> None:
    group = ScoreGroup(DEFAULT_VOCABULARY)
    assert group.holds(detection("five", 1.0))
    assert group.holds(detection("out of ten", 1.6))
    assert not group.holds(detection("stop", 1.7))  # never held: acts at once
    assert group.release(round(1.7 * 16000), speaking=True) == []  # still talking
    assert group.release(round(1.7 * 16000), speaking=False) == []  # a pause may go on
    (five,) = group.release(round(1.8 * 16000), speaking=False)
    assert (five.text, five.start_sample, five.end_sample) == ("five", 11200, 24000)
    assert group.release(round(3.0 * 16000), speaking=False) == []


def test_four_or_five_is_five_and_out_of_ten_alone_is_nothing() -> None:
    group = ScoreGroup(DEFAULT_VOCABULARY)
    group.holds(detection("four", 1.0))
    group.holds(detection("five", 1.5))
    assert [d.text for d in group.release(16000 * 3, speaking=None)] == ["five"]
    group.holds(detection("out of ten", 4.0))
    assert group.release(16000 * 6, speaking=None) == []
