"""`voicecoach preview` and voicecoach.session.preview: a whole session on a virtual clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sample_scripts import sample_script
from voicecoach.cli.preview import parse_say
from voicecoach.config.settings import SessionSettings, Settings
from voicecoach.errors import UsageError
from voicecoach.script.library import load_library
from voicecoach.session.engine import PAIN_QUESTION
from voicecoach.session.preview import estimated_seconds, preview, said_texts, speech_seconds

CHAIR_SCRIPT = "chair-gentle-start"


def voicecoach(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["VOICECOACH_CONFIG_DIR"] = str(tmp_path / "config")
    env["VOICECOACH_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def json_lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


# ---------------------------------------------------------------- the command


def test_preview_with_pain_during_a_setup_halts_then_asks_zero_to_ten(tmp_path: Path) -> None:
    result = voicecoach(tmp_path, "preview", CHAIR_SCRIPT, "--say", "55:pain", "--json")
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    for line in lines:
        assert isinstance(line["t"], (int, float))
        assert isinstance(line["kind"], str)
        assert ("state" in line) if line["kind"] == "state" else ("text" in line)
    heard = next(i for i, line in enumerate(lines) if line["kind"] == "heard")
    assert lines[heard]["t"] == 55 and lines[heard]["text"] == "pain"
    halt = lines[heard + 1]
    assert halt["kind"] == "halt" and halt["t"] == 55
    later = [line for line in lines[heard:] if line["kind"] == "say"]
    assert PAIN_QUESTION in [line["text"] for line in later[:3]]
    question = next(line for line in later if line["text"] == PAIN_QUESTION)
    assert 55 < question["t"] < 65
    assert [line["state"] for line in lines if line["kind"] == "state"][-1] == "ended"


def test_preview_as_text_has_minute_second_stamps(tmp_path: Path) -> None:
    result = voicecoach(tmp_path, "preview", CHAIR_SCRIPT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "00:00.000  [state] speaking"
    assert lines[1] == "00:00.000  Welcome. This is Gentle start in a chair."
    assert lines[-1].endswith("[state] ended")


def test_a_bad_say_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    result = voicecoach(tmp_path, "preview", CHAIR_SCRIPT, "--say", "pain")
    assert result.returncode == 2
    assert "--say 'pain': expected SECONDS:PHRASE, e.g. --say 40:pain" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("bad", ["pain", "abc:pain", "40:", "-5:pain", "40: ", ":pain"])
def test_say_must_be_seconds_and_a_phrase(bad: str) -> None:
    with pytest.raises(UsageError, match="expected SECONDS:PHRASE"):
        parse_say(bad)


@pytest.mark.parametrize(
    ("text", "parsed"), [("40:pain", (40.0, "pain")), ("95.5: hold on ", (95.5, "hold on"))]
)
def test_say_parses_seconds_and_phrase(text: str, parsed: tuple[float, str]) -> None:
    assert parse_say(text) == parsed


def test_an_unknown_id_exits_2_listing_the_known_ids(tmp_path: Path) -> None:
    result = voicecoach(tmp_path, "preview", "no-such-script")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no-such-script" in result.stderr
    for script in load_library():
        assert script.id in result.stderr
    assert result.stdout == ""


def test_no_simulate_leaves_questions_unanswered(tmp_path: Path) -> None:
    result = voicecoach(tmp_path, "preview", CHAIR_SCRIPT, "--json", "--no-simulate")
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    assert not [line for line in lines if line["kind"] == "simulated"]
    said = [line["text"] for line in lines if line["kind"] == "say"]
    assert "Say a number from zero to ten, or skip." in said  # asked again, nobody answers


# ---------------------------------------------------------------- in process


@pytest.mark.parametrize("script_id", [s.id for s in load_library()])
def test_every_bundled_script_previews_to_the_end(script_id: str) -> None:
    (script,) = [s for s in load_library() if s.id == script_id]
    lines = preview(script, Settings())
    states = [line.state for line in lines if line.kind == "state"]
    assert states[-1] == "ended"
    ended = [line for line in lines if line.kind == "log" and line.text == "session_ended"]
    assert len(ended) == 1
    assert ended[0].detail["detail"]["reason"] == "completed"
    assert ended[0].detail["detail"]["completed"] == ended[0].detail["detail"]["planned"]
    # Every exercise is announced, in order.
    said = [line.text for line in lines if line.kind == "say"]
    for ex in script.exercises:
        assert any(ex.name in s for s in said), ex.name
    assert lines == sorted(lines, key=lambda line: line.t)
    assert not [line for line in lines if line.kind == "end"]


def test_simulated_answers_are_marked_as_simulated() -> None:
    lines = preview(sample_script(), Settings())
    simulated = [line.text for line in lines if line.kind == "simulated"]
    assert simulated == ["skip", "done", "skip"]  # start score, knee rolling, end score
    assert not [line for line in lines if line.kind == "heard"]


def test_a_said_phrase_comes_before_the_simulated_answer() -> None:
    lines = preview(sample_script(), Settings(), [(28.0, "four")])
    heard = [line for line in lines if line.kind == "heard"]
    assert [(line.t, line.text) for line in heard] == [(28.0, "four")]
    scores = [line for line in lines if line.kind == "log" and line.text == "pain_score"]
    assert scores[0].detail["detail"]["moment"] == "start"
    assert scores[0].detail["detail"]["score"] == 4


def test_a_paused_preview_waits_and_says_why() -> None:
    lines = preview(sample_script(), Settings(), [(40.0, "pause")])
    assert lines[-1].kind == "end"
    assert lines[-1].text == "waiting (paused); nothing more to hear"


def test_a_pause_then_continue_carries_on_to_the_end() -> None:
    lines = preview(sample_script(), Settings(), [(40.0, "pause"), (400.0, "continue")])
    said = [(line.t, line.text) for line in lines if line.kind == "say"]
    paused_at = said.index((40.0, "Paused. Say continue when you are ready."))
    assert said[paused_at + 1] == (400.0, "Carrying on.")
    assert [line.state for line in lines if line.kind == "state"][-1] == "ended"


def test_speech_lasts_as_long_as_saying_it_takes() -> None:
    assert speech_seconds("one", 120) == pytest.approx(0.75)
    assert speech_seconds("one two three four", 120) == pytest.approx(2.25)
    assert speech_seconds("one two three four", 240) < speech_seconds("one two three four", 120)


def test_estimated_seconds_and_said_texts() -> None:
    settings = Settings(session=SessionSettings(ask_pain_scores=False))
    seconds = estimated_seconds(sample_script(), settings)
    texts = said_texts(sample_script(), settings)
    assert 120 < seconds < 600
    assert texts[0] == "Welcome. This is Sample bed session."
    assert "Hold." in texts
    assert texts[-1].startswith("That is the end of the session.")
