"""`voicecoach start --text`: the hands-free start, driven by typed answers."""

from __future__ import annotations

from pathlib import Path

from typed_answers import FAST, answer_as_printed


def _start(answers: list[tuple[str, str]], tmp_path: Path) -> str:
    env = {
        "PATH": "/usr/bin:/bin",
        "VOICECOACH_DATA_DIR": str(tmp_path / "data"),
        "VOICECOACH_CONFIG_DIR": str(tmp_path / "config"),
    }
    return "\n".join(answer_as_printed(["start", "--text", *FAST], env, answers)) + "\n"


WHERE = "Welcome. Are you in bed, or in a chair?"
SAME = "Welcome back. Same as last time"
STOP_THE_SESSION = [
    ("Welcome. This is", "s"),
    ("Stopped. Say continue", "s"),
    ("How is your pain now", "skip"),
]


def test_typed_chair_and_yes_start_a_chair_script(tmp_path: Path) -> None:
    out = _start(
        [(WHERE, "chair"), ("Gentle start in a chair, about", "yes"), *STOP_THE_SESSION], tmp_path
    )
    lines = out.splitlines()
    assert "Welcome. Are you in bed, or in a chair?" in lines
    offer = next(line for line in lines if line.endswith("Say yes, or next."))
    assert offer.startswith("Gentle start in a chair, about ")
    assert "Starting Gentle start in a chair." in lines
    assert "Welcome. This is Gentle start in a chair." in lines
    assert "Stopped. Say continue to carry on, or stop again to finish." in lines


def test_the_next_start_offers_the_same_as_last_time(tmp_path: Path) -> None:
    _start(
        [
            (WHERE, "chair"),
            ("Gentle start in a chair, about", "next"),
            ("Seated back and hip mobility, about", "yes"),
            *STOP_THE_SESSION,
        ],
        tmp_path,
    )
    out = _start([(SAME, "yes"), *STOP_THE_SESSION], tmp_path)
    lines = out.splitlines()
    assert lines[1] == "Keys now: b bed, c chair, y or Enter yes, n next, s stop."
    first = lines[2]
    assert first.startswith("Welcome back. Same as last time, ")
    chosen = first.removeprefix("Welcome back. Same as last time, ").removesuffix(
        "? Say yes, or no."
    )
    assert f"Starting {chosen}." in out


def test_saying_chair_when_asked_about_a_bed_session_offers_chair_sessions(
    tmp_path: Path,
) -> None:
    _start([(WHERE, "bed"), ("Gentle start in bed, about", "yes"), *STOP_THE_SESSION], tmp_path)
    out = _start(
        [(SAME, "chair"), ("All right. Gentle start in a chair", "yes"), *STOP_THE_SESSION],
        tmp_path,
    )
    assert "Welcome back. Same as last time, Gentle start in bed? Say yes, or no." in out
    assert "All right. Gentle start in a chair, about " in out
    assert "Starting Gentle start in a chair." in out
    assert "Starting Gentle start in bed." not in out
