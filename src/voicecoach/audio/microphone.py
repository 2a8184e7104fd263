"""Sound in: 16 kHz mono float32 blocks from the microphone.

The stream's callback only copies the block (with its capture time) onto a queue and
counts PortAudio's overflow flags (stream_health.py);
everything else (echo cancelling, recognising) happens in the reader's thread. A
microphone that will not open at 16 kHz is opened at its own rate and converted while
reading.

If the device disappears PortAudio raises nothing: callbacks just stop and the stream
turns inactive. `alive` reports that, so the player can switch to keyboard mode.
"""

from __future__ import annotations

import queue
import sys
from collections.abc import Callable
from typing import Any, Protocol, TextIO

import numpy as np

from voicecoach.audio.devices import LIST_HINT, FloatArray, portaudio, resolve_device
from voicecoach.audio.resampling import RateConverter
from voicecoach.audio.stream_health import StreamHealth
from voicecoach.config.settings import AudioSettings
from voicecoach.errors import DeviceError

RATE = 16000
BLOCK_SECONDS = 0.02
QUEUE_SECONDS = 10.0


class Microphone(Protocol):
    sample_rate: int

    def read(self, timeout: float) -> np.ndarray | None:
        """The next float32 mono block, or None when none came within `timeout` s."""

    def close(self) -> None: ...

    @property
    def alive(self) -> bool:
        """False once the device is lost."""


class InputStreamLike(Protocol):
    """The part of sounddevice.InputStream the microphone uses (a fake in tests)."""

    @property
    def active(self) -> bool: ...
    def start(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


StreamFactory = Callable[..., InputStreamLike]


class SoundDeviceMicrophone:
    sample_rate = RATE

    def __init__(
        self,
        device: int | None = None,
        stream_factory: StreamFactory | None = None,
        device_rate: int = RATE,
    ) -> None:
        """`device_rate` is the rate the device is opened at (16 kHz unless it refuses)."""
        self.device_rate = device_rate
        blocks = int(QUEUE_SECONDS / BLOCK_SECONDS)
        self._queue: queue.Queue[tuple[FloatArray, float]] = queue.Queue(maxsize=blocks)
        self._converter = RateConverter(device_rate, RATE) if device_rate != RATE else None
        self._closed = False
        self.health = StreamHealth()
        """PortAudio's overflows and the blocks lost because nobody read for QUEUE_SECONDS."""
        self.last_capture_time: float | None = None
        """Stream time (PortAudio's clock, shared with the speaker) at which the first
        sample of the block last returned by read() was captured; None if unknown."""
        factory = stream_factory or portaudio().InputStream
        self._stream = factory(
            samplerate=device_rate,
            blocksize=round(device_rate * BLOCK_SECONDS),
            channels=1,
            dtype="float32",
            device=device,
            callback=self._callback,
        )
        self._stream.start()

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        # The capture time travels with the block, for lining up the echo reference.
        captured = getattr(time_info, "inputBufferAdcTime", 0.0)
        self.health.count(status)
        try:
            self._queue.put_nowait((indata[:, 0].copy(), captured))
        except queue.Full:  # the reader stalled; dropping the newest keeps the callback quick
            self.health.dropped_blocks += 1

    @property
    def backlog_seconds(self) -> float:
        """How much captured audio is waiting to be read."""
        return self._queue.qsize() * BLOCK_SECONDS

    def read(self, timeout: float) -> np.ndarray | None:
        try:
            block, captured = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        self.last_capture_time = float(captured) if captured else None
        if self._converter is not None:
            block = self._converter.process(block)
        return block

    @property
    def alive(self) -> bool:
        if self._closed:
            return False
        try:
            return bool(self._stream.active)
        except Exception:  # a stream whose device vanished may fail to report at all
            return False

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._stream.abort()
            self._stream.close()
        except Exception as error:  # closing a lost device may fail any way; nothing to do
            print(f"voicecoach: closing the microphone: {error}", file=sys.stderr)


def open_microphone(audio: AudioSettings, note: TextIO | None = None) -> Microphone:
    """The configured microphone, or DeviceError (why + fix) when there is none.

    A named microphone that is missing falls back to the default one, with a note.
    """
    err = note or sys.stderr
    sd = portaudio()
    try:
        device = resolve_device(audio.input_device, "input")
    except DeviceError as error:
        if audio.input_device is None:
            raise
        device = resolve_device(None, "input")
        print(
            f"voicecoach: {str(error).splitlines()[0]}\n"
            "voicecoach: using the default microphone instead.",
            file=err,
        )
    try:
        return SoundDeviceMicrophone(device=device)
    except sd.PortAudioError as first:  # often: the device does not do 16 kHz itself
        rate = int(sd.query_devices(device, "input")["default_samplerate"])
        try:
            return SoundDeviceMicrophone(device=device, device_rate=rate)
        except sd.PortAudioError as error:
            raise DeviceError(
                f"the microphone could not be opened ({first}; at {rate} Hz: {error}). "
                f"Fix: close other programs using it, or pick another with --device "
                f"({LIST_HINT})."
            ) from error
