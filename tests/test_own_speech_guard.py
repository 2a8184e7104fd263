"""Telling a person's word from the player's own voice, on the microphone's time line.

What a person notices: the player's own "say pain if anything hurts" never starts the pain
questions, even when a busy computer has left the recogniser seconds behind; a person's
"stop" over the player's speech still stops it; the person is told when words are heard
late.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fakes.scripted_recognizer import ScriptedRecognizer
from voicecoach.audio.echo.canceller import EchoCancellingMicrophone, SelfSpeechGate, simulate_room
from voicecoach.audio.echo.talk_over import LouderThanEcho
from voicecoach.config.settings import Settings
from voicecoach.listening.listener import CommandListener
from voicecoach.listening.own_voice import RECOGNITION_LAG, TALK_OVER_WINDOW, OwnSpeechGuard
from voicecoach.player.live_session import InputItem
from voicecoach.player.notices import Notice
from voicecoach.player.voice_player import Listening
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, Command

RATE = 16000
BLOCK = 320  # 20 ms


# ------------------------------------------------------------------------ the guard


def feed(guard: OwnSpeechGuard, seconds: float, *, sounding: bool, person: bool = False) -> None:
    for _ in range(round(seconds / 0.02)):
        guard.block(0.02, player_sounding=sounding, person_talking=person)


def test_words_in_silence_all_act() -> None:
    guard = OwnSpeechGuard()
    feed(guard, 1.0, sounding=False)
    assert all(guard.accepts(c) for c in (Command.STOP, Command.HARDER, Command.SKIP))


def test_over_the_players_voice_nothing_acts_without_a_person() -> None:
    guard = OwnSpeechGuard()
    feed(guard, 3.0, sounding=True)
    assert not guard.accepts(Command.PAIN)
    assert not guard.accepts(Command.STOP)
    assert not guard.accepts(Command.HARDER)


def test_a_person_over_the_players_voice_can_stop_pause_or_report_pain_only() -> None:
    guard = OwnSpeechGuard()
    feed(guard, 2.0, sounding=True)
    feed(guard, 0.3, sounding=True, person=True)
    feed(guard, 0.5, sounding=True)
    assert guard.accepts(Command.STOP)
    assert guard.accepts(Command.PAIN)
    assert guard.accepts(Command.PAUSE)
    assert not guard.accepts(Command.HARDER)
    assert not guard.accepts(Command.SKIP)
    feed(guard, TALK_OVER_WINDOW, sounding=True)
    assert not guard.accepts(Command.STOP)  # that person's word was long ago


def test_the_echo_tail_after_the_player_stops_is_still_its_own() -> None:
    guard = OwnSpeechGuard()
    feed(guard, 2.0, sounding=True)
    feed(guard, RECOGNITION_LAG - 0.1, sounding=False)
    assert not guard.accepts(Command.PAIN)
    feed(guard, 0.2, sounding=False)
    assert guard.accepts(Command.PAIN)


# ----------------------------------------------------------------- the raw level check


def speech_like(seconds: float, seed: int) -> npt.NDArray[np.float32]:
    """Noise with a syllable-like envelope (4 Hz), about -20 dBFS."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t + seed) ** 2
    return (0.1 * envelope * rng.standard_normal(len(t))).astype(np.float32)


def blocks_louder(check: LouderThanEcho, mic: np.ndarray, played: np.ndarray) -> list[bool]:
    return [
        check.louder(mic[i : i + BLOCK], played[i : i + BLOCK])
        for i in range(0, len(mic) - BLOCK + 1, BLOCK)
    ]


def test_the_players_echo_is_not_louder_than_itself_even_out_of_step() -> None:
    played = speech_like(12.0, seed=1)
    echo = simulate_room(played, RATE, attenuation_db=0.0)
    late = np.concatenate([np.zeros(int(0.3 * RATE), np.float32), echo])[: len(echo)]
    check = LouderThanEcho()
    louder = blocks_louder(check, late, played)
    assert sum(louder[100:]) <= 2  # after a second of learning: (almost) never


def test_a_person_well_above_the_echo_is_louder() -> None:
    played = speech_like(6.0, seed=1)
    echo = simulate_room(played, RATE, attenuation_db=12.0)
    person = 10 ** (12 / 20) * speech_like(6.0, seed=2)  # 12 dB above the played level
    mic = echo.copy()
    mic[4 * RATE : 5 * RATE] += person[4 * RATE : 5 * RATE]
    louder = blocks_louder(LouderThanEcho(), mic, played)
    assert sum(louder[200:250]) >= 40  # most of the person's second
    assert sum(louder[60:190]) <= 2


def test_with_nothing_played_every_sound_is_someone_else() -> None:
    quiet = np.zeros(RATE, np.float32)
    assert all(blocks_louder(LouderThanEcho(), speech_like(1.0, seed=3), quiet))


# -------------------------------------------- the cleaning microphone's flags, per block


class ScriptedMic:
    sample_rate = RATE
    alive = True

    def __init__(self, blocks: list[np.ndarray]) -> None:
        self._blocks = blocks

    def read(self, timeout: float) -> np.ndarray | None:
        return self._blocks.pop(0) if self._blocks else None

    def close(self) -> None:
        pass


class ScriptedSpeaker:
    def __init__(self, played: np.ndarray) -> None:
        self._played = played
        self._at = 0

    def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
        out = self._played[self._at : self._at + frames]
        self._at += frames
        return out


def test_the_microphone_reports_when_the_player_was_sounding() -> None:
    played = np.concatenate([np.zeros(RATE, np.float32), speech_like(1.0, seed=4)])
    mic_blocks = [np.zeros(BLOCK, np.float32) for _ in range(len(played) // BLOCK)]
    cleaning = EchoCancellingMicrophone(ScriptedMic(mic_blocks), ScriptedSpeaker(played))
    sounding = []
    while cleaning.read(0.1) is not None:
        sounding.append(cleaning.player_sounding)
    assert sounding == [False] * 50 + [True] * 50


def test_a_person_is_heard_only_when_gate_and_level_check_agree() -> None:
    played = speech_like(10.0, seed=5)
    echo = simulate_room(played, RATE, attenuation_db=0.0)
    # In step for 6 s, then 150 ms late (as after an underrun the speaker did not see):
    # the canceller has to learn the room again and lets the echo through meanwhile.
    late = np.concatenate([np.zeros(int(0.15 * RATE), np.float32), echo])[: len(echo)]
    mic = np.concatenate([echo[: 6 * RATE], late[6 * RATE :]])
    blocks = [mic[i : i + BLOCK] for i in range(0, len(mic), BLOCK)]

    def talk_over_blocks(louder: LouderThanEcho | None) -> int:
        cleaning = EchoCancellingMicrophone(
            ScriptedMic(list(blocks)),
            ScriptedSpeaker(played),
            gate=SelfSpeechGate(),
            gate_output=False,
            louder=louder,
        )
        heard = 0
        while cleaning.read(0.1) is not None:
            heard += cleaning.person_talking
        return heard

    assert talk_over_blocks(None) > 0  # the gate alone is fooled ...
    assert talk_over_blocks(LouderThanEcho()) <= 2  # ... the level check is not


# ------------------------------------------------------------- the listening thread


@dataclass
class Heard:
    """One 20 ms microphone block as the listening thread sees it."""

    sounding: bool = False
    person: bool = False
    backlog: float = 0.0


class FlaggedMic:
    """A cleaning microphone whose per-block flags the test sets; stops the thread at the end."""

    sample_rate = RATE
    alive = True

    def __init__(self, blocks: list[Heard], listening: Listening) -> None:
        self._blocks = blocks
        self._listening = listening
        self.player_sounding = False
        self.person_talking = False
        self.backlog_seconds = 0.0

    def read(self, timeout: float) -> np.ndarray | None:
        if not self._blocks:
            self._listening.stop()
            return None
        block = self._blocks.pop(0)
        self.player_sounding = block.sounding
        self.person_talking = block.person
        self.backlog_seconds = block.backlog
        return np.zeros(BLOCK, np.float32)

    def close(self) -> None:
        pass


class QuietOutput:
    """The player's output as the listening thread sees it: `busy` is what it says now."""

    def __init__(self, busy: bool) -> None:
        self._busy = busy

    def busy(self) -> bool:
        return self._busy

    def duck(self) -> None:
        pass

    def unduck(self) -> None:
        pass


def listen(
    blocks: list[Heard], said: list[tuple[int, str]], *, busy_now: bool = False
) -> tuple[list[str], list[str]]:
    """(what reached the session, the notes shown) when `said` phrases end at those blocks."""
    inputs: queue.Queue[InputItem] = queue.Queue()
    notes: queue.Queue[Notice] = queue.Queue()
    listening = Listening(Settings(), QuietOutput(busy_now), inputs, notes)  # type: ignore[arg-type]
    recognizer = ScriptedRecognizer([(BLOCK * (at + 1), text) for at, text in said])
    listener = CommandListener(recognizer, DEFAULT_VOCABULARY)
    listening._run(FlaggedMic(blocks, listening), listener)
    return [item.text for item in inputs.queue], [note.text for note in notes.queue]


def test_its_own_pain_heard_late_is_ignored_though_it_has_stopped_talking_by_now() -> None:
    blocks = [Heard(sounding=True, backlog=4.0) for _ in range(150)]
    heard, _ = listen(blocks, [(100, "pain")], busy_now=False)
    assert heard == []


def test_a_stop_said_in_silence_acts_though_the_player_talks_again_by_now() -> None:
    blocks = [Heard(sounding=False, backlog=4.0) for _ in range(150)]
    heard, _ = listen(blocks, [(100, "stop")], busy_now=True)
    assert heard == ["stop"]


def test_a_person_talking_over_can_stop_but_not_skip() -> None:
    blocks = [Heard(sounding=True, person=80 <= i < 100) for i in range(150)]
    heard, _ = listen(blocks, [(100, "skip"), (110, "stop")])
    assert heard == ["stop"]


def test_the_person_is_told_when_words_are_heard_late_and_when_on_time_again() -> None:
    backlog = [0.0] * 20 + [2.5] * 20 + [3.0] * 20 + [0.2] * 20
    _, notes = listen([Heard(backlog=b) for b in backlog], [])
    assert notes == [
        "The computer is busy, so I am hearing you late. Keys still act at once.",
        "I am hearing you on time again.",
    ]
