"""Choosing and building a recogniser from settings.

"auto" takes the engine measured best for the role (docs/recognition.md) among those whose
package and model are present. With no model at all, create_recognizer raises ModelError
saying where it looked and how to get one; the player then turns voice input off and says so.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path

from voicecoach.config.settings import RecognitionSettings
from voicecoach.errors import ModelError, SettingsError
from voicecoach.listening.recognizer import Recognizer
from voicecoach.session.vocabulary import SAFETY_COMMANDS, Vocabulary, vocabulary_for

ENGINES = ("kws", "vosk")

PREFERRED: Mapping[str, tuple[str, ...]] = {
    "spot": ("kws", "vosk"),
    "answer": ("kws", "vosk"),
}
"""Engine order per role for "auto"; why is in docs/recognition.md."""

_PACKAGES = {"kws": "sherpa_onnx", "vosk": "vosk"}


def available_engines(settings: RecognitionSettings) -> list[str]:
    """Engines whose Python package and model are both present, in ENGINES order."""
    return [e for e in ENGINES if _package_present(e) and _model_dir(e, settings) is not None]


def create_recognizer(
    settings: RecognitionSettings,
    role: str = "spot",
    *,
    tuning: Mapping[str, tuple[float, float]] | None = None,
) -> Recognizer:
    """A ready recogniser for `role` ("spot" or "answer"); set its phrases through a
    CommandListener. `tuning` gives keyword-spotter (boost, threshold) per phrase; when
    None, the person's voice profile (voicecoach enrol) is used if there is one."""
    if role not in PREFERRED:
        raise ValueError(f"role must be one of {tuple(PREFERRED)}, not {role!r}")
    engine = _choose(settings, role)
    model_dir = _model_dir(engine, settings)
    if model_dir is None:
        from voicecoach.store.models import describe_missing

        raise ModelError(describe_missing(engine, settings.model_path))
    if not _package_present(engine):
        raise ModelError(
            f"The {_PACKAGES[engine]} package is not installed: run "
            f"`pip install {_PACKAGES[engine].replace('_', '-')}` "
            "(or install voicecoach with its [audio] extra)."
        )
    if engine == "kws":
        from voicecoach.listening.kws_engine import KwsRecognizer

        if tuning is None:
            # The person's enrolment profile, if any; an explicit tuning (even {}) wins.
            from voicecoach.store.voice_profile import load_tuning

            tuning = load_tuning(model_dir=model_dir)
        return KwsRecognizer(model_dir, tuning)
    from voicecoach.listening.vosk_engine import VoskRecognizer

    return VoskRecognizer(model_dir, early_phrases=safety_phrases(vocabulary_for(settings)))


def safety_phrases(vocabulary: Vocabulary) -> frozenset[str]:
    """Every phrase meaning a safety command: these act on partial results."""
    return frozenset(p.text for p in vocabulary.phrases if p.meaning in SAFETY_COMMANDS)


def _choose(settings: RecognitionSettings, role: str) -> str:
    if settings.engine in ENGINES:
        return settings.engine
    if settings.engine != "auto":
        raise SettingsError(
            f"engine is {settings.engine!r}: use one of auto, {', '.join(ENGINES)}, e.g. "
            "`voicecoach settings set engine auto`."
        )
    ready = available_engines(settings)
    for engine in PREFERRED[role]:
        if engine in ready:
            return engine
    from voicecoach.store.models import describe_missing

    first, *others = PREFERRED[role]
    also = "".join(
        f"\n(A {other} model would do too: `voicecoach model download --engine {other}`.)"
        for other in others
    )
    raise ModelError(describe_missing(first, settings.model_path) + also)


def _model_dir(engine: str, settings: RecognitionSettings) -> Path | None:
    from voicecoach.store.models import find_model

    return find_model(engine, settings.model_path)


def _package_present(engine: str) -> bool:
    return importlib.util.find_spec(_PACKAGES[engine]) is not None
