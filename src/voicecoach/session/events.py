"""The session engine's language: events in, actions out.

Events carry the time `t` (seconds on the injected clock) at which they happened.
Actions are plain frozen data; drivers (preview, the text player, the voice player)
carry them out: speak, cut speech, play a cue, listen, record history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from voicecoach.session.vocabulary import HeardWord, Meaning

# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Tick:
    """Time has moved on to `t`."""

    t: float


@dataclass(frozen=True)
class Heard:
    """A phrase the recogniser heard (or a typed word) at `t`. `word` carries its meaning
    when the listener already worked it out; a machine understands `text` itself only
    when `word` is None (typed text, previews)."""

    t: float
    text: str
    word: HeardWord | None = None


@dataclass(frozen=True)
class KeyPressed:
    """A single key at `t` (see vocabulary.KEYS; " " toggles pause)."""

    t: float
    key: str


@dataclass(frozen=True)
class SpeechFinished:
    """Utterance `utterance_id` finished playing (or was cut) at `t`."""

    t: float
    utterance_id: int


Event = Tick | Heard | KeyPressed | SpeechFinished

# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class Say:
    """Speak `text`. `kind` is "speech" for sentences and "count" for count words,
    which drivers may pre-synthesise and must start on time."""

    utterance_id: int
    text: str
    kind: str = "speech"


@dataclass(frozen=True)
class StopSpeech:
    """Cut whatever is being said, now."""


@dataclass(frozen=True)
class Cue:
    """A short non-speech sound: "beep" (a count in beep style), "start", "end"."""

    name: str


class ListenRole(str, Enum):
    """What the recogniser listens for."""

    SPOT = "spot"
    """Commands only (answers would be noise here)."""
    ANSWER = "answer"
    """The expected answers of a pending question, plus every command."""


@dataclass(frozen=True)
class ListenFor:
    """What the recogniser should listen for now.

    `answers` are the answer words of a pending question (empty when none); commands
    are always listened for. `role` is ANSWER while a question is pending, else SPOT.
    """

    role: ListenRole
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class StateChanged:
    state: str


@dataclass(frozen=True)
class Log:
    """Something worth keeping in the history: `kind` is one of
    session_started, step_completed, command_heard, pain_score, level_change,
    session_ended (detail["reason"]: "completed", "stopped", "pain", ...)."""

    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetVolume:
    """Change speech volume by `step` (+1 louder, -1 quieter)."""

    step: int


Action = Say | StopSpeech | Cue | ListenFor | StateChanged | Log | SetVolume


@dataclass(frozen=True)
class Status:
    """What a display shows now."""

    state: str
    script_title: str
    exercise: str | None
    exercise_number: int
    exercise_count: int
    side: str | None
    set_number: int
    set_count: int
    rep_number: int
    rep_count: int
    countdown: int | None
    """Whole seconds left in a hold or rest, else None."""
    countdown_label: str | None
    """"hold" or "rest" when counting down."""
    can_say: tuple[str, ...]
    """Words that make sense right now."""
    level: int
    """Variant level of the current exercise: negative easier, positive harder."""
    last_said: str = ""
    cool_down: bool = False
    """The exercise is a cool-down (not counted in `exercise_count`, as the voice does
    not count it)."""


def meaning_name(meaning: Meaning) -> str:
    return str(meaning.value)
