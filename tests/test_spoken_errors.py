"""A voice session that cannot start says so out loud, as well as on the screen."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from voicecoach.audio.speaker import PrintSpeaker
from voicecoach.cli.main import main
from voicecoach.cli.play import plan_or_say_why, settings_or_say_why
from voicecoach.errors import SettingsError
from voicecoach.player.spoken_errors import PLAN_PROBLEM, SETTINGS_PROBLEM, say_aloud
from voicecoach.script.plan_file import PlanError


class HeardSpeaker:
    def __init__(self) -> None:
        self.said: list[tuple[str, float]] = []
        self.closed = False
        self._done: list[int] = []

    def say(self, utterance_id: int, samples: np.ndarray, sample_rate: int, text: str = "") -> None:
        self.said.append((text, len(samples) / sample_rate))
        self._done.append(utterance_id)

    def finished(self) -> list[int]:
        done, self._done = self._done, []
        return done

    def close(self) -> None:
        self.closed = True


def test_the_sentence_is_synthesised_played_and_waited_for() -> None:
    speaker = HeardSpeaker()
    assert say_aloud(SETTINGS_PROBLEM, lambda: speaker)  # type: ignore[arg-type, return-value]
    ((text, seconds),) = speaker.said
    assert text == SETTINGS_PROBLEM and seconds > 2.0
    assert speaker.closed


def test_with_no_speaker_nothing_is_played_and_nothing_breaks() -> None:
    assert not say_aloud(SETTINGS_PROBLEM, lambda: PrintSpeaker(echo=False))

    def broken() -> PrintSpeaker:
        raise OSError("PortAudio not initialised")

    assert not say_aloud(SETTINGS_PROBLEM, broken)


def _args(text: bool) -> argparse.Namespace:
    return argparse.Namespace(text=text, model=None, device=None, engine=None)


def test_a_broken_settings_file_is_said_aloud_then_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.yaml").write_text("volume: loud\n", encoding="utf-8")
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(config))
    spoken: list[str] = []
    monkeypatch.setattr(
        "voicecoach.player.spoken_errors.say_aloud", lambda text: spoken.append(text)
    )
    with pytest.raises(SettingsError) as error:
        settings_or_say_why(_args(text=False))
    assert "settings.yaml:1" in str(error.value)
    assert spoken == [SETTINGS_PROBLEM]
    spoken.clear()
    with pytest.raises(SettingsError):
        settings_or_say_why(_args(text=True))  # typed sessions: the screen is enough
    assert spoken == []


def test_a_broken_plan_file_stops_the_session_said_aloud_and_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "plan.yaml").write_text("affected_side: middle\n", encoding="utf-8")
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path))
    spoken: list[str] = []
    monkeypatch.setattr(
        "voicecoach.player.spoken_errors.say_aloud", lambda text: spoken.append(text)
    )
    with pytest.raises(PlanError) as error:
        plan_or_say_why(_args(text=False))
    assert f"{tmp_path / 'plan.yaml'}:1:16: affected_side:" in str(error.value)
    assert spoken == [PLAN_PROBLEM]
    assert main(["play", "--text", "chair-gentle-start"]) == 2  # nothing is played
