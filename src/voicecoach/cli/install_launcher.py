"""`voicecoach install-launcher`: put voicecoach in the applications menu.

Writes a freedesktop desktop entry (Desktop Entry Specification, version 1.4 keys) into the user's
applications folder ($XDG_DATA_HOME/applications, usually ~/.local/share/applications),
so voicecoach starts from the menu without typing a command: it opens a terminal with the
large display and the hands-free start (`voicecoach start`). `--remove` takes it away.
When `desktop-file-validate` is installed (Debian package desktop-file-utils), the written
file is checked with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import voicecoach
from voicecoach.errors import VoiceCoachError

DESKTOP_FILE = "voicecoach.desktop"
MARKER = "X-Voicecoach-Launcher=true"
"""Written in the entry, so --remove only ever removes a launcher this command wrote."""
# Characters that make an Exec argument need quoting (Desktop Entry spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


class LauncherError(VoiceCoachError):
    """The launcher could not be written or removed."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "install-launcher",
        help="add voicecoach to the applications menu (--remove takes it away)",
        description="Add a voicecoach entry to your desktop's applications menu. It opens "
        "a terminal with the large display and the hands-free start, so a session starts "
        "without typing a command. Prints the file written.",
    )
    parser.add_argument("--remove", action="store_true", help="remove the menu entry")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = launcher_path()
    if args.remove:
        print(remove_launcher(path))
        return 0
    write_launcher(path)
    problems = validation_problems(path)
    if problems:
        raise LauncherError(
            f"{path}: desktop-file-validate found problems:\n{problems}\n"
            "Fix: report this; remove the entry with voicecoach install-launcher --remove."
        )
    print(path)
    return 0


def applications_folder() -> Path:
    """$XDG_DATA_HOME/applications (platformdirs follows XDG_DATA_HOME)."""
    import platformdirs

    return Path(platformdirs.user_data_dir()) / "applications"


def launcher_path() -> Path:
    return applications_folder() / DESKTOP_FILE


def launcher_text() -> str:
    """The desktop entry: a terminal running the hands-free start with this Python."""
    source_root = str(Path(voicecoach.__file__).resolve().parent.parent)
    command = ["env", f"PYTHONPATH={source_root}", sys.executable, "-m", "voicecoach", "start"]
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",  # the newest version desktop-file-utils 0.26 (Debian 12) knows
        "Name=voicecoach",
        "GenericName=Exercise coach",
        "Comment=Hands-free, voice-guided exercise sessions for bed or chair",
        f"Exec={_desktop_string(' '.join(_exec_argument(a) for a in command))}",
        "Terminal=true",
        "Categories=Utility;Accessibility;",
        "Keywords=exercise;physiotherapy;voice;back;MS;",
        "StartupNotify=false",
        MARKER,
    ]
    return "\n".join(lines) + "\n"


def write_launcher(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(launcher_text())
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise LauncherError(
            f"cannot write the menu entry {path}: {error.strerror or error}. "
            "Fix: check that the folder is writable (XDG_DATA_HOME)."
        ) from error


def remove_launcher(path: Path) -> str:
    """Remove the entry this command wrote; says what was done."""
    if not path.exists():
        return f"No voicecoach menu entry at {path}; nothing to remove."
    try:
        ours = MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise LauncherError(f"cannot read {path}: {error.strerror or error}.") from error
    if not ours:
        raise LauncherError(
            f"{path} was not written by voicecoach install-launcher, so it is left alone. "
            "Fix: remove it yourself if you no longer want it."
        )
    path.unlink()
    return f"Removed {path}."


def validation_problems(path: Path) -> str:
    """desktop-file-validate's complaints about `path` ("" when it is happy or missing)."""
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        return ""
    result = subprocess.run(
        [tool, str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    return "" if result.returncode == 0 else (result.stdout + result.stderr).strip()


def _exec_argument(argument: str) -> str:
    """One Exec argument, quoted as the spec asks when it holds a reserved character."""
    if argument and not (set(argument) & _RESERVED):
        return argument.replace("%", "%%")
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return '"' + escaped.replace("%", "%%") + '"'


def _desktop_string(value: str) -> str:
    """A value of type string: backslashes doubled (the Exec quoting's own escapes too)."""
    return value.replace("\\", "\\\\")
