"""A device or the recogniser failing mid-session: the session goes on, the person is told."""

from __future__ import annotations

import queue

import numpy as np
import pytest

from fakes.scripted_recognizer import ScriptedRecognizer
from voicecoach.audio.failover import BACK, LOST, RETRY_SECONDS, FailoverSpeaker
from voicecoach.audio.speaker import PrintSpeaker
from voicecoach.config.settings import Settings
from voicecoach.listening.listener import CommandListener
from voicecoach.player.live_session import InputItem
from voicecoach.player.notices import Notice
from voicecoach.player.voice_player import RECOGNISER_RESTARTS, Listening
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY

ONE_SECOND = np.zeros(16000, np.float32)


class FakeDevice:
    """A speaker whose device can be pulled out."""

    def __init__(self) -> None:
        self.alive = True
        self.said: list[str] = []
        self.volume = 1.0
        self.closed = False
        self._done: list[int] = []

    def say(self, utterance_id: int, samples: np.ndarray, sample_rate: int, text: str = "") -> None:
        self.said.append(text)
        self._done.append(utterance_id)

    def stop(self) -> None:
        pass

    def finished(self) -> list[int]:
        done, self._done = self._done, []
        return done

    def is_speaking(self) -> bool:
        return False

    def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
        return np.ones(frames, np.float32)

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def close(self) -> None:
        self.closed = True


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_a_lost_speaker_is_reported_and_the_session_keeps_its_time() -> None:
    first, notes, clock = FakeDevice(), [], Clock()
    speaker = FailoverSpeaker(first, lambda: None, notes.append, clock=clock)
    speaker.say(1, ONE_SECOND, 16000, "Hold.")
    first.alive = False
    speaker.say(2, ONE_SECOND, 16000, "Two.")
    assert first.said == ["Hold."] and first.closed
    assert notes == [LOST]
    assert isinstance(speaker.current, PrintSpeaker)
    assert speaker.is_speaking()  # "Two." takes its time, as if it were heard
    assert 1 in speaker.finished()
    assert not speaker.played_reference(160).any()  # nothing plays: no echo to cancel


def test_the_speaker_is_tried_again_and_comes_back_at_the_persons_volume() -> None:
    first, again, notes, clock = FakeDevice(), FakeDevice(), [], Clock()
    offered: list[FakeDevice | None] = [None, again]
    speaker = FailoverSpeaker(first, lambda: offered.pop(0), notes.append, clock=clock)
    speaker.set_volume(0.4)
    first.alive = False
    speaker.say(1, ONE_SECOND, 16000, "One.")
    clock.t = RETRY_SECONDS - 0.1
    speaker.say(2, ONE_SECOND, 16000, "Two.")
    assert offered == [None, again]  # not tried again yet
    clock.t = RETRY_SECONDS
    speaker.say(3, ONE_SECOND, 16000, "Three.")  # tried: still none
    clock.t = 2 * RETRY_SECONDS
    speaker.say(4, ONE_SECOND, 16000, "Four.")
    assert again.said == ["Four."] and again.volume == 0.4
    assert notes == [LOST, BACK]


# ------------------------------------------------------------ a failing recogniser


class BrokenRecognizer(ScriptedRecognizer):
    def accept(self, samples: np.ndarray) -> list:  # type: ignore[type-arg, override]
        raise RuntimeError("onnxruntime error")


class OneBlockMic:
    sample_rate = 16000
    alive = True

    def __init__(self, blocks: int, listening: Listening) -> None:
        self._left = blocks
        self._listening = listening

    def read(self, timeout: float) -> np.ndarray | None:
        if self._left == 0:
            self._listening.stop()
            return None
        self._left -= 1
        return np.zeros(320, np.float32)

    def close(self) -> None:
        pass


class QuietOutput:
    def busy(self) -> bool:
        return False

    def duck(self) -> None:
        pass

    def unduck(self) -> None:
        pass


def _listening() -> tuple[Listening, queue.Queue[InputItem], queue.Queue[Notice]]:
    inputs: queue.Queue[InputItem] = queue.Queue()
    notes: queue.Queue[Notice] = queue.Queue()
    listening = Listening(Settings(), QuietOutput(), inputs, notes)  # type: ignore[arg-type]
    return listening, inputs, notes


def test_a_failing_recogniser_is_restarted_and_hears_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listening, inputs, notes = _listening()
    fresh = ScriptedRecognizer([(320 * 5, "stop")])
    monkeypatch.setattr(
        listening, "_new_listener", lambda: CommandListener(fresh, DEFAULT_VOCABULARY)
    )
    broken = CommandListener(BrokenRecognizer(), DEFAULT_VOCABULARY)
    listening._run(OneBlockMic(20, listening), broken)  # type: ignore[arg-type]
    assert [item.text for item in inputs.queue] == ["stop"]
    (note,) = notes.queue
    assert note.text.startswith("Speech recognition failed (onnxruntime error); restarting it.")
    assert not note.spoken  # shown only: it is being put right


def test_a_recogniser_that_keeps_failing_turns_voice_off_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listening, inputs, notes = _listening()
    monkeypatch.setattr(
        listening,
        "_new_listener",
        lambda: CommandListener(BrokenRecognizer(), DEFAULT_VOCABULARY),
    )
    broken = CommandListener(BrokenRecognizer(), DEFAULT_VOCABULARY)
    listening._run(OneBlockMic(50, listening), broken)  # type: ignore[arg-type]
    said = list(notes.queue)
    assert len(said) == RECOGNISER_RESTARTS + 1
    assert said[-1].text.startswith("Voice commands are off: speech recognition keeps failing")
    assert said[-1].spoken == "Voice commands are off. Use the keys."
    assert said[-1].voice is False
    assert inputs.empty()
