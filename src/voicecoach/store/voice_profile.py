"""The person's own voice data, kept on this machine only: enrolment recordings and the
profile calibrated from them.

Everything lives in one folder, `<data dir>/enrolment/` (history.data_dir(): the user data
directory, or $VOICECOACH_DATA_DIR), so one command removes it all:

    enrolment/recordings/stop-1.wav     16 kHz 16-bit mono WAV, one per take
    enrolment/recordings/other-1.wav    everyday speech (must not sound like a command)
    enrolment/profile.json              per-phrase keyword-spotter (boost, threshold)

Nothing here is ever sent anywhere. The folder is made private (0700, files 0600) because
a voice is personal data.

The profile is read by the recogniser factory through `load_tuning()`; a missing or
damaged profile means "no personal tuning" (a session must never fail because of it).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import wave
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.errors import VoiceCoachError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float32]

log = logging.getLogger(__name__)

FOLDER = "enrolment"
RECORDINGS = "recordings"
PROFILE_FILE = "profile.json"
PROFILE_VERSION = 1
RATE = 16000
OTHER_SPEECH = "other"
"""File-name word of everyday-speech recordings (no command in them)."""

Tuning = dict[str, tuple[float, float]]

_NAME = re.compile(r"^(?P<word>[a-z_']+)-(?P<take>\d+)\.wav$")


class EnrolmentError(VoiceCoachError):
    """The enrolment folder cannot be read or written."""


def enrolment_dir() -> Path:
    from voicecoach.store.history import data_dir  # the one place that knows the data folder

    return data_dir() / FOLDER


def recordings_dir() -> Path:
    return enrolment_dir() / RECORDINGS


def profile_path() -> Path:
    return enrolment_dir() / PROFILE_FILE


# ---------------------------------------------------------------- recordings


@dataclass(frozen=True)
class StoredRecording:
    word: str
    """The word the person was asked to say (a main word: "stop", "seven", "more rest"),
    or OTHER_SPEECH."""
    take: int
    path: Path


def recording_name(word: str, take: int) -> str:
    return f"{word.replace(' ', '_')}-{take}.wav"


def save_recording(word: str, take: int, samples: FloatArray, folder: Path | None = None) -> Path:
    """Write one take as a 16 kHz 16-bit mono WAV; returns its path."""
    import numpy as np

    folder = folder or recordings_dir()
    _private_dir(folder)
    path = folder / recording_name(word, take)
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    try:
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(pcm)
        os.chmod(path, 0o600)
    except OSError as problem:
        raise _cannot_write(path, problem) from None
    return path


def stored_recordings(folder: Path | None = None) -> list[StoredRecording]:
    """Every take in the recordings folder, by word then take; other files are ignored."""
    folder = folder or recordings_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match:
            word = match["word"].replace("_", " ")
            found.append(StoredRecording(word, int(match["take"]), path))
    return sorted(found, key=lambda r: (r.word, r.take))


def remove_recordings(word: str, folder: Path | None = None) -> None:
    """Drop every take of `word` (before recording it again)."""
    for recording in stored_recordings(folder):
        if recording.word == word:
            recording.path.unlink(missing_ok=True)


def read_recording(path: Path) -> FloatArray:
    from voicecoach.audio.wav_files import read_for_recognizer

    return read_for_recognizer(path)


# ---------------------------------------------------------------- the profile


@dataclass(frozen=True)
class VoiceProfile:
    tuning: Tuning = field(default_factory=dict)
    """Keyword spotter phrase -> (boost, threshold), where calibration changed it."""
    accuracy_before: float | None = None
    accuracy_after: float | None = None
    recordings: int = 0
    engine: str = "kws"
    model: str | None = None
    """Name of the model folder it was calibrated with."""
    created: str = ""
    """ISO time of the calibration (UTC)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PROFILE_VERSION,
            "created": self.created,
            "engine": self.engine,
            "model": self.model,
            "recordings": self.recordings,
            "accuracy_before": self.accuracy_before,
            "accuracy_after": self.accuracy_after,
            "tuning": {p: [b, t] for p, (b, t) in sorted(self.tuning.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VoiceProfile:
        """The profile in `data`; ValueError/TypeError/KeyError when it is malformed."""
        if data.get("version") != PROFILE_VERSION:
            raise ValueError(f"unknown profile version {data.get('version')!r}")
        tuning: Tuning = {}
        for phrase, pair in dict(data["tuning"]).items():
            boost, threshold = (float(v) for v in pair)
            if not (0 < boost <= 10 and 0 < threshold < 1):
                raise ValueError(f"{phrase!r}: boost {boost} / threshold {threshold} out of range")
            tuning[str(phrase)] = (boost, threshold)
        return cls(
            tuning=tuning,
            accuracy_before=_number_or_none(data.get("accuracy_before")),
            accuracy_after=_number_or_none(data.get("accuracy_after")),
            recordings=int(data.get("recordings", 0)),
            engine=str(data.get("engine", "kws")),
            model=None if data.get("model") is None else str(data["model"]),
            created=str(data.get("created", "")),
        )


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def save_profile(profile: VoiceProfile, path: Path | None = None) -> Path:
    """Write the profile atomically (temporary file + rename), private to this user."""
    path = path or profile_path()
    _private_dir(path.parent)
    text = json.dumps(profile.to_json(), indent=2) + "\n"
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".profile-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except OSError as problem:
        raise _cannot_write(path, problem) from None
    return path


def load_profile(path: Path | None = None) -> VoiceProfile | None:
    """The saved profile, None when there is none; EnrolmentError when it is damaged."""
    path = path or profile_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as problem:
        raise EnrolmentError(
            f"{path}: cannot read the voice profile ({problem.strerror or problem}). "
            "Check its permissions, or remove it with `voicecoach enrol --delete`."
        ) from None
    try:
        return VoiceProfile.from_json(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError) as problem:  # hand-edited or cut
        raise EnrolmentError(
            f"{path}: the voice profile is damaged ({problem}). Run `voicecoach enrol "
            "--recalibrate` to make it again from your recordings, or `voicecoach enrol "
            "--delete` to remove it."
        ) from None


def load_tuning(path: Path | None = None, model_dir: Path | None = None) -> Tuning:
    """The person's per-phrase (boost, threshold) for the keyword spotter; {} when there
    is no usable profile (a warning is logged for a damaged one), or when `model_dir` is
    given and the profile was calibrated with another model."""
    try:
        profile = load_profile(path)
    except EnrolmentError as problem:
        log.warning("%s", problem)
        return {}
    if profile is None:
        return {}
    if model_dir is not None and profile.model is not None and profile.model != model_dir.name:
        log.warning(
            "The voice profile was made with the model %s, not %s; it is not used. "
            "Run `voicecoach enrol --recalibrate` to make it for this model.",
            profile.model,
            model_dir.name,
        )
        return {}
    return dict(profile.tuning)


# ---------------------------------------------------------------- removing it all


def delete_enrolment(folder: Path | None = None) -> list[Path]:
    """Remove the recordings and the profile (the whole enrolment folder); returns the
    files that were removed."""
    folder = folder or enrolment_dir()
    if not folder.exists():
        return []
    removed = sorted(p for p in folder.rglob("*") if p.is_file())
    try:
        shutil.rmtree(folder)
    except OSError as problem:
        raise EnrolmentError(
            f"{folder}: could not remove everything ({problem.strerror or problem}). "
            f"Remove the folder by hand."
        ) from None
    return removed


def _private_dir(folder: Path) -> None:
    """Make `folder` (and the enrolment folder it may sit in) readable by this user only."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        own = [folder, folder.parent] if folder.parent.name == FOLDER else [folder]
        for path in own:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o700)
    except OSError as problem:
        raise _cannot_write(folder, problem) from None


def _cannot_write(path: Path, problem: OSError) -> EnrolmentError:
    return EnrolmentError(
        f"{path}: cannot write ({problem.strerror or problem}); nothing of the enrolment was "
        "lost. Check that the folder is writable, or set VOICECOACH_DATA_DIR to another folder."
    )


def _number_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
