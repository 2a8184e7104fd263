"""`voicecoach list` and `voicecoach play --text`, run as a person runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from typed_answers import FAST, answer_as_printed

STOPPED_WORDS = "Stopped. Say continue to carry on, or stop again to finish."


def environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["VOICECOACH_DATA_DIR"] = str(tmp_path / "data")
    env["VOICECOACH_CONFIG_DIR"] = str(tmp_path / "config")
    return env


def voicecoach(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment(tmp_path),
    )


def listed(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    result = voicecoach(tmp_path, "list", "--json", *args)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


# ---------------------------------------------------------------- list


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """`list --json` for every position and for bed (each previews every script: run once)."""
    tmp_path = tmp_path_factory.mktemp("list")
    return {"all": listed(tmp_path), "bed": listed(tmp_path, "--position", "bed")}


def test_list_json_has_bed_and_chair_scripts_with_their_details(
    lists: dict[str, list[dict[str, Any]]],
) -> None:
    rows = lists["all"]
    assert len(rows) >= 6
    for row in rows:
        assert set(row) >= {"id", "title", "position", "minutes", "exercises"}
        assert row["position"] in ("bed", "chair")
        assert isinstance(row["minutes"], int) and 1 <= row["minutes"] <= 60
        assert isinstance(row["exercises"], int) and row["exercises"] >= 1
        assert row["title"]
    positions = [row["position"] for row in rows]
    assert positions.count("bed") >= 3
    assert positions.count("chair") >= 3
    assert len({row["id"] for row in rows}) == len(rows)


def test_list_for_bed_shows_only_bed_scripts(lists: dict[str, list[dict[str, Any]]]) -> None:
    bed = lists["bed"]
    assert bed and {row["position"] for row in bed} == {"bed"}
    assert bed == [row for row in lists["all"] if row["position"] == "bed"]


# ---------------------------------------------------------------- play --text


def test_play_text_stop_stop_skip_ends_the_session(tmp_path: Path) -> None:
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voicecoach",
            "play",
            "chair-gentle-start",
            "--text",
            "--time-scale",
            "50",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(tmp_path),
    ) as process:
        try:
            out, err = process.communicate("s\ns\nskip\n", timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"play did not end: {out}\n{err}")
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Keys: space pause/continue, p pain, s stop")
    assert "Welcome. This is Gentle start in a chair." in lines
    assert STOPPED_WORDS in lines
    assert lines.index(STOPPED_WORDS) < len(lines) - 1
    assert "That is the end of the session." in lines[-1]
    assert "Traceback" not in err

    history = voicecoach(tmp_path, "history", "--json")
    assert history.returncode == 0, history.stderr
    (session,) = json.loads(history.stdout)
    assert session["script_id"] == "chair-gentle-start"
    assert session["end_reason"] == "stopped"


def test_play_for_bed_with_a_chair_script_names_the_bed_scripts(
    tmp_path: Path, lists: dict[str, list[dict[str, Any]]]
) -> None:
    bed_ids = [row["id"] for row in lists["bed"]]
    result = voicecoach(tmp_path, "play", "--position", "bed", "chair-gentle-start")
    assert result.returncode == 2
    assert "chair-gentle-start is a chair script, not bed" in result.stderr
    for script_id in bed_ids:
        assert script_id in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_play_an_unknown_script_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = voicecoach(tmp_path, "play", "no-such-script", "--text")
    assert result.returncode == 2
    assert "no script has the id 'no-such-script'" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- safety, as typed


def _play_answering(tmp_path: Path, script_id: str, answers: list[tuple[str, str]]) -> list[str]:
    """`play --text`, typing each answer once the line starting with its cue is printed."""
    return answer_as_printed(
        ["play", script_id, "--text", *FAST], environment(tmp_path), answers, timeout=60
    )


def test_a_first_session_says_the_red_flags_and_the_next_does_not(tmp_path: Path) -> None:
    from voicecoach.session.safety_words import RED_FLAGS

    stop_at_the_start = [("How is your pain right now", "s"), (STOPPED_WORDS, "s")]
    first = _play_answering(tmp_path, "chair-gentle-start", stop_at_the_start)
    assert [line for line in first if line in RED_FLAGS] == list(RED_FLAGS)
    second = _play_answering(tmp_path, "chair-gentle-start", stop_at_the_start)
    assert not [line for line in second if line in RED_FLAGS]


def test_a_start_score_of_six_offers_the_gentle_start_and_no_stops_for_today(
    tmp_path: Path,
) -> None:
    from voicecoach.session.safety_words import STOP_FOR_TODAY

    lines = _play_answering(
        tmp_path,
        "bed-back-release",
        [("How is your pain right now", "6"), ("Would you like the gentlest session", "n")],
    )
    offer = next(line for line in lines if line.startswith("Would you like the gentlest"))
    assert "Gentle start" in offer
    assert lines[-1].startswith(STOP_FOR_TODAY)
    assert not [line for line in lines if line.startswith("Exercise 1 of")]


def test_play_text_takes_a_pain_score_of_ten_from_the_keys(tmp_path: Path) -> None:
    """Stop twice, then "1" and "0" as keys at the end question: the score is 10, not 1."""
    with subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "play", "chair-gentle-start", "--text", *FAST],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(tmp_path),
    ) as process:
        try:
            out, err = process.communicate("s\ns\n1\n0\n", timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"play did not end: {out}\n{err}")
    assert process.returncode == 0, err
    assert "Pain score typed: 10" in out.splitlines()
    history = voicecoach(tmp_path, "history", "--json")
    (session,) = json.loads(history.stdout)
    assert session["pain_end"] == 10


def test_red_pain_typed_rests_asks_again_and_offers_another_area(tmp_path: Path) -> None:
    from voicecoach.session.safety_words import END_FOR_PAIN, PAIN_REST_WORDS

    lines = _play_answering(
        tmp_path,
        "bed-back-release",
        [
            ("How is your pain right now", "5"),  # so 7 is no rise of 3 (that would end it)
            ("Exercise 2 of 5: Push-pull, knee away.", "p"),
            ("How bad is it, from zero to ten?", "7"),
            ("How is the pain now, from zero to ten?", "3"),
            ("Would you like to go on with the next exercise, Lying back twist?", "n"),
        ],
    )
    assert "Seven." in lines and "Three." in lines  # each score said back
    rest = lines.index(PAIN_REST_WORDS)
    again = lines.index("How is the pain now, from zero to ten?")
    assert [line.strip() for line in lines[rest + 1 : again]][:3] == [
        "One minute left.",
        "Thirty seconds.",
        "Ten seconds.",
    ]
    assert lines[-1].startswith(END_FOR_PAIN)  # n is no: the session ends kindly
    assert not [line for line in lines if line.startswith("Exercise 3 of 5")]
