"""The player gives way when a person talks over it: silent at once, listening on a clean
signal, and the interrupted sentence said again from its start if no command comes."""

from __future__ import annotations

import numpy as np

from fakes.fake_speaker import FakeSpeaker
from voicecoach.config.settings import SpeechSettings
from voicecoach.player.voice_output import (
    DUCK_FACTOR,
    YIELD_AFTER_BLOCKS,
    YIELD_SECONDS,
    VoiceSpeech,
)
from voicecoach.session.events import Say
from voicecoach.speech.synth import SpeechCache

RATE = 16000
BLOCK_S = 0.02


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def three_seconds(text: str, speech: SpeechSettings) -> tuple[np.ndarray, int]:
    return np.full(3 * RATE, 0.1, np.float32), RATE


def player() -> tuple[VoiceSpeech, FakeSpeaker, Clock]:
    clock = Clock()
    speaker = FakeSpeaker(clock)
    cache = SpeechCache(SpeechSettings(), synth=three_seconds)
    return VoiceSpeech(speaker, cache, 0.8, clock=clock), speaker, clock


def blocks(voice: VoiceSpeech, clock: Clock, seconds: float, *, person: bool) -> list[int]:
    """Microphone blocks for `seconds`, the session loop polling between them."""
    done: list[int] = []
    for _ in range(round(seconds / BLOCK_S)):
        clock.t += BLOCK_S
        voice.heard_block(person)
        done += voice.finished()
    return done


def test_talking_over_a_sentence_cuts_it_and_says_it_again_from_its_start() -> None:
    voice, speaker, clock = player()
    voice.say(Say(4, "Slowly lift your right arm."))
    blocks(voice, clock, 1.0, person=False)
    done = blocks(voice, clock, BLOCK_S * YIELD_AFTER_BLOCKS, person=True)
    assert speaker.said[-1].cut and not speaker.is_speaking()  # silent within 40 ms
    done += blocks(voice, clock, 0.5, person=True)  # they keep talking: no command
    done += blocks(voice, clock, YIELD_SECONDS - 0.1, person=False)
    assert done == [] and len(speaker.said) == 1 and voice.busy()
    done += blocks(voice, clock, 0.2, person=False)
    assert [u.text for u in speaker.said] == ["Slowly lift your right arm."] * 2
    assert speaker.said[1].utterance_id == 4
    assert done == []  # the session waits for the sentence heard whole
    done += blocks(voice, clock, 3.1, person=False)
    assert done == [4] and voice.yields == 1


def test_a_command_while_the_player_gives_way_ends_the_sentence() -> None:
    voice, speaker, clock = player()
    voice.say(Say(7, "Breathe in."))
    blocks(voice, clock, 0.5, person=False)
    blocks(voice, clock, 0.3, person=True)
    voice.stop()  # the engine heard "stop"
    done = blocks(voice, clock, YIELD_SECONDS + 1.0, person=False)
    assert done == [7] and len(speaker.said) == 1 and not voice.busy()


def test_new_speech_from_the_engine_replaces_the_held_sentence() -> None:
    voice, speaker, clock = player()
    voice.say(Say(7, "Breathe in."))
    blocks(voice, clock, 0.3, person=True)
    paused = "Paused. Say continue when you are ready."
    voice.say(Say(8, paused))
    done = blocks(voice, clock, YIELD_SECONDS + 0.5, person=False)
    assert [u.text for u in speaker.said] == [
        "Breathe in.",
        "Paused. Say continue when you are ready.",
    ]
    assert done == [7]


def test_one_loud_block_alone_does_not_stop_the_player() -> None:
    voice, speaker, clock = player()
    voice.say(Say(1, "Hold it there."))
    blocks(voice, clock, 0.2, person=False)
    blocks(voice, clock, BLOCK_S, person=True)
    blocks(voice, clock, 0.2, person=False)
    assert not speaker.said[0].cut and speaker.is_speaking()


def test_over_a_count_word_the_player_only_turns_down_and_keeps_the_beat() -> None:
    voice, speaker, clock = player()
    voice.say(Say(9, "Three.", "count"))
    blocks(voice, clock, 0.2, person=True)
    assert speaker.is_speaking() and speaker.volume == 0.8 * DUCK_FACTOR
    blocks(voice, clock, 1.6, person=False)
    assert speaker.volume == 0.8
