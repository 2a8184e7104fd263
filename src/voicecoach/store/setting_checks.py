"""Checks run only when a settings value is set (`voicecoach settings set`).

They depend on this computer (the voice must be installed, model_path must hold a speech
model), so a file that loaded yesterday still loads today; at play time a missing voice or
model falls back (default voice, keyboard) with a note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voicecoach.config.keys import SettingKey
from voicecoach.config.parsers import InvalidValue
from voicecoach.errors import ModelError, SettingsError


def check_new_value(key: SettingKey, value: Any) -> None:
    """SettingsError, fix included, when a value about to be saved fails its check."""
    check = _CHECKS.get(key.name)
    if check is None:
        return
    try:
        check(value)
    except InvalidValue as problem:
        raise SettingsError(f"{key.name}: {problem}") from None


def _voice_installed(voice: str | None) -> None:
    if voice is None:
        return
    from voicecoach.speech.synth import UnknownVoiceError, installed_voices, resolve_voice

    try:
        resolve_voice(voice, installed_voices())
    except UnknownVoiceError as error:
        raise InvalidValue(
            f"{voice!r} is not installed on this computer. Fix: {error.fix}"
        ) from None


def _holds_a_model(folder: str | None) -> None:
    if folder is None:
        return
    from voicecoach.store.models import check_model_folder

    try:
        check_model_folder(folder)
    except ModelError as error:
        raise InvalidValue(
            f"{error}. Fix: name the folder that holds the model (`voicecoach model where "
            f"--model PATH` checks one), get one with `voicecoach model download`, or use "
            f"`voicecoach settings set model_path auto` to search the usual places."
        ) from None


_CHECKS: dict[str, Callable[[Any], None]] = {
    "voice": _voice_installed,
    "model_path": _holds_a_model,
}
