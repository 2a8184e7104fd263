"""Speech synthesis: text in, samples out (the player plays them with a Speaker).

pyttsx3 is the front end; on Linux it drives the espeak-ng library. Its own playback is
not usable for a player that must cut speech at once (see notes/virtual-room.md: the
espeak driver plays with `aplay`, `stop()` does not cut it), so we only ask it for
samples: `save_to_file` in a fresh engine per text (a reused engine can route later
calls to the old file), wait for its "finished-utterance" notification (espeak runs the
synthesis on its own thread, so `runAndWait()` may return before the file exists), then
read the WAV. That driver announces the file with `print("Audio saved to ...")` from
espeak's thread; exactly that line is swallowed, so nothing reaches stdout and other
threads' output is untouched (the espeak library itself writes nothing to file
descriptor 1, checked with espeak-ng 1.51, so no descriptor-level redirection is needed).

Fallback, when pyttsx3 cannot be imported or initialised: the `espeak-ng` (or `espeak`)
command is run with `--stdout`. Neither available raises DeviceError with the fix.

Voices: a voice that is not installed is an UnknownVoiceError naming voices that are.
`voicecoach settings set voice` checks against `installed_voices()`; during a session the
SpeechCache falls back to the default voice, says so on stderr and out loud, and plays on
(the settings file may have been edited by hand, or the voice uninstalled since).

Levels: every text is normalised to the same active-speech RMS (voices differ by several
dB), trailing silence beyond 50 ms is trimmed (the engine schedules its own pauses).
`synthesize` applies `SpeechSettings.volume`; `SpeechCache` keeps samples at full level
(volume 1.0) because volume is the Speaker's job (`Speaker.set_volume`), so the cache
stays valid when the person says "louder".
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from voicecoach.audio.levels import active_rms
from voicecoach.audio.resampling import resample
from voicecoach.config.settings import SpeechSettings
from voicecoach.errors import DeviceError, SettingsError
from voicecoach.session.vocabulary import count_word

Synthesizer = Callable[[str, SpeechSettings], tuple[np.ndarray, int]]

TARGET_RMS = 0.08
LEVEL_FRAME = 220
LEVEL_FLOOR_DB = 40.0
"""Sentences are levelled on their 10 ms frames (at 22 kHz) within 40 dB of the loudest."""
"""Active-speech RMS every utterance is brought to (about -22 dBFS) before volume."""
PEAK_LIMIT = 0.9
SYNTH_TIMEOUT = 10.0
TAIL_SECONDS = 0.05

# The espeak library behind pyttsx3 is one process-wide instance.
_ENGINE_LOCK = threading.Lock()


def synthesize(text: str, speech: SpeechSettings) -> tuple[np.ndarray, int]:
    """Speak `text` into float32 mono samples in [-1, 1]; returns (samples, sample_rate)."""
    raw, rate = _synthesize_raw(text, speech)
    samples = normalise_level(trim_silence(raw, rate)) * float(np.clip(speech.volume, 0, 1))
    return samples.astype(np.float32), rate


FALLBACK_VOICE_NOTE = (
    "The voice chosen in your settings is not installed, so I am using the standard voice."
)
"""Said before the first sentence when the settings' voice is missing."""

NOTE_GAP_SECONDS = 0.4


class SpeechCache:
    """Synthesised samples per (text, voice, rate), at full level (volume 1.0).

    Count words are warmed before a session so a count starts on the beat. A voice that
    is not installed is replaced by the default voice: the note goes to `notes` (stderr
    when None) and is spoken before the next sentence `get` hands out.
    """

    def __init__(
        self,
        speech: SpeechSettings,
        synth: Synthesizer = synthesize,
        notes: TextIO | None = None,
    ) -> None:
        self._speech = replace(speech, volume=1.0)
        self._synth = synth
        self._notes = notes
        self._store: dict[tuple[str, str | None, int], tuple[np.ndarray, int]] = {}
        self._lock = threading.Lock()
        self._unsaid_note: str | None = None

    def get(self, text: str) -> tuple[np.ndarray, int]:
        """The samples for `text`, with a pending fallback note spoken first."""
        samples, rate = self._samples(text)
        with self._lock:
            note, self._unsaid_note = self._unsaid_note, None
        if note is None:
            return samples, rate
        spoken, spoken_rate = self._samples(note)
        spoken = resample(spoken, spoken_rate, rate)
        gap = np.zeros(int(NOTE_GAP_SECONDS * rate), dtype=np.float32)
        return np.concatenate([spoken, gap, samples]).astype(np.float32), rate

    def warm(self, texts: Iterable[str]) -> None:
        """Synthesise `texts` ahead; runs on a background thread.

        The first failure ends the warm-up quietly: no one waits for these samples, and
        the same error comes up again, and is reported, when the sentence is said."""
        for text in texts:
            try:
                self._samples(text)
            except Exception:  # any failure: see the docstring (reported when said)
                return

    def _samples(self, text: str) -> tuple[np.ndarray, int]:
        while True:
            speech = self._speech
            key = (text, speech.voice, speech.rate)
            with self._lock:
                found = self._store.get(key)
            if found is not None:
                return found
            try:
                found = self._synth(text, speech)
            except UnknownVoiceError as error:
                if speech.voice is None:
                    raise
                self._use_default_voice(speech, error)
                continue  # again, with the default voice
            with self._lock:
                self._store[key] = found
            return found

    def _use_default_voice(self, failed: SpeechSettings, error: UnknownVoiceError) -> None:
        with self._lock:
            if self._speech is not failed:  # another thread switched already
                return
            self._speech = replace(failed, voice=None)
            self._unsaid_note = FALLBACK_VOICE_NOTE
        print(
            f"voicecoach: the speech voice {error.wanted!r} is not installed; using the "
            f"default voice.\nvoicecoach: Fix: {error.fix}",
            file=self._notes or sys.stderr,
            flush=True,
        )

    def __len__(self) -> int:
        return len(self._store)


def count_words(up_to: int = 60) -> list[str]:
    """What a counted hold says ("Hold.", "one" .. "sixty", "And relax.", "Ten seconds."),
    for `SpeechCache.warm` before a session; the player may warm its own list instead."""
    return ["Hold.", *(count_word(n) for n in range(1, up_to + 1)), "And relax.", "Ten seconds."]


# ------------------------------------------------------------------ level


def trim_silence(samples: np.ndarray, rate: int, floor: float = 0.003) -> np.ndarray:
    """Drop leading silence and trailing silence beyond TAIL_SECONDS."""
    loud = np.nonzero(np.abs(samples) > floor)[0]
    if loud.size == 0:
        return samples[:0]
    end = min(len(samples), int(loud[-1]) + 1 + int(TAIL_SECONDS * rate))
    return samples[int(loud[0]) : end]


def normalise_level(samples: np.ndarray) -> np.ndarray:
    level = active_rms(samples, LEVEL_FRAME, LEVEL_FLOOR_DB)
    if level <= 0:
        return samples.astype(np.float32)
    gain = TARGET_RMS / level
    peak = float(np.max(np.abs(samples))) * gain
    if peak > PEAK_LIMIT:
        gain *= PEAK_LIMIT / peak
    return (samples * gain).astype(np.float32)


# ------------------------------------------------------------------ engines


def _synthesize_raw(text: str, speech: SpeechSettings) -> tuple[np.ndarray, int]:
    try:
        import pyttsx3
    except ImportError:
        return _espeak_command(text, speech)
    with _ENGINE_LOCK:
        try:
            engine = pyttsx3.Engine()
        except (RuntimeError, OSError):
            # The espeak library could not be loaded or initialised; the command may work.
            return _espeak_command(text, speech)
        try:
            return _pyttsx3_to_samples(engine, text, speech)
        finally:
            # Dropping the engine unhooks its synth callback; do it inside the lock.
            del engine


def _pyttsx3_to_samples(engine: Any, text: str, speech: SpeechSettings) -> tuple[np.ndarray, int]:
    if speech.voice:
        engine.setProperty("voice", resolve_voice(speech.voice, engine.getProperty("voices")))
    engine.setProperty("rate", int(speech.rate))
    engine.setProperty("volume", 1.0)
    # espeak synthesises on its own thread: runAndWait() can return before the file is
    # written, so wait for the driver's "finished-utterance" (sent after the file closes).
    finished = threading.Event()
    engine.connect("finished-utterance", lambda **_: finished.set())
    with tempfile.TemporaryDirectory(prefix="voicecoach-tts-") as tmp:
        path = Path(tmp) / "speech.wav"
        with _swallow_stdout_line(f"Audio saved to {path}"):
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            done = finished.wait(timeout=SYNTH_TIMEOUT)
        if not done or not path.exists():
            raise DeviceError(
                f"speech synthesis wrote no audio for {text!r} within {SYNTH_TIMEOUT:.0f} s. "
                "Fix: check espeak-ng works (`espeak-ng 'hello'`), reinstall with "
                "`sudo apt install espeak-ng`."
            )
        return read_wav(path)


@dataclass(frozen=True)
class Voice:
    """One installed text-to-speech voice."""

    id: str
    """The engine's id, e.g. "gmw/en-us"; its last part ("en-us") names it too."""
    name: str
    """The readable name, e.g. "English (America)"."""


class UnknownVoiceError(SettingsError):
    """The voice asked for is not installed; `fix` names the command and voices to use."""

    def __init__(self, wanted: str, fix: str) -> None:
        super().__init__(f"the speech voice {wanted!r} is not installed. Fix: {fix}")
        self.wanted = wanted
        self.fix = fix


def installed_voices() -> list[Voice]:
    """The voices this computer can speak with: pyttsx3's list, else `espeak-ng --voices`.

    DeviceError when there is no speech synthesiser at all."""
    try:
        import pyttsx3
    except ImportError:
        return list(_command_voices(_espeak_program()))
    with _ENGINE_LOCK:
        try:
            engine = pyttsx3.Engine()
        except (RuntimeError, OSError):  # as in _synthesize_raw: the command may still work
            return list(_command_voices(_espeak_program()))
        try:
            return [Voice(str(v.id), str(v.name)) for v in engine.getProperty("voices")]
        finally:
            del engine


def resolve_voice(wanted: str, voices: Iterable[Any]) -> str:
    """A voice id from an id ("gmw/en-us"), its last part ("en-us") or its name
    ("English (America)"); "+variant" suffixes are kept. UnknownVoiceError when unknown."""
    base, plus, variant = wanted.partition("+")
    key = base.strip().lower()
    known = list(voices)
    for voice in known:
        vid = str(voice.id).lower()
        if key in (vid, vid.rsplit("/", 1)[-1], str(voice.name).lower()):
            return vid + plus + variant
    short = [str(v.id).lower().rsplit("/", 1)[-1] for v in known]
    english = sorted({name for name in short if name.startswith("en")})
    example = "en-us" if "en-us" in english else (english or short or ["en"])[0]
    others = ", ".join(english[:8]) or "the voices `espeak-ng --voices` lists"
    raise UnknownVoiceError(
        wanted,
        f"`voicecoach settings set voice {example}` (English voices here: {others}; "
        "`espeak-ng --voices` lists every language), or `voicecoach settings reset voice` "
        "for the default voice.",
    )


def _espeak_program() -> str:
    program = shutil.which("espeak-ng") or shutil.which("espeak")
    if program is None:
        raise DeviceError(
            "no speech synthesiser: pyttsx3 could not start and espeak-ng is not installed. "
            "Fix: `sudo apt install espeak-ng` (Linux) and `pip install pyttsx3`."
        )
    return program


@cache
def _command_voices(program: str) -> tuple[Voice, ...]:
    """The voices `espeak-ng --voices` lists (columns: Pty Language Age/Gender VoiceName
    File ...); the File column is the id, as pyttsx3 reports it."""
    done = subprocess.run(
        [program, "--voices"], capture_output=True, text=True, timeout=30, check=False
    )
    voices = []
    for line in done.stdout.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 5:
            voices.append(Voice(columns[4], columns[3].replace("_", " ")))
    return tuple(voices)


def _espeak_command(text: str, speech: SpeechSettings) -> tuple[np.ndarray, int]:
    program = _espeak_program()
    command = [program, "--stdout", "-s", str(int(speech.rate)), "-a", "100"]
    if speech.voice:
        voice = resolve_voice(speech.voice, _command_voices(program))
        command += ["-v", voice.rsplit("/", 1)[-1]]
    done = subprocess.run([*command, "--", text], capture_output=True, timeout=30, check=False)
    if done.returncode != 0 or not done.stdout:
        raise DeviceError(
            f"{program} failed ({done.stderr.decode(errors='replace').strip()}). "
            "Fix: check the voice name with `espeak-ng --voices=en`."
        )
    return read_wav(io.BytesIO(done.stdout))


def read_wav(source: str | os.PathLike[str] | io.BytesIO) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV as float32 mono samples in [-1, 1] and its sample rate."""
    with wave.open(source if isinstance(source, io.BytesIO) else os.fspath(source), "rb") as w:
        if w.getsampwidth() != 2:
            raise DeviceError(f"expected 16-bit audio, got {8 * w.getsampwidth()}-bit")
        channels = w.getnchannels()
        rate = w.getframerate()
        data = w.readframes(w.getnframes())
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.float32)
    return samples, rate


# ------------------------------------------------------------------ quiet stdout


class _LineFilteredStdout:
    """Stands in for sys.stdout: drops one known line (from whichever thread prints it,
    espeak's callback runs on its own thread), passes everything else on."""

    def __init__(self, real: TextIO, line: str) -> None:
        self._real = real
        self._line = line
        self._dropping_newline: int | None = None

    def write(self, text: str) -> int:
        me = threading.get_ident()
        if text == self._line:
            self._dropping_newline = me
            return len(text)
        if text == "\n" and self._dropping_newline == me:
            self._dropping_newline = None
            return len(text)
        if text == self._line + "\n":
            return len(text)
        return self._real.write(text)

    def flush(self) -> None:
        self._real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@contextmanager
def _swallow_stdout_line(line: str) -> Iterator[None]:
    real = sys.stdout
    sys.stdout = _LineFilteredStdout(real, line)
    try:
        yield
    finally:
        sys.stdout = real
