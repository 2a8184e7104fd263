"""What some tests need from the machine, and what happens when it is missing.

scripts/test installs all of it (espeak-ng, pyaec, vosk, matplotlib, the speech corpus
path), so under CI (.ci/run sets VOICECOACH_REQUIRE_CORPUS=1 / VOICECOACH_REQUIRE_AUDIO=1)
a missing piece is a failed set-up and the test fails. Run by hand on a machine without
it, the test is skipped with the reason and the fix.
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import pytest

REQUIRE_VARIABLES = ("VOICECOACH_REQUIRE_CORPUS", "VOICECOACH_REQUIRE_AUDIO")


def required() -> bool:
    return any(os.environ.get(name) == "1" for name in REQUIRE_VARIABLES)


def need(present: bool, what: str, fix: str) -> None:
    if present:
        return
    message = f"{what} is missing. Fix: {fix} (scripts/test installs it)."
    if required():
        pytest.fail(message)
    pytest.skip(message, allow_module_level=True)


def need_module(name: str, fix: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:
        need(False, f"the Python package {name}", fix)
        raise  # pragma: no cover - need() always raises here


def need_espeak() -> None:
    need(
        shutil.which("espeak-ng") is not None or shutil.which("espeak") is not None,
        "the espeak-ng command",
        "sudo apt-get install espeak-ng",
    )
