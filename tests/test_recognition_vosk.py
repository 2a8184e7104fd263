"""The Vosk adapter and the listener, with a scripted fake of vosk's recogniser; plus the
real vosk package's behaviour on a missing model (no English model exists here)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fakes.fake_vosk import FakeVosk
from needs import need_module
from voicecoach.errors import ModelError
from voicecoach.listening.factory import safety_phrases
from voicecoach.listening.listener import CommandListener, HeardPhrase
from voicecoach.listening.vosk_engine import VoskRecognizer
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, Answer, Command

BLOCK = 320  # 20 ms, as the player feeds the microphone


def vosk_recognizer(vosk: FakeVosk) -> VoskRecognizer:
    return VoskRecognizer(
        None,
        early_phrases=safety_phrases(DEFAULT_VOCABULARY),
        model=vosk.model,
        recognizer_factory=vosk.recognizer,
    )


def vosk_listener(vosk: FakeVosk) -> CommandListener:
    return CommandListener(vosk_recognizer(vosk), DEFAULT_VOCABULARY)


def feed_seconds(listener: CommandListener, seconds: float) -> list[HeardPhrase]:
    heard: list[HeardPhrase] = []
    silence = np.zeros(BLOCK, dtype=np.float32)
    for _ in range(int(seconds * 16000) // BLOCK):
        heard.extend(listener.feed(silence))
    return heard


def test_stop_is_acted_on_from_the_partial_result_and_reported_once() -> None:
    vosk = FakeVosk(
        [(3200, "partial", "stop"), (6400, "partial", "stop"), (16000, "final", "stop")]
    )
    listener = vosk_listener(vosk)

    early = feed_seconds(listener, 0.5)
    later = feed_seconds(listener, 1.0)

    assert [(h.meaning, h.final) for h in early] == [(Command.STOP, False)]
    assert early[0].at_sample <= 3200 + BLOCK
    assert later == []  # the final "stop" is the same spoken word


def test_pain_phrases_act_early_too() -> None:
    vosk = FakeVosk([(3200, "partial", "it hurts"), (16000, "final", "it hurts")])
    heard = feed_seconds(vosk_listener(vosk), 1.5)
    assert [(h.text, h.meaning, h.final) for h in heard] == [("it hurts", Command.PAIN, False)]


def test_other_commands_wait_for_the_final_result() -> None:
    vosk = FakeVosk([(3200, "partial", "go"), (16000, "final", "go on")])
    listener = vosk_listener(vosk)

    assert feed_seconds(listener, 0.9) == []
    heard = feed_seconds(listener, 0.2)

    assert [(h.text, h.meaning, h.final) for h in heard] == [("go on", Command.CONTINUE, True)]


def test_unknown_speech_is_ignored() -> None:
    vosk = FakeVosk([(3200, "partial", "[unk]"), (8000, "final", "[unk] [unk]")])
    assert feed_seconds(vosk_listener(vosk), 1.0) == []


def test_unknown_words_around_a_command_do_not_hide_it() -> None:
    vosk = FakeVosk([(8000, "final", "[unk] pause [unk]")])
    heard = feed_seconds(vosk_listener(vosk), 1.0)
    assert [h.meaning for h in heard] == [Command.PAUSE]


def test_a_word_said_twice_is_reported_twice() -> None:
    vosk = FakeVosk(
        [(3200, "partial", "stop"), (9600, "partial", "stop stop"), (16000, "final", "stop stop")]
    )
    heard = feed_seconds(vosk_listener(vosk), 1.5)
    assert [(h.meaning, h.final) for h in heard] == [(Command.STOP, False), (Command.STOP, False)]


def test_a_partial_stop_that_vanishes_does_not_swallow_the_next_one() -> None:
    vosk = FakeVosk(
        [
            (3200, "partial", "stop"),
            (8000, "final", "[unk]"),
            (16000, "final", "stop"),  # said again, no partial this time
        ]
    )
    heard = feed_seconds(vosk_listener(vosk), 1.5)
    assert [(h.meaning, h.final) for h in heard] == [(Command.STOP, False), (Command.STOP, True)]


def test_grammar_holds_the_role_phrases_and_unk() -> None:
    vosk = FakeVosk()
    listener = vosk_listener(vosk)

    spot = json.loads(vosk.created[-1].grammar)
    listener.listen_for("answer", ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"))
    answer = json.loads(vosk.created[-1].grammar)

    assert spot[-1] == "[unk]" and answer[-1] == "[unk]"
    assert {"stop", "pain", "it hurts", "how many left"} <= set(spot)
    assert "seven" not in spot and "yes" not in spot
    assert {"seven", "ten", "zero", "stop", "pain"} <= set(answer)
    assert "yes" not in answer  # not an answer to a pain score
    assert vosk.created[-1].words_enabled


def test_phrases_with_words_the_model_lacks_are_left_out() -> None:
    vosk = FakeVosk(words={"stop", "pain", "go", "on"})
    vosk_listener(vosk)
    assert json.loads(vosk.created[-1].grammar) == ["stop", "go on", "go", "pain", "[unk]"]


def test_answer_role_hears_seven_and_still_hears_stop() -> None:
    vosk = FakeVosk([(8000, "final", "seven"), (16000, "partial", "stop")])
    listener = vosk_listener(vosk)
    listener.listen_for("answer", tuple(str(n) for n in range(11)))

    heard = feed_seconds(listener, 1.2)

    assert [h.meaning for h in heard] == [Answer.SEVEN, Command.STOP]


def test_spot_role_ignores_answers_even_if_the_engine_reports_them() -> None:
    vosk = FakeVosk([(8000, "final", "seven yes stop")])
    heard = feed_seconds(vosk_listener(vosk), 1.0)
    assert [h.meaning for h in heard] == [Command.STOP]


def test_reset_starts_the_stream_position_again() -> None:
    vosk = FakeVosk([(3200, "partial", "stop")])
    recognizer = vosk_recognizer(vosk)
    listener = CommandListener(recognizer, DEFAULT_VOCABULARY)
    feed_seconds(listener, 0.1)
    recognizer.reset()
    heard = feed_seconds(listener, 0.3)
    assert heard and heard[0].at_sample <= 16000 * 0.3
    assert vosk.created[-1].resets == 1


def test_the_real_vosk_package_imports() -> None:
    vosk = need_module("vosk", ".venv/bin/pip install vosk")
    assert hasattr(vosk, "KaldiRecognizer") and hasattr(vosk, "Model")


def test_a_missing_vosk_model_is_a_model_error_with_a_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as missing:
        VoskRecognizer(tmp_path / "no-such-model")
    with pytest.raises(ModelError) as empty:
        VoskRecognizer(tmp_path)
    for error in (missing.value, empty.value):
        assert "voicecoach model download --engine vosk" in str(error)
