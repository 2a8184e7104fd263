"""The command line loads only the sub-command being run, and still knows them all."""

from __future__ import annotations

import subprocess
import sys

import pytest

from voicecoach.cli.main import build_parser, command_names, main

PUBLIC_NAMES = {
    "check", "enrol", "eval-commands", "eval-self", "history", "install-launcher", "list",
    "model", "plan", "play", "preview", "report", "settings", "show", "start", "validate",
}  # fmt: skip


def test_the_full_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in PUBLIC_NAMES)
    assert len(command_names()) == len(PUBLIC_NAMES)


@pytest.mark.parametrize("name", sorted(PUBLIC_NAMES))
def test_each_command_runs_with_only_itself_loaded(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    assert f"usage: voicecoach {name}" in capsys.readouterr().out


def test_an_unknown_command_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["histroy"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'histroy'" in err and "'history'" in err


def test_history_does_not_load_the_session_engine_or_audio() -> None:
    code = (
        "import sys; from voicecoach.cli.main import main; main(['history']); "
        "print(sorted(m for m in ('numpy', 'yaml', 'voicecoach.session.engine',"
        " 'voicecoach.cli.play')"
        " if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_one_command_parser_holds_only_that_command() -> None:
    parser = build_parser("history")
    assert parser.parse_args(["history", "--limit", "3"]).limit == 3
    with pytest.raises(SystemExit):
        parser.parse_args(["list"])
