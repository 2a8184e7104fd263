"""Hostile and broken script and settings files: each is refused with FILE:LINE:COLUMN and
exit 2, never a traceback, a hang or gigabytes of memory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from test_script_loader import VALID
from voicecoach.errors import ScriptError, SettingsError
from voicecoach.script.loader import load_script, load_script_text
from voicecoach.store.settings_file import load_settings

WAIT = 60.0
"""Seconds a child process may take before the test fails (a hang, not a slow machine)."""

SCRIPT = VALID  # the loader tests' valid script, the base of every hostile one

BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)),
    ]
)


def _voicecoach(
    tmp_path: Path, *args: str, timeout: float = WAIT
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VOICECOACH_CONFIG_DIR": str(tmp_path / "config"),
        "VOICECOACH_DATA_DIR": str(tmp_path / "data"),
    }
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


def _problems(text: str, name: str = "s.yaml") -> list[str]:
    with pytest.raises(ScriptError) as caught:
        load_script_text(text, name)
    return caught.value.problems


# --- scripts -------------------------------------------------------------------------------


def test_a_billion_laughs_script_is_refused_at_a_place_without_expanding(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS + "\n", encoding="utf-8")
    result = _voicecoach(tmp_path, "validate", str(bomb))
    assert result.returncode == 2
    assert re.search(rf"{re.escape(str(bomb))}:\d+:\d+: .*alias", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_an_alias_repeating_a_value_still_loads() -> None:
    text = SCRIPT.replace('cues: ["Lift your toes"', 'cues: &pump ["Lift your toes"').replace(
        'cues: ["Breathe in", "Breathe out"]', "cues: *pump"
    )
    assert load_script_text(text, "a.yaml").cool_down[0].cues == (
        "Lift your toes",
        "Lower them down",
    )


def test_a_device_or_a_pipe_is_refused_before_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = _voicecoach(tmp_path, "validate", "/dev/zero", str(fifo))
    assert result.returncode == 2
    assert "/dev/zero:1:1: top level: the file is a device, not a file" in result.stderr
    assert f"{fifo}:1:1: top level: the file is a named pipe, not a file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_over_the_size_limit_is_refused_before_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as file:
        file.truncate(50_000_000)  # sparse: 50 MB that cost nothing to make
    with pytest.raises(ScriptError) as caught:
        load_script(big)
    assert caught.value.problems == [
        f"{big}:1:1: top level: the file is too large: 50000000 bytes (expected at most 1000000)"
    ]


@pytest.mark.parametrize(
    ("replace", "by", "where"),
    [
        (
            "    reps: 10\n",
            "    reps: 10.0\n",
            "11:11: exercises[0].reps: 10.0 is not a whole number",
        ),
        (
            "        reps: 6\n",
            "        reps: 6.0\n",
            "15:15: exercises[0].easier[0].reps: 6.0 is not a whole number",
        ),
    ],
)
def test_integers_must_be_written_as_integers(replace: str, by: str, where: str) -> None:
    problems = _problems(SCRIPT.replace(replace, by))
    assert [p for p in problems if p.startswith(f"s.yaml:{where}")], problems


@pytest.mark.parametrize(
    ("replace", "by", "where"),
    [
        ("title: Test session", "title: !!bool maybe", "2:8: title: 'maybe' does not match"),
        ("title: Test session", "title: !!int", "2:8: title: '' does not match"),
        ("    reps: 10\n", "    reps: !!float\n", "11:11: exercises[0].reps: '' does not match"),
    ],
)
def test_a_value_its_own_tag_rejects_is_a_problem_at_its_place(
    replace: str, by: str, where: str
) -> None:
    problems = _problems(SCRIPT.replace(replace, by))
    assert [p for p in problems if p.startswith(f"s.yaml:{where}")], problems


def test_fifty_thousand_open_brackets_are_nested_too_deeply() -> None:
    problems = _problems("a: " + "[" * 50_000)
    assert len(problems) == 1 and "nested too deeply" in problems[0], problems
    assert re.match(r"s\.yaml:1:\d+: ", problems[0])


@pytest.mark.parametrize("command", ["show", "preview", "play"])
def test_an_id_too_long_for_a_file_name_is_a_clear_error(tmp_path: Path, command: str) -> None:
    result = _voicecoach(tmp_path, command, "x" * 300, *(["--text"] if command == "play" else []))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "OSError" not in result.stderr
    assert "no script has the id" in result.stderr
    assert "x" * 300 not in result.stderr  # shortened: a page of x helps nobody


# --- settings ------------------------------------------------------------------------------


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path / "config"))
    path = tmp_path / "config" / "settings.yaml"
    path.parent.mkdir()
    return path


def _settings_problem(path: Path) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    return str(caught.value)


@pytest.mark.parametrize(("character", "column"), [("\x00", 14), ("\x07", 14)])
def test_a_control_character_in_settings_is_named_at_its_place(
    settings_file: Path, character: str, column: int
) -> None:
    settings_file.write_text(f"speech_rate: {character}120\n", encoding="utf-8")
    problem = _settings_problem(settings_file)
    assert problem.startswith(f"{settings_file}:1:{column}: "), problem
    assert f"U+{ord(character):04X}" in problem


def test_deeply_nested_settings_are_refused_at_a_place(settings_file: Path) -> None:
    settings_file.write_text("speech_rate: " + "[" * 50_000 + "\n", encoding="utf-8")
    problem = _settings_problem(settings_file)
    assert re.match(rf"{re.escape(str(settings_file))}:1:\d+: .*nested too deeply", problem)


def test_aliases_in_settings_are_refused(settings_file: Path) -> None:
    settings_file.write_text(BILLION_LAUGHS + "\n", encoding="utf-8")
    problem = _settings_problem(settings_file)
    assert problem.startswith(f"{settings_file}:1:4: "), problem
    assert "anchors and aliases" in problem


def test_a_ten_megabyte_settings_file_is_refused_before_it_is_read(settings_file: Path) -> None:
    settings_file.write_text("# padding\n" * 1_000_000, encoding="utf-8")
    problem = _settings_problem(settings_file)
    assert problem.startswith(f"{settings_file}:1:1: the settings file is too large"), problem


def test_settings_that_are_a_pipe_are_refused_without_waiting(settings_file: Path) -> None:
    os.mkfifo(settings_file)
    problem = _settings_problem(settings_file)
    assert problem.startswith(f"{settings_file}:1:1: the settings file is a named pipe"), problem


def test_broken_settings_exit_2_without_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.yaml").write_bytes(b"volume: 0.5\x00\n")
    result = _voicecoach(tmp_path, "settings")
    assert result.returncode == 2
    assert f"{config / 'settings.yaml'}:1:12: " in result.stderr
    assert "Traceback" not in result.stderr
