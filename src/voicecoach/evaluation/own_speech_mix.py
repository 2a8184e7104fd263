"""The player's own voice under each evaluation clip, then cancelled as in the live player.

For `voicecoach eval-commands --mix-own-speech`: a few session sentences (some say "stop"
and "pain", which the player must not hear as commands from the person) are synthesised
once and played on a loop. The microphone hears them through a simulated room
(echo_cancel.simulate_room) mixed with the clip at the given SNR (active-speech RMS of the
clip against that of the echoed speech under it). One echo canceller runs through all clips with the
clean speech as its reference, block by block as the live listening thread does it; the
recogniser is reset per clip as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from voicecoach.audio.levels import active_rms
from voicecoach.audio.resampling import resample
from voicecoach.config.settings import SpeechSettings
from voicecoach.listening.recognizer import SAMPLE_RATE

FloatArray = npt.NDArray[np.float32]
Synthesizer = Callable[[str, SpeechSettings], tuple[np.ndarray, int]]
BLOCK = SAMPLE_RATE // 50  # 20 ms, as the microphone delivers
GAP_SECONDS = 0.4

OWN_SENTENCES: tuple[str, ...] = (
    "Sit back in the chair. Point your toes down towards the floor.",
    "If anything hurts, say stop, or say pain.",
    "Hold. Three. Two. One. And relax.",
    "Say easier if this is too much, or harder if it feels easy.",
    "Ten seconds of rest. Keep breathing normally.",
    "Stop at once if you feel sharp pain.",
    "Pull your toes up towards you. Seven. Eight. Nine. Ten.",
    "How is your pain now, from zero to ten?",
)


class OwnSpeechMixer:
    """Turns each padded clip into the cleaned blocks the listener would hear live."""

    def __init__(
        self,
        snr_db: float = 0.0,
        sentences: Sequence[str] = OWN_SENTENCES,
        speech: SpeechSettings | None = None,
        synthesize: Synthesizer | None = None,
        *,
        delay_ms: float = 30.0,
        attenuation_db: float = 12.0,
        reverb: float = 0.3,
        canceller: Callable[[], _Canceller] | None = None,
    ) -> None:
        """`canceller` makes the echo canceller (default: speex, echo_cancel.EchoCanceller)."""
        self.snr_db = snr_db
        self._sentences = tuple(sentences)
        self._speech = speech or SpeechSettings()
        self._synthesize = synthesize
        self._room = (delay_ms, attenuation_db, reverb)
        self._reference: FloatArray | None = None
        self._echo: FloatArray | None = None
        self._position = 0
        self._canceller: _Canceller | None = None
        self._make_canceller = canceller

    def blocks(self, clip: FloatArray) -> Iterator[FloatArray]:
        """The echo-cancelled microphone blocks for `clip` (already padded, 16 kHz)."""
        mic, reference = self.microphone(clip)
        canceller = self._echo_canceller()
        for start in range(0, len(mic), BLOCK):
            yield canceller.process(mic[start : start + BLOCK], reference[start : start + BLOCK])

    def microphone(self, clip: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(what the microphone hears, what the speaker played) while `clip` is spoken."""
        reference, echo = self._next_stretch(len(clip))
        gain = active_rms(clip) / max(active_rms(echo), 1e-9) / 10 ** (self.snr_db / 20)
        return (clip + gain * echo).astype(np.float32), reference

    def _echo_canceller(self) -> _Canceller:
        # One canceller for all clips: live, it has been adapting since the session began.
        if self._canceller is None and self._make_canceller is not None:
            self._canceller = self._make_canceller()
        if self._canceller is None:
            from voicecoach.audio.echo.canceller import EchoCanceller

            self._canceller = EchoCanceller(sample_rate=SAMPLE_RATE)
        return self._canceller

    def _next_stretch(self, length: int) -> tuple[FloatArray, FloatArray]:
        """The next `length` samples of the looped speech, clean and as the room echoes it."""
        if self._reference is None or self._echo is None:
            self._reference, self._echo = self._make_track()
        track = len(self._reference)
        index = (self._position + np.arange(length)) % track
        self._position = (self._position + length) % track
        return self._reference[index], self._echo[index]

    def _make_track(self) -> tuple[FloatArray, FloatArray]:
        from voicecoach.audio.echo.canceller import simulate_room

        synthesize = self._synthesize or _default_synthesizer()
        gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
        parts: list[FloatArray] = []
        for sentence in self._sentences:
            samples, rate = synthesize(sentence, self._speech)
            parts += [resample(np.asarray(samples, dtype=np.float32), rate), gap]
        reference = np.concatenate(parts).astype(np.float32)
        # Twice round the loop so the room's reverberant tail wraps like a continuous loop.
        delay_ms, attenuation_db, reverb = self._room
        doubled = np.concatenate([reference, reference])
        echo = simulate_room(doubled, SAMPLE_RATE, delay_ms, attenuation_db, reverb)
        return reference, echo[len(reference) :].astype(np.float32)


class _Canceller(Protocol):
    """What is used of echo_cancel.EchoCanceller (imported when first needed)."""

    def process(self, mic: npt.ArrayLike, reference: npt.ArrayLike) -> FloatArray: ...


def _default_synthesizer() -> Synthesizer:
    from voicecoach.speech.synth import synthesize

    return synthesize
