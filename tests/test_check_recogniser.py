"""`voicecoach check` loads the recogniser's model for real: a damaged model file is
reported with its fix, never "OK recogniser"."""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus import kws_model_dir
from voicecoach.cli.check import check_recognizer
from voicecoach.config.settings import RecognitionSettings, Settings
from voicecoach.store.models import kws_files


def _settings(model: Path) -> Settings:
    return Settings(recognition=RecognitionSettings(engine="kws", model_path=str(model)))


def test_a_sound_model_is_reported_ok() -> None:
    finding = check_recognizer(_settings(kws_model_dir()))
    assert finding.ok, finding.text
    assert str(kws_model_dir()) in finding.text


def test_a_model_with_a_damaged_file_is_reported_with_the_fix(tmp_path: Path) -> None:
    model = tmp_path / "kws-model"
    shutil.copytree(kws_model_dir(), model)
    encoder = kws_files(model).encoder
    encoder.write_bytes(b"\x08\x07 not a network " * 4000)  # same name, damaged content
    finding = check_recognizer(_settings(model))
    assert not finding.ok
    assert str(model) in finding.text
    assert "voicecoach model download" in finding.text
