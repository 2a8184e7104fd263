"""Speech out: play synthesised samples, cut them at once, and remember what was played.

`Speaker` is the boundary the player codes against; `SoundDeviceSpeaker` plays through a
sounddevice output stream, `PrintSpeaker` prints "Said: ..." when there is no speaker.

How a cut stays fast: the stream's callback copies the next block of the current
utterance (10 ms blocks); `stop()` drops the utterance, so the very next block is
silence. What still sounds after that is the device's own buffer (stream.latency,
asked for as 30 ms).

Echo reference: the callback also copies every block it outputs (speech or silence) into
a ring buffer, and notes the stream time at which the block will sound.
`played_reference(frames, captured_at)` hands out that signal at 16 kHz, for the
microphone block of `frames` samples whose first sample was captured at stream time
`captured_at` (input and output streams share PortAudio's clock): what was sounding
then, shifted 20 ms later so that timestamp error cannot put the reference after its
echo. While speech plays, consecutive calls give a continuous signal: the timestamps
jitter by several milliseconds, and following them moved the reference enough to undo
the canceller's learning (measured: 15 dB of echo reduction fell to 4-6 dB after a 5 ms
shift), so they are followed only in silence or after a jump of more than 40 ms.
Measured in the virtual room, where the timestamps are exact, the microphone then hears
the reference ~20 ms after the canceller gets it.
`echo_cancel.EchoCancellingMicrophone` does all this for the player.

Without `captured_at` (no timestamps), the stream is paced by the calls instead: call it
once per microphone block, right after reading the block; while nothing has been played
for a while each call re-aligns it to end one block before the newest sample written.
That pairing is only right if the block was fresh when speech started: a block that
waited in the microphone queue pairs with a reference that is too late by its wait, and
the canceller cannot follow (measured in the virtual room: ~100 ms of backlog made it
useless, while timed references gave 10-18 dB).
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

import numpy as np

from voicecoach.audio.devices import LIST_HINT, FloatArray, portaudio, resolve_device
from voicecoach.audio.resampling import lowpass_taps, resample
from voicecoach.audio.stream_health import StreamHealth
from voicecoach.audio.utterance_timer import UtteranceTimer
from voicecoach.config.settings import AudioSettings, SpeechSettings
from voicecoach.errors import DeviceError

REFERENCE_RATE = 16000
BLOCK_SECONDS = 0.01
RESYNC_SECONDS = 0.05
TIMED_LEAD_SECONDS = 0.02
TIMED_JUMP_SECONDS = 0.04
OUTPUT_LATENCY = 0.03
"""Output buffer: a cut is heard within this plus one block. Measured in the virtual
room: the last sound 46-49 ms after stop() at 30 ms, 57-62 ms at PortAudio's default
(40 ms there); 20 ms also ran without underruns there but leaves less slack on a busy
machine."""
# How far back what was played is kept for the echo canceller: longer than the
# microphone's queue (microphone.QUEUE_SECONDS), so a listener that a busy computer has
# left seconds behind still gets the reference that matches the block it is reading.
REFERENCE_SECONDS = 12.0


class Speaker(Protocol):
    def say(self, utterance_id: int, samples: np.ndarray, sample_rate: int, text: str = "") -> None:
        """Start playing now; whatever was playing is cut (and reported finished)."""

    def stop(self) -> None:
        """Cut the speech (silence within 50 ms)."""

    def finished(self) -> list[int]:
        """Utterance ids that finished (or were cut) since the last call."""

    def is_speaking(self) -> bool: ...

    def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
        """The next `frames` samples (16 kHz) of what the speaker played, in step with the
        microphone, for the echo canceller; `captured_at` is the stream time at which the
        microphone block's first sample was captured, when known."""

    def set_volume(self, volume: float) -> None:
        """0.0-1.0; applies to the utterance playing now too."""

    def close(self) -> None: ...


class OutputStreamLike(Protocol):
    """The part of sounddevice.OutputStream the speaker uses (a fake in tests)."""

    @property
    def latency(self) -> Any: ...
    @property
    def active(self) -> bool: ...
    @property
    def time(self) -> float: ...
    def start(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


StreamFactory = Callable[..., OutputStreamLike]


class SoundDeviceSpeaker:
    def __init__(
        self,
        device: int | None = None,
        samplerate: int = 48000,
        volume: float = 0.9,
        stream_factory: StreamFactory | None = None,
        reference_seconds: float = REFERENCE_SECONDS,
        latency: float | None = OUTPUT_LATENCY,
    ) -> None:
        """`latency` is the output buffer in seconds (None: PortAudio's default)."""
        self.samplerate = samplerate
        self._volume = float(np.clip(volume, 0.0, 1.0))
        self._lock = threading.Lock()
        self._buffer: FloatArray | None = None
        self._pos = 0
        self._utterance = -1
        self._cut: list[int] = []
        self._ending: list[tuple[int, float]] = []  # (id, stream time its last sample sounds)
        self._ring = np.zeros(int(reference_seconds * samplerate), dtype=np.float32)
        self._written = 0  # device samples ever written into the ring
        self._ref_next: float | None = None  # next reference sample, in device samples
        self._sounded_until = 0  # ring index after the last non-silent sample
        self._clock_anchor: tuple[int, float] | None = None
        self._taps = lowpass_taps(0.45 * REFERENCE_RATE / samplerate)
        self._closed = False
        self.health = StreamHealth()
        """PortAudio's underflows (the card ran out of samples: a gap in the speech)."""
        factory = stream_factory or portaudio().OutputStream
        self._stream = factory(
            samplerate=samplerate,
            blocksize=max(1, round(samplerate * BLOCK_SECONDS)),
            channels=1,
            dtype="float32",
            device=device,
            callback=self._callback,
            **({} if latency is None else {"latency": latency}),
        )
        self.latency = _seconds(self._stream.latency)
        self._stream.start()

    # ------------------------------------------------------------ Speaker

    def say(self, utterance_id: int, samples: np.ndarray, sample_rate: int, text: str = "") -> None:
        audio = np.ascontiguousarray(resample(samples, sample_rate, self.samplerate))
        with self._lock:
            if self._buffer is not None:
                self._cut.append(self._utterance)
            self._buffer, self._pos, self._utterance = audio, 0, utterance_id

    def stop(self) -> None:
        with self._lock:
            if self._buffer is not None:
                self._cut.append(self._utterance)
            self._buffer = None
            # Tails already handed to the device still sound for one latency; the
            # person asked for quiet, so report them done now.
            self._cut.extend(uid for uid, _ in self._ending)
            self._ending.clear()

    def finished(self) -> list[int]:
        lost = self._closed or not self._stream.active
        now = math.inf if lost else self._stream_time()
        with self._lock:
            if lost and self._buffer is not None:
                # A lost device never plays the rest; nobody should wait for it.
                self._cut.append(self._utterance)
                self._buffer = None
            done = self._cut + [uid for uid, at in self._ending if at <= now]
            self._ending = [(uid, at) for uid, at in self._ending if at > now]
            self._cut = []
        return done

    def is_speaking(self) -> bool:
        with self._lock:
            return self._buffer is not None or bool(self._ending)

    def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
        ratio = self.samplerate / REFERENCE_RATE
        half = len(self._taps) // 2
        written = self._written
        span = frames * ratio
        start = self._ref_next
        timed = self._sample_sounding_at(captured_at) if captured_at is not None else None
        if timed is not None:
            # What was sounding when the microphone captured the block, taken 20 ms
            # later so that timestamp error cannot put the reference after its echo (it
            # must reach the canceller first).
            wanted = timed + TIMED_LEAD_SECONDS * self.samplerate
            if (
                start is None
                # Silence from here on either way: follow the timestamps freely.
                or self._sounded_until <= min(start, wanted) - half
                # During speech, keep the reference continuous (a shift of even 5 ms
                # undoes the canceller's learning); follow only a real jump, such as
                # blocks lost from an overflowing queue.
                or abs(start - wanted) > TIMED_JUMP_SECONDS * self.samplerate
            ):
                start = wanted
        else:
            # No time: end one block before the newest sample written (slack for
            # callback timing). That sample sounds one output latency from now and
            # reaches the microphone later still, so the reference leads its echo.
            aligned = max(0.0, written - BLOCK_SECONDS * self.samplerate - span - half - 2)
            if (
                start is None
                # Silence from here on either way: re-aligning costs nothing, and keeps
                # the pairing with the microphone fresh for when speech starts.
                or self._sounded_until <= min(start, aligned) - half
                or start + span > written + RESYNC_SECONDS * self.samplerate  # far ahead
            ):
                start = aligned
        if start - half - 1 < written - len(self._ring):  # older than the ring holds
            start = max(start, float(written - len(self._ring) + half + 1))
        self._ref_next = start + span
        first = max(0, math.floor(start) - half - 1)
        last = min(written, math.ceil(start + span) + half + 2)
        chunk = self._read_ring(first, last)
        if len(chunk) <= len(self._taps):  # hardly anything played yet
            return np.zeros(frames, dtype=np.float32)
        filtered = np.convolve(chunk, self._taps, mode="same")
        positions = start + np.arange(frames) * ratio - first
        out: FloatArray = np.interp(
            positions, np.arange(len(filtered)), filtered, left=0.0, right=0.0
        ).astype(np.float32)
        return out

    def set_volume(self, volume: float) -> None:
        self._volume = float(np.clip(volume, 0.0, 1.0))

    @property
    def volume(self) -> float:
        return self._volume

    @property
    def alive(self) -> bool:
        """False once the output device is lost (callbacks stopped)."""
        return not self._closed and bool(self._stream.active)

    def close(self) -> None:
        if self._closed:
            return
        self.stop()
        self._closed = True
        try:
            self._stream.abort()
            self._stream.close()
        except Exception as error:  # closing a lost device may fail any way; nothing to do
            print(f"voicecoach: closing the speaker: {error}", file=sys.stderr)

    # ------------------------------------------------------------ audio thread

    def _callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        out = outdata[:, 0]
        n = 0
        self.health.count(status)
        with self._lock:
            buffer = self._buffer
            if buffer is not None:
                pos = self._pos
                n = min(frames, len(buffer) - pos)
                np.multiply(buffer[pos : pos + n], self._volume, out=out[:n])
                self._pos = pos + n
                if n > 0:
                    self._sounded_until = self._written + n
                if self._pos >= len(buffer):
                    self._ending.append(
                        (self._utterance, _sounds_at(time_info, n, self.samplerate))
                    )
                    self._buffer = None
        out[n:] = 0.0
        dac = float(getattr(time_info, "outputBufferDacTime", 0.0) or 0.0)
        if dac > 0.0:
            # Newest (ring index, stream time it sounds) pair, for timed references.
            self._clock_anchor = (self._written, dac)
        self._write_ring(out)

    def _write_ring(self, block: FloatArray) -> None:
        size = len(self._ring)
        at = self._written % size
        first = min(len(block), size - at)
        self._ring[at : at + first] = block[:first]
        if first < len(block):
            self._ring[: len(block) - first] = block[first:]
        self._written += len(block)

    def _sample_sounding_at(self, when: float) -> float | None:
        """The ring index of the sample the speaker played at stream time `when`."""
        anchor = self._clock_anchor  # one tuple: read whole, never torn
        if anchor is None:
            return None
        index, sounds_at = anchor
        return index + (when - sounds_at) * self.samplerate

    def _read_ring(self, first: int, last: int) -> FloatArray:
        """Device samples [first, last) as absolute indices; zeros where never written."""
        size = len(self._ring)
        out = np.zeros(max(0, last - first), dtype=np.float32)
        lo = max(first, self._written - size, 0)
        hi = min(last, self._written)
        i = lo
        while i < hi:  # at most two slices: up to the ring's end, then from its start
            j = min(hi, (i // size + 1) * size)
            out[i - first : j - first] = self._ring[i % size : i % size + (j - i)]
            i = j
        return out

    def _stream_time(self) -> float:
        try:
            return float(self._stream.time)
        except Exception:  # a closing stream may refuse; treat all as done
            return math.inf


def _sounds_at(time_info: Any, frames: int, samplerate: int) -> float:
    """Stream time at which the last of `frames` samples of this block is heard."""
    dac = float(getattr(time_info, "outputBufferDacTime", 0.0) or 0.0)
    now = float(getattr(time_info, "currentTime", 0.0) or 0.0)
    if dac <= 0.0 or (now > 0.0 and dac - now > 2.0):
        return now  # no usable device clock: report at once
    return dac + frames / samplerate


def _seconds(latency: Any) -> float:
    if isinstance(latency, (tuple, list)):
        latency = latency[-1]
    try:
        return float(latency)
    except (TypeError, ValueError):  # a fake without latency: no lag
        return 0.0


class PrintSpeaker:
    """No speaker: prints "Said: text" and keeps time as if it had spoken. With
    `echo=False` it only keeps time (a display already shows each sentence)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        echo: bool = True,
    ) -> None:
        self._stream = stream
        self._echo = echo
        self._timer = UtteranceTimer(clock)
        self._volume = 1.0

    def say(self, utterance_id: int, samples: np.ndarray, sample_rate: int, text: str = "") -> None:
        if self._echo:
            print(f"Said: {text}", file=self._stream or sys.stdout, flush=True)
        self._timer.start(utterance_id, len(samples) / sample_rate if sample_rate > 0 else 0.0)

    def stop(self) -> None:
        self._timer.stop()

    def finished(self) -> list[int]:
        return self._timer.finished()

    def is_speaking(self) -> bool:
        return self._timer.busy()

    def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
        return np.zeros(frames, dtype=np.float32)

    def set_volume(self, volume: float) -> None:
        self._volume = float(np.clip(volume, 0.0, 1.0))

    def close(self) -> None:
        self.stop()


def open_speaker(
    audio: AudioSettings, speech: SpeechSettings, note: TextIO | None = None, *, echo: bool = True
) -> Speaker:
    """The configured speaker; PrintSpeaker, with a note on stderr, when there is none
    (`echo=False`: it does not print the sentences itself, a display does).

    A named speaker that is missing falls back to the default one (with a note): a
    session should still talk even if yesterday's headset is unplugged.
    """
    err = note or sys.stderr
    try:
        sd = portaudio()
        device = _pick_output(audio.output_device, err)
        rate = int(sd.query_devices(device, "output")["default_samplerate"])
        return SoundDeviceSpeaker(device=device, samplerate=rate, volume=speech.volume)
    except DeviceError as error:
        why = str(error).splitlines()[0]
    except Exception as error:  # PortAudio raises its own error types; any failure means no speaker
        why = f"the speaker could not be opened ({error})"
    print(
        f"voicecoach: {why}\nvoicecoach: speech will be printed as text instead. "
        f"Fix: connect a speaker, then run `voicecoach check` ({LIST_HINT}).",
        file=err,
    )
    speaker = PrintSpeaker(echo=echo)
    speaker.set_volume(speech.volume)
    return speaker


def _pick_output(wanted: str | None, err: TextIO) -> int:
    if wanted is None:
        return resolve_device(None, "output")
    try:
        return resolve_device(wanted, "output")
    except DeviceError as error:
        default = resolve_device(None, "output")
        print(
            f"voicecoach: {str(error).splitlines()[0]}\n"
            f"voicecoach: using the default speaker instead.",
            file=err,
        )
        return default
