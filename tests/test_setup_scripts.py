"""The set-up scripts: they parse, and a second set-up run installs nothing.

Package tools are replaced by fakes on PATH (dpkg-query, apt-get, sudo) so nothing is
installed and no network is used; the virtualenv is a real one made without pip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = [REPO / "scripts" / "run", REPO / "scripts" / "test", REPO / ".ci" / "run"]
SETUP = REPO / "scripts" / "lib" / "setup.sh"
EVERY_PACKAGE = (
    "espeak-ng libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins sox desktop-file-utils "
    "python3 python3-venv python3-pip"
)
TIMEOUT = 60

FAKE_DPKG_QUERY = """#!/usr/bin/env bash
# Fake: reports the packages named in $FAKE_INSTALLED as installed.
status=0
for arg in "$@"; do
  case "$arg" in -*) continue ;; esac
  if [[ " $FAKE_INSTALLED " == *" $arg "* ]]; then
    echo "$arg install ok installed"
  else
    echo "dpkg-query: no packages found matching $arg" >&2
    status=1
  fi
done
exit $status
"""
FAKE_LOGGER = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >>"$FAKE_LOG"
"""
FAKE_SUDO = """#!/usr/bin/env bash
exec "$@"
"""


def write_tool(directory: Path, name: str, text: str) -> None:
    path = directory / name
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    """A repository copy holding only the set-up library and pyproject.toml."""
    root = tmp_path / "repo"
    (root / "scripts" / "lib").mkdir(parents=True)
    shutil.copy(SETUP, root / "scripts" / "lib" / "setup.sh")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    (root / "src" / "voicecoach").mkdir(parents=True)
    (root / "src" / "voicecoach" / "__init__.py").write_text("")
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    write_tool(bin_dir, "dpkg-query", FAKE_DPKG_QUERY)
    write_tool(bin_dir, "apt-get", FAKE_LOGGER)
    write_tool(bin_dir, "sudo", FAKE_SUDO)
    return root


def run_setup(
    root: Path, call: str, installed: str = EVERY_PACKAGE
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Source the set-up library in `root` and run `call`; return the result and apt log."""
    log = root.parent / "apt.log"
    log.write_text("")
    env = {
        **os.environ,
        "PATH": f"{root.parent / 'fake-bin'}{os.pathsep}{os.environ['PATH']}",
        "FAKE_INSTALLED": installed,
        "FAKE_LOG": str(log),
    }
    result = subprocess.run(
        ["bash", "-c", f"set -euo pipefail; source scripts/lib/setup.sh; {call}"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    return result, log.read_text()


def make_venv(root: Path) -> None:
    """A real venv (no pip) where voicecoach imports from root/src, as after an install."""
    venv = root / ".venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=TIMEOUT
    )
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        check=True,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    ).stdout.strip()
    (Path(purelib) / "voicecoach-src.pth").write_text(f"{root / 'src'}\n")
    write_tool(venv / "bin", "voicecoach", "#!/bin/sh\nexit 0\n")


@pytest.mark.parametrize("script", [*SCRIPTS, SETUP], ids=lambda p: p.name)
def test_scripts_parse(script: Path) -> None:
    result = subprocess.run(
        ["bash", "-n", str(script)], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_entry_scripts_are_executable(script: Path) -> None:
    assert os.access(script, os.X_OK), f"chmod +x {script.relative_to(REPO)}"


def test_all_packages_present_means_no_apt_get(fake_root: Path) -> None:
    result, apt_log = run_setup(fake_root, "vc_install_system_packages; echo $VC_CHANGED")
    assert result.returncode == 0, result.stderr
    assert apt_log == ""
    assert result.stdout.strip() == "0"


def test_only_the_missing_package_is_installed(fake_root: Path) -> None:
    installed = EVERY_PACKAGE.replace("sox desktop-file-utils ", "desktop-file-utils ")
    result, apt_log = run_setup(fake_root, "vc_install_system_packages", installed)
    assert result.returncode == 0, result.stderr
    calls = apt_log.splitlines()
    assert calls[0] == "apt-get update -qq"
    assert calls[1].startswith("apt-get install") and calls[1].endswith(" sox")
    assert "espeak-ng" not in calls[1]
    assert "installing sox" in result.stderr


def test_second_setup_run_installs_nothing(fake_root: Path) -> None:
    make_venv(fake_root)
    needs = "if vc_needs_install; then echo yes; else echo no; fi"
    result, _ = run_setup(fake_root, needs)
    assert result.stdout.strip() == "yes", result.stderr  # never installed: no stamp yet

    run_setup(fake_root, 'vc_hash_file pyproject.toml >"$VC_STAMP"')  # as after an install
    result, apt_log = run_setup(fake_root, "vc_setup; echo changed=$VC_CHANGED")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "changed=0"
    assert result.stderr == "" and apt_log == ""

    with open(fake_root / "pyproject.toml", "a") as pyproject:
        pyproject.write("\n# a new dependency would go here\n")
    result, _ = run_setup(fake_root, needs)
    assert result.stdout.strip() == "yes", result.stderr


def test_package_imported_from_elsewhere_is_reinstalled(fake_root: Path) -> None:
    make_venv(fake_root)
    run_setup(fake_root, 'vc_hash_file pyproject.toml >"$VC_STAMP"')
    for pth in (fake_root / ".venv").rglob("voicecoach-src.pth"):
        pth.write_text(f"{REPO / 'src'}\n")  # a venv copied from another checkout
    result, _ = run_setup(fake_root, "if vc_needs_install; then echo yes; else echo no; fi")
    assert result.stdout.strip() == "yes", result.stderr


def test_ci_entry_points_at_shared_models_and_requires_the_corpus() -> None:
    text = (REPO / ".ci" / "run").read_text()
    assert text.startswith("#!/usr/bin/env bash")
    assert "VOICECOACH_REQUIRE_CORPUS=1" in text
    assert "../shared/models" in text and "scripts/test" in text
