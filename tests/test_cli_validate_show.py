"""`voicecoach validate` and `voicecoach show`, run as a person runs them."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from sample_scripts import ankle_pumps, sample_script
from voicecoach.cli.show import describe_amount, render_script
from voicecoach.script.loader import load_script_text
from voicecoach.script.model import Exercise, Pace, Sides

BROKEN = Path(__file__).parent / "broken_scripts"
DOCS = Path(__file__).parent.parent / "docs" / "script-format.md"


def _voicecoach(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _docs_example(tmp_path: Path) -> Path:
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "chair-back-basics.yaml"
    path.write_text(example, encoding="utf-8")
    return path


def test_validate_a_broken_file_exits_2_with_file_line_column_and_no_traceback() -> None:
    path = BROKEN / "misspelled_key.yaml"
    result = _voicecoach("validate", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{path}:11:5: exercises[0].reeps: unknown key" in result.stderr
    assert 'did you mean "reps"?' in result.stderr
    assert f"{path}:7:5: exercises[0].reps: required key is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reports_every_file_and_says_ok_for_the_valid_ones(tmp_path: Path) -> None:
    good = _docs_example(tmp_path)
    syntax = BROKEN / "yaml_syntax_error.yaml"
    not_utf8 = tmp_path / "latin1.yaml"
    not_utf8.write_bytes("id: caf\xe9\n".encode("latin-1"))
    missing = tmp_path / "missing.yaml"
    result = _voicecoach("validate", str(syntax), str(good), str(not_utf8), str(missing))
    assert result.returncode == 2
    assert result.stdout == f"{good}: ok\n"
    assert f"{syntax}:11:5: YAML syntax: " in result.stderr
    assert f"{not_utf8}:1:8: encoding: byte 0xe9 is not UTF-8" in result.stderr
    assert f"{missing}: cannot read the file" in result.stderr
    assert "problems found in 3 of 4" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_a_valid_file_exits_0(tmp_path: Path) -> None:
    good = _docs_example(tmp_path)
    result = _voicecoach("validate", str(good))
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{good}: ok\n", "")


def test_validate_schema_prints_the_shipped_schema_path() -> None:
    result = _voicecoach("validate", "--schema")
    assert result.returncode == 0
    path = Path(result.stdout.strip())
    assert path.name == "script.schema.json" and path.is_file()


def test_validate_without_files_says_what_to_give() -> None:
    result = _voicecoach("validate")
    assert result.returncode == 2
    assert "voicecoach validate my-script.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_prints_the_script_as_a_person_reads_it(tmp_path: Path) -> None:
    result = _voicecoach("show", str(_docs_example(tmp_path)))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("Ankle pumps", "Seated knee lift", "Seated pelvic tilt", "Shoulder rolls"):
        assert f": {name}\n" in out
    order = [
        "Seated back basics",
        "Position: chair.",
        "Safety, said at the start",
        "Exercise 1 of 4: Ankle pumps",
        "Exercise 4 of 4: Shoulder rolls",
        "Cool-down 1 of 1: Slow breathing",
        "Closing:",
    ]
    positions = [out.index(text) for text in order]
    assert positions == sorted(positions)
    assert (
        "Amount: 1 set of 6, hold 3 seconds, left then right, rest 20 seconds between sides.\n"
        in out
    )
    assert "  2. Do fewer on each leg. Then: 1 set of 4, hold 1 second, left then right" in out
    assert "From: seed-003." in out
    assert not any(ord(c) > 0x7F for c in out)  # no box drawing or symbols for screen readers


def test_show_an_unknown_id_exits_2_and_lists_known_ids() -> None:
    result = _voicecoach("show", "no-such-script")
    assert result.returncode == 2
    assert "no script has the id 'no-such-script'" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_a_broken_file_exits_2_with_its_problems() -> None:
    path = BROKEN / "bad_enum.yaml"
    result = _voicecoach("show", str(path))
    assert result.returncode == 2
    assert f"{path}:3:11: position:" in result.stderr
    assert "Traceback" not in result.stderr


def _exercise(**changes: object) -> Exercise:
    fields: dict[str, object] = {
        "name": "Heel slides",
        "source": "seed-001",
        "setup": "Lie on your back.",
        "cues": ("Slide up", "Slide down"),
        "reps": 10,
    }
    fields.update(changes)
    return Exercise(**fields)  # type: ignore[arg-type]


def test_amount_reads_like_a_sentence() -> None:
    assert describe_amount(_exercise()) == "1 set of 10"
    assert (
        describe_amount(_exercise(sets=2, hold=5, sides=Sides.LEFT_THEN_RIGHT, rest=30))
        == "2 sets of 10, hold 5 seconds, left then right, rest 30 seconds between sets"
    )
    assert describe_amount(_exercise(sets=3, rest=0)) == "3 sets of 10, no rest between sets"
    assert (
        describe_amount(_exercise(sides=Sides.ALTERNATING, pace=Pace.SELF))
        == "1 set of 10 in your own time, alternating sides"
    )


def test_render_lists_easier_and_harder_options_nearest_first() -> None:
    text = """\
id: bed-test
title: Bed test
position: bed
description: A session used by the tests.
safety: Move slowly and stop if anything hurts.
exercises:
  - name: Bridging
    source: seed-002
    setup: Bend your knees and lift your hips a little.
    cues: ["Lift", "Lower"]
    reps: 8
    tempo: 2.5
    easier:
      - say: Lift only a little.
        cues: ["Small lift", "Lower"]
    harder:
      - say: Hold at the top.
        hold: 3
        setup: Bend your knees, lift your hips and stay up for a moment.
cool_down:
  - name: Slow breathing
    source: seed-003
    setup: Rest and breathe slowly for a while.
    cues: ["Breathe in", "Breathe out"]
    reps: 5
    pace: self
"""
    shown = render_script(load_script_text(text, "bed-test.yaml"))
    # Beats start on whole seconds: a 2.5 s tempo plays a cue every 3 s, and show says so.
    assert (
        "Pace: counted, one cue about every 3 seconds as spoken (the script asks for "
        "2.5 seconds, but each cue starts on a whole second and waits until its words "
        "are said)." in shown
    )
    assert "Easier options, nearest first:\n  1. Lift only a little. Then: 1 set of 8; " in shown
    assert 'cues: "Small lift", then "Lower".' in shown
    assert "Harder options, nearest first:\n  1. Hold at the top. Then: 1 set of 8, hold 3" in shown
    assert "New setup: Bend your knees, lift your hips and stay up for a moment." in shown
    assert (
        'Pace: in your own time, counted for you every 3 seconds; say "done" when the set '
        "is finished." in shown
    )
    assert "Most: 1 set of 5 (harder stops here)." in shown
    assert "Closing:" not in shown  # no closing in this script


def test_show_says_the_pace_a_session_really_plays() -> None:
    """The tempo is kept when the cues fit in it, and otherwise show says what it really
    is: the same figure the live loop plays (measured there on the fake clock)."""
    from test_live_session import live

    script = replace(sample_script(ankle_pumps(reps=2)), cool_down=())
    run = live([], script)
    beats = [t for t, text in run.speech.said if text.endswith(("Point your toes", "back"))]
    played = beats[1] - beats[0]
    assert played == pytest.approx(3.0, abs=0.03)  # "Point your toes" takes longer than 2 s
    shown = render_script(script)
    assert "Pace: counted, one cue about every 3 seconds as spoken (the script asks for 2" in shown
    short = replace(script, exercises=(ankle_pumps(reps=2, cues=("Up", "Down")),))
    run = live([], short)
    beats = [t for t, text in run.speech.said if text.endswith(("Up", "Down"))]
    assert beats[1] - beats[0] == pytest.approx(2.0, abs=0.03)
    assert "Pace: counted, one cue every 2 seconds." in render_script(short)
