"""`voicecoach install-launcher`: a menu entry that opens the large display and the
hands-free start, written into $XDG_DATA_HOME/applications and removable (issue 13)."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from needs import need
from voicecoach.cli.install_launcher import _exec_argument
from voicecoach.cli.main import main


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data home"  # a space, so the Exec line must quote paths right
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def exec_command(value: str) -> list[str]:
    """The Exec value as a program and its arguments (string unescaping, then the spec's
    quoting, which shlex follows for these characters; %% is a literal %)."""
    return [arg.replace("%%", "%") for arg in shlex.split(value.replace("\\\\", "\\"))]


def test_the_launcher_is_a_terminal_application_that_starts_voicecoach(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["install-launcher"]) == 0
    path = data_home / "applications" / "voicecoach.desktop"
    assert capsys.readouterr().out.strip() == str(path)
    desktop = entry(path)
    assert desktop["Type"] == "Application"
    assert desktop["Name"] == "voicecoach"
    assert desktop["Comment"]
    assert desktop["Terminal"] == "true"
    assert "Utility" in desktop["Categories"].split(";")
    command = exec_command(desktop["Exec"])
    assert command[-2:] == ["voicecoach", "start"]  # the hands-free start, large display
    # The same command really runs voicecoach (asked for its version instead of a session).
    result = subprocess.run(
        [*command[:-1], "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("voicecoach ")


def test_the_launcher_passes_desktop_file_validate(data_home: Path) -> None:
    tool = shutil.which("desktop-file-validate")
    need(tool is not None, "desktop-file-validate", "sudo apt-get install desktop-file-utils")
    assert main(["install-launcher"]) == 0
    path = data_home / "applications" / "voicecoach.desktop"
    result = subprocess.run(
        [str(tool), str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_remove_takes_the_launcher_away_and_only_ours(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["install-launcher"]) == 0
    path = data_home / "applications" / "voicecoach.desktop"
    assert main(["install-launcher", "--remove"]) == 0
    assert not path.exists()
    assert "Removed" in capsys.readouterr().out
    assert main(["install-launcher", "--remove"]) == 0  # nothing there: says so, no error
    assert "nothing to remove" in capsys.readouterr().out
    path.write_text("[Desktop Entry]\nType=Application\nName=Someone else's\n", encoding="utf-8")
    assert main(["install-launcher", "--remove"]) == 1
    assert path.exists()
    assert "not written by voicecoach" in capsys.readouterr().err


def test_exec_arguments_are_quoted_as_the_spec_asks() -> None:
    assert _exec_argument("/usr/bin/python3") == "/usr/bin/python3"
    assert _exec_argument("/home/a b/python") == '"/home/a b/python"'
    assert _exec_argument('/x/"$q`\\') == '"/x/\\"\\$q\\`\\\\"'
    assert _exec_argument("50%") == "50%%"
