"""Removing the player's own voice from what the microphone hears.

The player owns the samples it plays, so the echo canceller gets the exact reference
(`Speaker.played_reference`) and subtracts its adaptive estimate of how that sound
reaches the microphone: the speex echo canceller (MDF), through the `pyaec` wheel.

Speex's "preprocess" stage (noise and residual-echo suppression) is left off: measured on
the human "stop" clips mixed over echoed speech, it cut the person's voice to about a
tenth of its amplitude along with the echo. The linear canceller alone leaves the
person's voice at ~0.9 of its amplitude. `SelfSpeechGate` is the optional, gentler second
stage: it quietens what is left while the player speaks, unless something much louder
than the expected residual arrives (a person saying "stop" over the speech).

`EchoCancellingMicrophone` puts it together for the player: a Microphone whose blocks
come out cleaned, each with the raw block and the reference beside it for the own-voice
decision (voicecoach.listening.own_voice). `simulate_room` makes a plausible microphone
signal from a played one (delay, level, reverberant tail), for tests and `eval-self`.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

import numpy as np
import numpy.typing as npt

from voicecoach.audio.levels import rms

FloatArray = npt.NDArray[np.float32]
_INT16 = ctypes.POINTER(ctypes.c_int16)


class EchoCanceller:
    def __init__(self, sample_rate: int = 16000, frame: int = 160, filter_ms: int = 200) -> None:
        import pyaec

        self.sample_rate = sample_rate
        self.frame = frame
        self._aec: Any = pyaec.Aec(frame, sample_rate * filter_ms // 1000, sample_rate, False)
        # pyaec's public cancel_echo() converts through Python lists; when its ctypes
        # handle is reachable we pass numpy buffers directly (same C call).
        self._lib = getattr(pyaec, "lib", None)
        self._handle = getattr(self._aec, "_aec", None)
        self._framer = _Framer(frame)
        self._frame_out = np.zeros(frame, dtype=np.int16)

    def process(self, mic: npt.ArrayLike, reference: npt.ArrayLike) -> FloatArray:
        """The microphone block with the echo of `reference` removed (same length).

        Blocks of any length are accepted; when they are not whole frames the output
        runs up to one frame (10 ms) behind, a fixed delay from then on.
        """
        m = np.asarray(mic, dtype=np.float32).reshape(-1)
        r = np.asarray(reference, dtype=np.float32).reshape(-1)
        if len(m) != len(r):
            raise ValueError(f"mic block has {len(m)} samples, reference {len(r)}")
        return self._framer.run(m, r, self._cancel)

    def _cancel(self, mic_frame: FloatArray, ref_frame: FloatArray) -> FloatArray:
        mic, ref = _to_int16(mic_frame), _to_int16(ref_frame)
        if self._lib is not None and self._handle is not None:
            self._lib.AecCancelEcho(
                self._handle,
                mic.ctypes.data_as(_INT16),
                ref.ctypes.data_as(_INT16),
                self._frame_out.ctypes.data_as(_INT16),
                self.frame,
            )
            out = self._frame_out
        else:
            out = np.asarray(self._aec.cancel_echo(mic.tolist(), ref.tolist()), dtype=np.int16)
        result: FloatArray = out.astype(np.float32) / 32768.0
        return result


def _to_int16(x: FloatArray) -> npt.NDArray[np.int16]:
    return np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)


class _Framer:
    """Cuts two equal streams into whole frames for `work(a, b)` and hands the results
    back in blocks as long as the input. Blocks that are whole frames pass with no delay;
    otherwise the output settles, at the first short block, one frame minus a sample
    behind, and stays there."""

    def __init__(self, frame: int) -> None:
        self.frame = frame
        self._a = np.zeros(0, dtype=np.float32)
        self._b = np.zeros(0, dtype=np.float32)
        self._out = np.zeros(0, dtype=np.float32)
        self.delay = 0

    def run(
        self, a: FloatArray, b: FloatArray, work: Callable[[FloatArray, FloatArray], FloatArray]
    ) -> FloatArray:
        self._a = np.concatenate([self._a, a])
        self._b = np.concatenate([self._b, b])
        whole = len(self._a) // self.frame * self.frame
        done = [
            work(self._a[i : i + self.frame], self._b[i : i + self.frame])
            for i in range(0, whole, self.frame)
        ]
        self._a, self._b = self._a[whole:], self._b[whole:]
        if done:
            self._out = np.concatenate([self._out, *done])
        short = len(a) - len(self._out)
        if short > 0:
            pad = max(short, self.frame - 1 - self.delay)
            self._out = np.concatenate([np.zeros(pad, dtype=np.float32), self._out])
            self.delay += pad
        result, self._out = self._out[: len(a)], self._out[len(a) :]
        return result


def simulate_room(
    reference: npt.ArrayLike,
    sample_rate: int,
    delay_ms: float = 30,
    attenuation_db: float = 12,
    reverb: float = 0.3,
    seed: int = 0,
) -> FloatArray:
    """What a microphone in a small room hears of `reference` played by the speaker.

    The room's impulse response is a direct path after `delay_ms` plus a diffuse tail
    (decaying noise, reverberation time `reverb` seconds, RT60; 0 for none) holding half
    the direct energy; the whole response is scaled to `attenuation_db` below the
    played level. Same length as `reference`.
    """
    x = np.asarray(reference, dtype=np.float32).reshape(-1)
    rng = np.random.default_rng(seed)
    delay = round(delay_ms * sample_rate / 1000)
    length = delay + max(1, int((reverb if reverb > 0 else 0.0) * sample_rate))
    response = np.zeros(length, dtype=np.float64)
    response[delay] = 1.0
    if reverb > 0:
        t = np.arange(length) / sample_rate
        tail = rng.standard_normal(length) * np.exp(-6.9 * t / reverb)  # -60 dB at `reverb`
        tail[: delay + int(0.001 * sample_rate)] = 0.0
        response += tail * np.sqrt(0.5 / np.sum(np.square(tail)))
    response *= 10 ** (-attenuation_db / 20) / np.sqrt(np.sum(np.square(response)))
    heard: FloatArray = np.convolve(x, response)[: len(x)].astype(np.float32)
    return heard


class SelfSpeechGate:
    """Quietens the canceller's output while the player speaks, except for sounds much
    louder than the echo left over (a person speaking over the player).

    It learns how much residual echo to expect per unit of reference level: the 90th
    percentile of residual/reference, in dB, over the last `history_s` seconds of
    speech, leaving out frames it let through as louder sounds. It passes a frame whose
    residual is `margin_db` above that; once open it stays open for `hold_ms`, so words
    keep their beginnings and ends. With no reference playing, everything passes.
    """

    def __init__(
        self,
        sample_rate: int = 16000,
        frame: int = 160,
        margin_db: float = 10.0,
        attenuation_db: float = 30.0,
        hold_ms: float = 300.0,
        reference_floor_db: float = -55.0,
        echo_ms: float = 200.0,
        history_s: float = 3.0,
    ) -> None:
        self.frame = frame
        self._margin_db = margin_db
        self._quiet = 10 ** (-attenuation_db / 20)
        self._hold = int(hold_ms * sample_rate / 1000 / frame)
        self._floor = 10 ** (reference_floor_db / 20)
        # The echo of a frame lasts up to the room's tail: judge the reference over that span.
        self._recent = np.zeros(max(1, int(echo_ms * sample_rate / 1000 / frame)))
        self._history = np.zeros(int(history_s * sample_rate / frame))
        self._history_count = 0
        self._min_history = len(self._history) // 6  # learn for a moment before gating
        self._open_for = 0
        self._framer = _Framer(frame)
        self._frames = 0
        self._threshold = 0.0  # the 90th percentile of the history, refreshed every 10 frames
        self.person_talking = False
        """True while a sound much louder than the expected echo is heard over the player."""
        self.echo_expected = False
        """True while the player's echo may be in the signal (it played within `echo_ms`):
        only then does `person_talking` mean anything."""

    def process(self, residual: npt.ArrayLike, reference: npt.ArrayLike) -> FloatArray:
        """Same length as `residual`; same framing and fixed delay as EchoCanceller."""
        res = np.asarray(residual, dtype=np.float32).reshape(-1)
        ref = np.asarray(reference, dtype=np.float32).reshape(-1)
        return self._framer.run(res, ref, self._frame)

    def _frame(self, block: FloatArray, reference_frame: FloatArray) -> FloatArray:
        self._recent[self._frames % len(self._recent)] = rms(reference_frame)
        self._frames += 1
        reference = float(self._recent.max())
        self.echo_expected = reference >= self._floor
        if not self.echo_expected:
            self._open_for = 0
            self.person_talking = False
            return block
        level_db = 20 * float(np.log10(max(rms(block), 1e-9) / reference))
        known = self._history[: min(self._history_count, len(self._history))]
        if len(known) >= self._min_history and (
            self._frames % 10 == 0 or len(known) == self._min_history
        ):
            self._threshold = float(np.percentile(known, 90)) + self._margin_db
        if len(known) < self._min_history:
            self._open_for = 1  # still learning what the echo sounds like: pass
        elif level_db > self._threshold:
            self._open_for = self._hold  # someone else is making sound: let it through
            self.person_talking = True
        if self._open_for <= 1:
            self._history[self._history_count % len(self._history)] = level_db
            self._history_count += 1
        if self._open_for > 0:
            self._open_for -= 1
            return block
        self.person_talking = False
        quiet: FloatArray = block * np.float32(self._quiet)
        return quiet


class _Microphone(Protocol):
    sample_rate: int

    def read(self, timeout: float) -> np.ndarray | None: ...
    def close(self) -> None: ...
    @property
    def alive(self) -> bool: ...


class _Reference(Protocol):
    def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray: ...


@dataclass(frozen=True)
class MicBlock:
    """One microphone block as the listening loop judges it."""

    raw: FloatArray
    """What the microphone heard."""
    cleaned: FloatArray
    """The same with the player's echo cancelled (the raw block when cancelling is off)."""
    reference: FloatArray
    """What the speaker was playing when the block was captured (same length)."""


class EchoCancellingMicrophone:
    """A Microphone whose blocks have the player's own speech taken out.

    Wraps the real microphone and the speaker: each block read is paired with what the
    speaker was playing when the block was captured (`Speaker.played_reference` with the
    microphone's `last_capture_time`), then cleaned by the canceller. `read_block` gives
    all three (raw, cleaned, reference) for the own-voice decision
    (voicecoach.listening.own_voice), which also runs the talk-over detectors. Without
    pyaec it passes blocks through unchanged and says so once on stderr.
    """

    def __init__(
        self,
        microphone: _Microphone,
        speaker: _Reference,
        canceller: EchoCanceller | None = None,
        note: TextIO | None = None,
    ) -> None:
        self.sample_rate = microphone.sample_rate
        self._mic = microphone
        self._speaker = speaker
        if canceller is None:
            try:
                canceller = EchoCanceller(sample_rate=microphone.sample_rate)
            except ImportError:  # pyaec missing: commands still work, less well over speech
                print(
                    "voicecoach: echo cancelling is off (the pyaec package is missing), so "
                    "commands may be missed while the coach is talking. "
                    "Fix: pip install pyaec",
                    file=note or sys.stderr,
                )
        self._canceller = canceller

    def read_block(self, timeout: float) -> MicBlock | None:
        """The next block with its cleaned version and reference; None when none came."""
        block = self._mic.read(timeout)
        if block is None:
            return None
        raw = np.asarray(block, dtype=np.float32).reshape(-1)
        captured = getattr(self._mic, "last_capture_time", None)
        reference = np.asarray(
            self._speaker.played_reference(len(raw), captured_at=captured), dtype=np.float32
        )
        cleaned = raw if self._canceller is None else self._canceller.process(raw, reference)
        return MicBlock(raw, cleaned, reference)

    def read(self, timeout: float) -> np.ndarray | None:
        got = self.read_block(timeout)
        return None if got is None else got.cleaned

    @property
    def alive(self) -> bool:
        return self._mic.alive

    @property
    def backlog_seconds(self) -> float:
        return float(getattr(self._mic, "backlog_seconds", 0.0))

    @property
    def health(self) -> object | None:
        """The wrapped microphone's StreamHealth, when it has one."""
        return getattr(self._mic, "health", None)

    def close(self) -> None:
        self._mic.close()
