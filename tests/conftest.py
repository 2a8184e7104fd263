"""Shared test set-up: tests import helpers from this folder, and never touch the real
user data or config directories."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
