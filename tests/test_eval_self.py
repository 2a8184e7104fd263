"""eval-self: the coach's own speech, through a simulated room, into the recogniser,
with and without echo cancelling."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from corpus import kws_model_dir
from needs import need_module
from voicecoach.audio.levels import rms
from voicecoach.cli.main import main
from voicecoach.config.settings import Settings, SpeechSettings
from voicecoach.evaluation.eval_self import PROBE_SENTENCES, evaluate_self, sentences_for
from voicecoach.listening.listener import CommandListener
from voicecoach.listening.recognizer import Detection
from voicecoach.script.library import load_library
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY

need_module("pyaec", ".venv/bin/pip install pyaec")

SENTENCES = [
    "Lie on your back with your knees bent and your feet flat on the bed.",
    "Breathe in slowly, and as you breathe out, gently press your lower back down.",
    "If anything hurts, say stop or pain, and we will stop at once.",
]


class LoudnessRecognizer:
    """Hears "stop" in any 20 ms block louder than `threshold` (at most every 0.5 s):
    a stand-in for a recogniser fooled by the coach's own voice."""

    sample_rate = 16000
    name = "loudness"

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.position = 0
        self.last = -self.sample_rate

    def set_phrases(self, phrases: Sequence[str]) -> None:
        assert "stop" in phrases

    def accept(self, samples: npt.NDArray[np.float32]) -> list[Detection]:
        self.position += len(samples)
        if rms(samples) > self.threshold and self.position - self.last > self.sample_rate // 2:
            self.last = self.position
            return [Detection("stop", final=True, at_sample=self.position)]
        return []

    def reset(self) -> None:
        self.position = 0


def test_the_canceller_keeps_the_coach_from_triggering_itself() -> None:
    # Measured on these sentences, in 20 ms blocks: the echo reaches 0.06 RMS (10 % of
    # blocks above 0.026); what the canceller leaves stays under 0.01 once it has
    # learnt the room (about two seconds), and mostly under 0.005.
    report = evaluate_self(
        SENTENCES,
        lambda: CommandListener(LoudnessRecognizer(0.012), DEFAULT_VOCABULARY),
        SpeechSettings(),
        engine="loudness",
    )
    without, with_ = report.without_echo_cancel, report.with_echo_cancel
    assert without.false_accepts >= 5
    assert all(t.at < 2.5 for t in with_.triggers)  # only while learning the room
    assert without.safety_false_accepts == without.false_accepts  # "stop" every time
    assert {t.sentence for t in without.triggers} == set(SENTENCES)
    assert report.echo_reduction_db > 12.0
    assert 0.003 < report.hours < 0.01  # three sentences with their pauses
    assert without.per_hour == pytest.approx(without.false_accepts / report.hours)
    data = report.to_json()
    for key in ("false_accepts", "hours", "per_hour", "triggers", "without_echo_cancel"):
        assert key in data
    assert data["without_echo_cancel"]["triggers"][0]["sentence"] == SENTENCES[0]
    json.dumps(data)  # one JSON object


def test_sentences_come_from_the_session_transcripts_plus_stop_and_pain() -> None:
    script = load_library()[0]
    sentences = sentences_for([script], Settings())
    assert script.safety in sentences or any(script.safety in s for s in sentences)
    assert len(sentences) == len(set(sentences))
    assert all(p in sentences for p in PROBE_SENTENCES)
    assert any("stop" in s.lower() for s in sentences)
    assert any("pain" in s.lower() for s in sentences)


def test_the_players_replies_to_commands_and_pain_are_tested_too() -> None:
    script = load_library()[0]
    plain = sentences_for([script], Settings(), replies=False)
    sentences = sentences_for([script], Settings())
    for reply in (
        "Stopped. Say continue to carry on, or stop again to finish.",
        "Paused. Say continue when you are ready.",
        "How bad is it, from zero to ten?",
    ):
        assert reply in sentences and reply not in plain
    assert sentences[: len(plain) - len(PROBE_SENTENCES)] == plain[: -len(PROBE_SENTENCES)]


def test_eval_self_with_the_keyword_spotter(capsys: pytest.CaptureFixture[str]) -> None:
    model = kws_model_dir()
    code = main(
        ["eval-self", "--json", "--engine", "kws", "--model", str(model), "--sentences", "3"]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["engine"] == "kws"
    assert report["sentences"] == 3 and report["hours"] > 0
    without = report["without_echo_cancel"]
    print(
        f"\nkws, 3 sentences: {without['false_accepts']} commands heard without echo "
        f"cancelling, {report['false_accepts']} with"
    )
    assert report["false_accepts"] <= without["false_accepts"]
    assert report["safety_false_accepts"] == 0


def test_only_stop_pain_and_pause_count_while_the_coach_is_speaking() -> None:
    """The live player ignores other commands heard over its own speech (barge_in.py), so
    they are reported as ignored, not as false accepts; in a gap every command counts."""
    from dataclasses import dataclass as _dataclass

    from voicecoach.evaluation.eval_self import _pass_result
    from voicecoach.session.vocabulary import Command, Meaning

    @_dataclass(frozen=True)
    class Hit:
        text: str
        meaning: Meaning
        at_sample: int

    spoken = [(1000, 20000)]
    hits = [
        (Hit("harder", Command.HARDER, 5000), 0),  # over speech: ignored
        (Hit("stop", Command.STOP, 6000), 0),  # over speech: acts
        (Hit("skip", Command.SKIP, 30000), 0),  # in the gap after: acts
    ]
    result = _pass_result(hits, ["Lift your hips."], [0], spoken, hours=1.0)
    assert [t.meaning for t in result.triggers] == ["stop", "skip"]
    assert result.false_accepts == 2 and result.safety_false_accepts == 1
    assert result.ignored_while_speaking == 1
