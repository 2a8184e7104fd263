"""Telling a person's word from the player's own voice, on the microphone's time line.

What a person notices: the player's own "say pain if anything hurts" never starts the pain
questions, even when a busy computer has left the recogniser seconds behind; a person's
"stop" over the player's speech still stops it; the person is told when words are heard
late.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fakes.scripted_recognizer import ScriptedRecognizer
from voicecoach.audio.echo.canceller import (
    EchoCancellingMicrophone,
    MicBlock,
    SelfSpeechGate,
    simulate_room,
)
from voicecoach.audio.echo.talk_over import LouderThanEcho
from voicecoach.listening.listener import CommandListener
from voicecoach.listening.own_voice import (
    RECOGNITION_LAG,
    TALK_OVER_WINDOW,
    BlockVerdict,
    GateAndLevel,
    OwnVoice,
    TalkOverDetector,
)
from voicecoach.player.listening import Listening
from voicecoach.player.live_session import InputItem
from voicecoach.player.notices import Notice
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, Command, HeardWord

RATE = 16000
BLOCK = 320  # 20 ms


# ------------------------------------------------------------------------ the guard


def feed(guard: OwnVoice, seconds: float, *, sounding: bool, person: bool = False) -> None:
    for _ in range(round(seconds / 0.02)):
        guard.block(0.02, player_sounding=sounding, person_talking=person)


def test_words_in_silence_all_act() -> None:
    guard = OwnVoice()
    feed(guard, 1.0, sounding=False)
    assert all(guard.accepts(c) for c in (Command.STOP, Command.HARDER, Command.SKIP))


def test_over_the_players_voice_nothing_acts_without_a_person() -> None:
    guard = OwnVoice()
    feed(guard, 3.0, sounding=True)
    assert not guard.accepts(Command.PAIN)
    assert not guard.accepts(Command.STOP)
    assert not guard.accepts(Command.HARDER)


def test_a_person_over_the_players_voice_can_stop_pause_or_report_pain_only() -> None:
    guard = OwnVoice()
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
    guard = OwnVoice()
    feed(guard, 2.0, sounding=True)
    feed(guard, RECOGNITION_LAG - 0.1, sounding=False)
    assert not guard.accepts(Command.PAIN)
    feed(guard, 0.2, sounding=False)
    assert guard.accepts(Command.PAIN)


def said(meaning: Command, started: float, ended: float) -> HeardWord:
    return HeardWord(meaning, meaning.value, started=started, ended=ended)


def test_a_word_said_as_the_player_falls_quiet_acts_though_reported_late() -> None:
    guard = OwnVoice()
    feed(guard, 2.0, sounding=True)
    feed(guard, 0.76, sounding=False)  # the spotter reports at 2.76 s
    assert guard.accepts(said(Command.HARDER, 2.4, 2.7))
    assert not guard.accepts(Command.HARDER)  # judged by its report, it would not


def test_the_players_own_last_word_reported_late_never_acts() -> None:
    guard = OwnVoice()
    feed(guard, 2.0, sounding=True)  # "... or say pain." ends at 2.0 s
    feed(guard, 0.8, sounding=False)
    assert not guard.accepts(said(Command.PAIN, 1.6, 2.0))
    assert not guard.accepts(said(Command.PAIN, 1.8, 2.2))  # its echo's tail


def test_a_person_talking_into_the_echo_tail_can_stop_but_not_skip() -> None:
    guard = OwnVoice()
    feed(guard, 2.0, sounding=True)
    feed(guard, 0.1, sounding=False)
    feed(guard, 0.4, sounding=False, person=True)
    feed(guard, 0.5, sounding=False)
    assert guard.accepts(said(Command.STOP, 2.1, 2.5))
    assert not guard.accepts(said(Command.SKIP, 2.1, 2.5))


def test_a_person_heard_long_before_the_word_does_not_count_for_it() -> None:
    guard = OwnVoice()
    feed(guard, 0.3, sounding=True, person=True)
    feed(guard, 3.0, sounding=True)
    assert not guard.accepts(said(Command.STOP, 2.5, 2.9))


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


# ----------------------------------------- the own-voice verdict of each microphone block


def verdicts(own_voice: OwnVoice, mic: np.ndarray, played: np.ndarray) -> list[BlockVerdict]:
    """Each block through the echo canceller, then judged, as the listening thread does."""
    cleaning = EchoCancellingMicrophone(ScriptedMic(blocks_of(mic)), ScriptedSpeaker(played))
    out = []
    while (block := cleaning.read_block(0.1)) is not None:
        out.append(own_voice.hear(block.raw, block.cleaned, block.reference))
    return out


def blocks_of(x: np.ndarray) -> list[np.ndarray]:
    return [x[i : i + BLOCK] for i in range(0, len(x) - BLOCK + 1, BLOCK)]


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


def test_each_block_says_whether_the_player_was_sounding() -> None:
    played = np.concatenate([np.zeros(RATE, np.float32), speech_like(1.0, seed=4)])
    sounding = [v.player_sounding for v in verdicts(OwnVoice(), np.zeros_like(played), played)]
    assert sounding == [False] * 50 + [True] * 50


def test_a_person_is_heard_only_when_gate_and_level_check_agree() -> None:
    played = speech_like(10.0, seed=5)
    echo = simulate_room(played, RATE, attenuation_db=0.0)
    # In step for 6 s, then 150 ms late (as after an underrun the speaker did not see):
    # the canceller has to learn the room again and lets the echo through meanwhile.
    late = np.concatenate([np.zeros(int(0.15 * RATE), np.float32), echo])[: len(echo)]
    mic = np.concatenate([echo[: 6 * RATE], late[6 * RATE :]])

    class GateOnly:
        gate = SelfSpeechGate()

        def person(self, mic: np.ndarray, cleaned: np.ndarray, reference: np.ndarray) -> bool:
            self.gate.process(cleaned, reference)
            return self.gate.person_talking

    def talk_over_blocks(detector: TalkOverDetector) -> int:
        return sum(v.person_talking for v in verdicts(OwnVoice(detector), mic, played))

    assert talk_over_blocks(GateOnly()) > 0  # the gate alone is fooled ...
    assert talk_over_blocks(GateAndLevel()) <= 2  # ... the level check is not


def test_after_the_echo_a_voice_above_the_noise_is_a_person_and_the_tail_is_not() -> None:
    rng = np.random.default_rng(7)
    played = np.concatenate([speech_like(4.0, seed=6), np.zeros(3 * RATE, np.float32)])
    noise = (rng.standard_normal(len(played)) * 10 ** (-60 / 20)).astype(np.float32)
    mic = simulate_room(played, RATE) + noise
    person = speech_like(1.0, seed=8)
    mic[5 * RATE : 6 * RATE] += person
    heard = [v.person_talking for v in verdicts(OwnVoice(), mic, played)]
    assert sum(heard[200:215]) == 0  # the echo's tail, just after the player stops
    assert sum(heard[215:250]) == 0  # noise alone
    assert sum(heard[250:300]) >= 40  # the person, most of their second


# ------------------------------------------------------------- the listening thread


@dataclass
class Heard:
    """One 20 ms microphone block as the listening thread sees it."""

    sounding: bool = False
    person: bool = False
    backlog: float = 0.0


class FlaggedMic:
    """A cleaning microphone whose blocks the test describes; stops the thread at the end.
    The player sounds in a block when its reference is loud."""

    sample_rate = RATE
    alive = True

    def __init__(self, blocks: list[Heard], stop: threading.Event) -> None:
        self._blocks = blocks
        self._stop = stop
        self.backlog_seconds = 0.0
        self.persons: list[bool] = [b.person for b in blocks]

    def read_block(self, timeout: float) -> MicBlock | None:
        if not self._blocks:
            self._stop.set()
            return None
        block = self._blocks.pop(0)
        self.backlog_seconds = block.backlog
        quiet = np.zeros(BLOCK, np.float32)
        played = np.full(BLOCK, 0.1 if block.sounding else 0.0, np.float32)
        return MicBlock(quiet, quiet, played)

    def close(self) -> None:
        pass


class ScriptedTalkOver:
    """The talk-over detector's answers, block by block, as the test sets them."""

    def __init__(self, persons: list[bool]) -> None:
        self._persons = list(persons)

    def person(self, mic: np.ndarray, cleaned: np.ndarray, reference: np.ndarray) -> bool:
        return self._persons.pop(0) if self._persons else False


def listen(blocks: list[Heard], said: list[tuple[int, str]]) -> tuple[list[str], list[str]]:
    """(what reached the session, the notes shown) when `said` phrases end at those blocks."""
    inputs: queue.Queue[InputItem] = queue.Queue()
    notes: list[Notice] = []
    stop = threading.Event()
    mic = FlaggedMic(blocks, stop)
    recognizer = ScriptedRecognizer([(BLOCK * (at + 1), text) for at, text in said])
    listening = Listening(
        lambda: mic,
        lambda: CommandListener(recognizer, DEFAULT_VOCABULARY),
        inputs,
        notes.append,
        own_voice=OwnVoice(ScriptedTalkOver(mic.persons)),
    )
    listening.run(stop, mic)
    return [item.text for item in inputs.queue], [note.text for note in notes]


def test_its_own_pain_heard_late_is_ignored_though_it_has_stopped_talking_by_now() -> None:
    blocks = [Heard(sounding=True, backlog=4.0) for _ in range(150)]
    heard, _ = listen(blocks, [(100, "pain")])
    assert heard == []


def test_a_stop_said_in_silence_acts_though_the_player_talks_again_by_now() -> None:
    blocks = [Heard(sounding=False, backlog=4.0) for _ in range(150)]
    heard, _ = listen(blocks, [(100, "stop")])
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
