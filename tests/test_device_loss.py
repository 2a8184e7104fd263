"""A device or the recogniser failing mid-session: the session goes on, the person is told."""

from __future__ import annotations

import queue
import threading

import numpy as np

from fakes.scripted_recognizer import ScriptedRecognizer
from voicecoach.audio.echo.canceller import MicBlock
from voicecoach.audio.failover import BACK, LOST, RETRY_SECONDS, FailoverSpeaker
from voicecoach.audio.speaker import PrintSpeaker
from voicecoach.errors import DeviceError, ModelError
from voicecoach.listening.listener import CommandListener
from voicecoach.player.listening import RECOGNISER_RESTARTS, Listening
from voicecoach.player.live_session import InputItem
from voicecoach.player.notices import MICROPHONE_BACK, MICROPHONE_LOST, Notice
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


class SilentMic:
    """A cleaning microphone giving `blocks` blocks of silence, then ending the thread."""

    sample_rate = 16000
    backlog_seconds = 0.0

    def __init__(self, blocks: int, stop: threading.Event, *, alive: bool = True) -> None:
        self._left = blocks
        self._stop = stop
        self.alive = alive

    def read_block(self, timeout: float) -> MicBlock | None:
        if self._left == 0:
            self._stop.set()
            return None
        self._left -= 1
        quiet = np.zeros(320, np.float32)
        return MicBlock(quiet, quiet, quiet)

    def close(self) -> None:
        pass


def listen_with(
    listeners: list[CommandListener], blocks: int
) -> tuple[queue.Queue[InputItem], list[Notice]]:
    """Run the listening loop over `blocks` blocks; each listener made comes from the list."""
    inputs: queue.Queue[InputItem] = queue.Queue()
    notes: list[Notice] = []
    stop = threading.Event()
    mic = SilentMic(blocks, stop)
    listening = Listening(lambda: mic, lambda: listeners.pop(0), inputs, notes.append)
    listening.run(stop, mic)
    return inputs, notes


def test_a_failing_recogniser_is_restarted_and_hears_again() -> None:
    broken = CommandListener(BrokenRecognizer(), DEFAULT_VOCABULARY)
    fresh = CommandListener(ScriptedRecognizer([(320 * 5, "stop")]), DEFAULT_VOCABULARY)
    inputs, notes = listen_with([broken, fresh], 20)
    assert [item.text for item in inputs.queue] == ["stop"]
    (note,) = notes
    assert note.text.startswith("Speech recognition failed (onnxruntime error); restarting it.")
    assert not note.spoken  # shown only: it is being put right


def test_a_recogniser_that_keeps_failing_turns_voice_off_with_a_note() -> None:
    listeners = [
        CommandListener(BrokenRecognizer(), DEFAULT_VOCABULARY)
        for _ in range(RECOGNISER_RESTARTS + 2)
    ]
    inputs, said = listen_with(listeners, 50)
    assert len(said) == RECOGNISER_RESTARTS + 1
    assert said[-1].text.startswith("Voice commands are off: speech recognition keeps failing")
    assert said[-1].spoken == "Voice commands are off. Use the keys."
    assert said[-1].voice is False
    assert inputs.empty()


def test_a_lost_microphone_is_reopened_and_the_person_told() -> None:
    inputs: queue.Queue[InputItem] = queue.Queue()
    notes: list[Notice] = []
    stop = threading.Event()
    lost = SilentMic(0, threading.Event(), alive=False)  # unplugged
    back = SilentMic(5, stop)
    offered: list[SilentMic | None] = [None, back]

    def reopen() -> SilentMic:
        mic = offered.pop(0)
        if mic is None:
            raise DeviceError("no microphone")
        return mic

    listener = CommandListener(ScriptedRecognizer([]), DEFAULT_VOCABULARY)
    listening = Listening(reopen, lambda: listener, inputs, notes.append, mic_retry_seconds=0.0)
    listening.run(stop, lost)
    assert notes == [MICROPHONE_LOST, MICROPHONE_BACK]
    assert offered == []


def test_voice_is_off_with_a_note_when_no_recogniser_can_be_made() -> None:
    notes: list[Notice] = []

    def no_model() -> CommandListener:
        raise ModelError("The speech model is missing.")

    stop = threading.Event()
    mic = SilentMic(5, stop)
    Listening(lambda: mic, no_model, queue.Queue(), notes.append).run(stop, mic)
    assert [n.text for n in notes] == [
        "Voice commands are off: The speech model is missing. Keys still work."
    ]
