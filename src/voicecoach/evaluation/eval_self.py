"""Does the coach hear itself? `voicecoach eval-self`.

Every distinct sentence a session of the chosen scripts says (from the preview
transcript), what the player says back when a person gives each command or reports pain
(previews with a simulated person), plus a few sentences that contain "stop" and
"pain", is synthesised as the
player would, sent through a simulated room (`echo_cancel.simulate_room`: delay, level,
reverberant tail, a faint noise floor) and fed to the recogniser in 20 ms blocks, as
one continuous stream, twice:

- without echo cancelling: what a player with no canceller would hear of itself;
- with echo cancelling: the speex canceller, given the clean played samples as its
  reference (the live player gives it the same, lined up with the microphone).

No person speaks, so every command heard is a false accept. Reported per pass: the
commands heard (with the sentence being said), how many were safety words (stop/pain:
each would halt a session), and the rate per hour of the coach's speech.
"""

from __future__ import annotations

import bisect
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, TextIO

import numpy as np
import numpy.typing as npt

from voicecoach.audio.echo.canceller import EchoCanceller, simulate_room
from voicecoach.audio.resampling import resample
from voicecoach.config.settings import Settings, SpeechSettings
from voicecoach.listening.own_voice import acts_over_speech
from voicecoach.script.model import Script
from voicecoach.session.vocabulary import SAFETY_COMMANDS, Command, Meaning
from voicecoach.speech.synth import Synthesizer, synthesize

RATE = 16000
BLOCK = 320  # 20 ms, as the live microphone delivers
LEAD_SECONDS = 0.3
TAIL_SECONDS = 0.7  # room for the recogniser to finish a word before the next sentence
NOISE_DB = -65.0
"""A microphone's noise floor, so that pauses are not digital silence."""

PROBE_SENTENCES = (
    "If anything hurts, say stop or pain, and we will stop at once.",
    "You can say stop at any time.",
    "Tell me if you feel any pain.",
    "Say pause to take a break, and continue when you are ready.",
)
"""Sentences the coach might say that contain command words, so the test is fair even if
the chosen scripts avoid them."""


class Heard(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def meaning(self) -> Meaning: ...
    @property
    def at_sample(self) -> int: ...


class Listener(Protocol):
    def feed(self, samples: npt.NDArray[np.float32]) -> Sequence[Heard]: ...


# A sentence is still "being said" this long after its last sample (output latency).
SPEAKING_TAIL = int(0.05 * RATE)


@dataclass(frozen=True)
class RoomSetup:
    delay_ms: float = 30.0
    attenuation_db: float = 12.0
    reverb: float = 0.3
    """Reverberation time RT60 in seconds."""


@dataclass(frozen=True)
class Trigger:
    text: str
    """The phrase the recogniser heard, e.g. "stop"."""
    meaning: str
    sentence: str
    """What the coach was saying."""
    at: float
    """Seconds into the run."""
    acted: bool = True
    """False when the live player would ignore it: heard while it was speaking, and not
    a command that may interrupt speech (barge_in.py)."""


@dataclass
class PassResult:
    false_accepts: int = 0
    safety_false_accepts: int = 0
    per_hour: float = 0.0
    by_command: dict[str, int] = field(default_factory=dict)
    triggers: list[Trigger] = field(default_factory=list)
    ignored_while_speaking: int = 0
    """Detections the live player ignores (see Trigger.acted); not false accepts."""


@dataclass
class SelfEvalReport:
    engine: str
    scripts: list[str]
    sentences: int
    hours: float
    """Hours of the coach's speech (with the pauses between sentences) processed."""
    with_echo_cancel: PassResult
    without_echo_cancel: PassResult
    echo_reduction_db: float
    """Echo taken out by the canceller, after its first two seconds."""
    room: RoomSetup
    seconds_taken: float

    def to_json(self) -> dict[str, Any]:
        """One object: the with-cancelling figures at the top, the other pass nested."""
        main = asdict(self.with_echo_cancel)
        return {
            "engine": self.engine,
            "scripts": self.scripts,
            "sentences": self.sentences,
            "hours": round(self.hours, 4),
            "false_accepts": main["false_accepts"],
            "safety_false_accepts": main["safety_false_accepts"],
            "per_hour": round(main["per_hour"], 2),
            "by_command": main["by_command"],
            "triggers": main["triggers"],
            "ignored_while_speaking": main["ignored_while_speaking"],
            "without_echo_cancel": {
                **asdict(self.without_echo_cancel),
                "per_hour": round(self.without_echo_cancel.per_hour, 2),
            },
            "echo_reduction_db": round(self.echo_reduction_db, 1),
            "room": asdict(self.room),
            "seconds_taken": round(self.seconds_taken, 1),
        }


REPLY_AT = 40.0
"""When the simulated person interrupts, in the sessions that collect the player's replies."""


def _reply_scenarios() -> list[list[tuple[float, str]]]:
    """What a person may say during a session, so that the player's replies (which say
    "stop", "pain" and "continue" themselves) are in the test too. Easier and harder are
    left out: their replies are the script's own sentences at other levels."""
    at = REPLY_AT
    spoken = [c for c in Command if c not in (Command.EASIER, Command.HARDER)]
    scenarios = [[(at, c.value), (at + 10, "continue")] for c in spoken]
    scenarios.append([(at, "stop"), (at + 3, "stop")])
    for score in ("2", "5", "8"):
        scenarios.append([(at, "pain"), (at + 6, score), (at + 12, "yes"), (at + 18, "continue")])
    scenarios.append([(at, "pain"), (at + 6, "5"), (at + 12, "no"), (at + 18, "continue")])
    return scenarios


def sentences_for(
    scripts: Iterable[Script], settings: Settings, *, replies: bool = True
) -> list[str]:
    """Every distinct sentence sessions of `scripts` say, in order; with `replies`, what
    the player says back to a person's commands and pain reports; then the probes."""
    from voicecoach.session.preview import preview

    said: dict[str, None] = {}
    chosen = list(scripts)
    for says in [[], *(_reply_scenarios() if replies else [])]:
        for script in chosen:
            for line in preview(script, settings, says):
                if line.kind == "say":
                    said.setdefault(line.text, None)
    for text in PROBE_SENTENCES:
        said.setdefault(text, None)
    return list(said)


def evaluate_self(
    sentences: Sequence[str],
    make_listener: Callable[[], Listener],
    speech: SpeechSettings,
    *,
    engine: str = "",
    scripts: Sequence[str] = (),
    room: RoomSetup | None = None,
    synth: Synthesizer = synthesize,
    progress: TextIO | None = None,
) -> SelfEvalReport:
    started = time.monotonic()
    room = room or RoomSetup()
    raw_listener, clean_listener = make_listener(), make_listener()
    canceller = EchoCanceller(RATE)
    rng = np.random.default_rng(0)
    noise = 10 ** (NOISE_DB / 20)
    starts: list[int] = []  # stream position where each sentence begins
    spoken: list[tuple[int, int]] = []  # stream spans where the player is speaking
    position = 0
    raw_hits: list[tuple[Heard, int]] = []
    clean_hits: list[tuple[Heard, int]] = []
    echo_energy = residual_energy = 0.0
    for number, text in enumerate(sentences):
        samples, rate = synth(text, speech)
        played = np.concatenate(
            [
                np.zeros(int(LEAD_SECONDS * RATE), np.float32),
                resample(samples, rate, RATE),
                np.zeros(int(TAIL_SECONDS * RATE), np.float32),
            ]
        )
        heard = simulate_room(
            played, RATE, room.delay_ms, room.attenuation_db, room.reverb, seed=0
        ) + (noise * rng.standard_normal(len(played))).astype(np.float32)
        starts.append(position)
        speech_start = position + int(LEAD_SECONDS * RATE)
        spoken.append(
            (speech_start, speech_start + len(played) - int((LEAD_SECONDS + TAIL_SECONDS) * RATE))
        )
        for i in range(0, len(played), BLOCK):
            mic, reference = heard[i : i + BLOCK], played[i : i + BLOCK]
            cleaned = canceller.process(mic, reference)
            raw_hits += [(h, number) for h in raw_listener.feed(mic)]
            clean_hits += [(h, number) for h in clean_listener.feed(cleaned)]
            if position + i >= 2 * RATE:
                echo_energy += float(np.sum(np.square(mic, dtype=np.float64)))
                residual_energy += float(np.sum(np.square(cleaned, dtype=np.float64)))
        position += len(played)
        if progress is not None and (number + 1) % 25 == 0:
            print(f"voicecoach: eval-self: {number + 1}/{len(sentences)} sentences", file=progress)
    hours = position / RATE / 3600
    return SelfEvalReport(
        engine=engine,
        scripts=list(scripts),
        sentences=len(sentences),
        hours=hours,
        with_echo_cancel=_pass_result(clean_hits, sentences, starts, spoken, hours),
        without_echo_cancel=_pass_result(raw_hits, sentences, starts, spoken, hours),
        echo_reduction_db=10
        * float(np.log10(max(echo_energy, 1e-20) / max(residual_energy, 1e-20))),
        room=room,
        seconds_taken=time.monotonic() - started,
    )


def _pass_result(
    hits: list[tuple[Heard, int]],
    sentences: Sequence[str],
    starts: list[int],
    spoken: list[tuple[int, int]],
    hours: float,
) -> PassResult:
    triggers = []
    ignored = 0
    for heard, fed_during in hits:
        # The recogniser's stream position says when the word was; fall back to the
        # sentence being fed if it is out of range.
        at = heard.at_sample
        index = bisect.bisect_right(starts, at) - 1 if at >= 0 else fed_during
        index = index if 0 <= index < len(sentences) else fed_during
        meaning = str(heard.meaning.value)
        # The speaker counts as speaking until its last sample plus its output latency.
        speaking = any(a <= at <= b + SPEAKING_TAIL for a, b in spoken)
        if speaking and not acts_over_speech(heard.meaning):
            ignored += 1
            continue
        triggers.append(Trigger(heard.text, meaning, sentences[index], round(at / RATE, 2)))
    safety = {m.value for m in SAFETY_COMMANDS}
    return PassResult(
        false_accepts=len(triggers),
        safety_false_accepts=sum(t.meaning in safety for t in triggers),
        per_hour=len(triggers) / hours if hours > 0 else 0.0,
        by_command=dict(Counter(t.meaning for t in triggers).most_common()),
        triggers=triggers,
        ignored_while_speaking=ignored,
    )


def print_report(report: SelfEvalReport, out: TextIO = sys.stdout) -> None:
    room = report.room
    print(
        f"The coach listening to itself: {report.sentences} sentences "
        f"({report.hours * 60:.1f} minutes of speech), engine {report.engine or '?'}.\n"
        f"Room: echo {room.delay_ms:.0f} ms late, {room.attenuation_db:.0f} dB down, "
        f"reverberation {room.reverb:.1f} s.\n",
        file=out,
    )
    print(f"{'':24}{'commands heard':>16}{'per hour':>10}{'stop/pain':>11}", file=out)
    for label, result in (
        ("without echo cancelling", report.without_echo_cancel),
        ("with echo cancelling", report.with_echo_cancel),
    ):
        print(
            f"{label:24}{result.false_accepts:>16}{result.per_hour:>10.1f}"
            f"{result.safety_false_accepts:>11}",
            file=out,
        )
    print(
        f"\nIgnored because they came while the coach was speaking and only stop, pain and "
        f"pause act then: {report.with_echo_cancel.ignored_while_speaking} with cancelling, "
        f"{report.without_echo_cancel.ignored_while_speaking} without.",
        file=out,
    )
    print(f"\nEcho taken out by the canceller: {report.echo_reduction_db:.1f} dB.", file=out)
    for label, result in (
        ("with echo cancelling", report.with_echo_cancel),
        ("without echo cancelling", report.without_echo_cancel),
    ):
        if not result.triggers:
            continue
        print(f"\nHeard {label}:", file=out)
        for t in result.triggers[:20]:
            print(f'  {t.text!r} ({t.meaning}) while saying: "{_short(t.sentence)}"', file=out)
        if len(result.triggers) > 20:
            print(f"  ... and {len(result.triggers) - 20} more (--json lists all)", file=out)
    print(f"\n({report.seconds_taken:.0f} s)", file=out)


def _ratio_db(energy: float, reference: float) -> float:
    return 10 * float(np.log10(max(energy, 1e-20) / max(reference, 1e-20)))


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
