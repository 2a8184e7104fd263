"""Reading WAV files and bringing them to the recogniser's 16 kHz, with numpy alone.

The speech corpus mixes 8 kHz (FSDD) and 16 kHz (Speech Commands) clips; the recognisers
take 16 kHz float32 mono in [-1, 1]; resampling.resample brings them there.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from voicecoach.audio.resampling import RECOGNIZER_RATE, resample
from voicecoach.errors import UsageError

FloatArray = npt.NDArray[np.float32]


def read_wav(path: Path) -> tuple[FloatArray, int]:
    """Samples (float32 mono in [-1, 1]) and sample rate of an integer-PCM WAV file."""
    try:
        with wave.open(str(path), "rb") as wav:
            width = wav.getsampwidth()
            channels = wav.getnchannels()
            rate = wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise UsageError(f"{path}: no such audio file") from None
    except (wave.Error, EOFError) as error:  # not a WAV, or a float/compressed WAV
        raise UsageError(
            f"{path}: cannot read as 16-bit PCM WAV ({error}); convert it first, e.g. "
            f"`sox {path} -b 16 -e signed-integer out.wav`"
        ) from None
    samples = _pcm_to_float(raw, width)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.float32)
    return samples, rate


def _pcm_to_float(raw: bytes, width: int) -> FloatArray:
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        return (value / float(1 << 23)).astype(np.float32)
    if width == 4:
        return (np.frombuffer(raw, dtype="<i4") / float(1 << 31)).astype(np.float32)
    raise UsageError(f"unsupported WAV sample width: {width} bytes")


def read_for_recognizer(path: Path) -> FloatArray:
    """A WAV file as 16 kHz float32 mono, ready for a Recognizer."""
    samples, rate = read_wav(path)
    return resample(samples, rate)


def speech_end(samples: FloatArray, rate: int = RECOGNIZER_RATE, floor_db: float = 20.0) -> int:
    """Sample index just after the last 10 ms frame within `floor_db` of the loudest frame:
    a simple energy end-of-speech for short clips of one word."""
    frame = rate // 100
    frames = len(samples) // frame
    if frames == 0:
        return len(samples)
    rms = np.sqrt(np.mean(samples[: frames * frame].reshape(frames, frame) ** 2, axis=1))
    loud = np.nonzero(rms >= rms.max() * 10 ** (-floor_db / 20))[0]
    return int((loud[-1] + 1) * frame) if len(loud) else len(samples)


def speech_start(samples: FloatArray, rate: int = RECOGNIZER_RATE, floor_db: float = 20.0) -> int:
    """Sample index of the first 10 ms frame within `floor_db` of the loudest frame: the
    onset that matches speech_end."""
    frame = rate // 100
    frames = len(samples) // frame
    if frames == 0:
        return 0
    rms = np.sqrt(np.mean(samples[: frames * frame].reshape(frames, frame) ** 2, axis=1))
    loud = np.nonzero(rms >= rms.max() * 10 ** (-floor_db / 20))[0]
    return int(loud[0] * frame) if len(loud) else 0
