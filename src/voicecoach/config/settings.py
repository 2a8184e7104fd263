"""Settings: frozen dataclasses, one docstring per field, parsed once.

`load_settings()` (settings_file.py) reads the YAML file in the user config directory and
command-line overrides and returns a `Settings`; the core receives these objects, never
argparse results or raw dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PainZones:
    """Pain score zones (0-10). Defaults follow the traffic-light chart in seed 003."""

    green_max: int = 3
    """Highest score that is green: fine to carry on gently."""
    amber_max: int = 5
    """Highest score that is amber: switch to the easier variant. Above it is red."""

    def zone(self, score: int) -> str:
        if score <= self.green_max:
            return "green"
        if score <= self.amber_max:
            return "amber"
        return "red"


@dataclass(frozen=True)
class SessionSettings:
    """What the session engine needs."""

    count_style: str = "numbers"
    """How holds are counted: "numbers" (spoken) or "beeps"."""
    sentence_pause: float = 0.6
    """Seconds of quiet after each spoken sentence."""
    pain_zones: PainZones = field(default_factory=PainZones)
    rest_seconds: int = 60
    """Length of a rest asked for with "rest" or "I'm tired"."""
    more_rest_seconds: int = 30
    """Seconds added by "more rest"."""
    extra_rest_between_sets: int = 0
    """Seconds added to every rest between sets, between exercises and between holds
    (MS fatigue pacing)."""
    rest_between_exercises: int = 30
    """Seconds of rest after each exercise, before the next one is announced."""
    pace: float = 1.0
    """Tempo multiplier for counted reps: 1.5 is a gentler pace."""
    heat_note: bool = True
    """Say a short note about heat and fatigue in the introduction."""
    answer_timeout: float = 20.0
    """Seconds to wait for an answer before asking again once."""
    ask_pain_scores: bool = True
    """Ask for a 0-10 pain score at the start and end of each session."""


@dataclass(frozen=True)
class SpeechSettings:
    voice: str | None = None
    """Text-to-speech voice id or name; None for the system default."""
    rate: int = 140
    """Speaking rate in words per minute (80-220)."""
    volume: float = 0.9
    """Speech volume, 0.1-1.0."""


@dataclass(frozen=True)
class AudioSettings:
    input_device: str | None = None
    """Microphone: a device number or part of its name; None for the default."""
    output_device: str | None = None
    """Speaker: a device number or part of its name; None for the default."""


@dataclass(frozen=True)
class RecognitionSettings:
    engine: str = "auto"
    """Recogniser: "auto" (measured best available), "kws" or "vosk"."""
    model_path: str | None = None
    """A model directory to use instead of searching."""
    personal_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Extra words per command, e.g. {"stop": ("halt", "enough")}."""
    removed_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Words to stop listening for, per command."""


@dataclass(frozen=True)
class Settings:
    session: SessionSettings = field(default_factory=SessionSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    recognition: RecognitionSettings = field(default_factory=RecognitionSettings)
    default_position: str | None = None
    """"bed" or "chair": skips the position question at start; None to ask."""
