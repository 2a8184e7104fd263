"""Where an utterance ends (listening/vad.py): the energy hang and the voice-activity
verdict must agree, and a steady room noise does not keep an utterance going."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from voicecoach.listening.vad import CHUNK, SpeechEnds, Utterance

RATE = 16000


def noise(seconds: float, level: float, seed: int = 0) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * RATE)) * level).astype(np.float32)


def feed(ends: SpeechEnds, audio: npt.NDArray[np.float32]) -> list[Utterance]:
    found: list[Utterance] = []
    for start in range(0, len(audio), 320):  # 20 ms blocks, as the microphone gives them
        found += ends.feed(audio[start : start + 320])
    return found


class LoudIsSpeech:
    """A stand-in voice-activity detector: speech wherever the chunk is loud."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, chunk: npt.NDArray[np.float32]) -> float:
        self.calls += 1
        return 1.0 if float(np.sqrt(np.mean(chunk**2))) > 0.05 else 0.0


def test_an_utterance_ends_soon_after_the_voice_stops() -> None:
    ends = SpeechEnds(LoudIsSpeech())
    audio = np.concatenate([noise(1.0, 0.001), noise(0.4, 0.2, 1), noise(1.0, 0.001, 2)])
    (utterance,) = feed(ends, audio)
    assert abs(utterance.start / RATE - 1.0) <= CHUNK / RATE
    assert abs(utterance.end / RATE - 1.4) <= CHUNK / RATE
    assert 0 < (utterance.found_at - utterance.end) / RATE <= 0.15


def test_a_short_gap_inside_a_word_does_not_end_it() -> None:
    ends = SpeechEnds(LoudIsSpeech())
    word = np.concatenate([noise(0.3, 0.2, 1), noise(0.03, 0.001, 2), noise(0.1, 0.2, 3)])
    audio = np.concatenate([noise(0.5, 0.001), word, noise(1.0, 0.001, 4)])
    assert len(feed(ends, audio)) == 1


def test_steady_noise_after_the_voice_does_not_keep_the_utterance_going() -> None:
    ends = SpeechEnds(None)  # loudness alone
    room = noise(3.0, 0.004, 5)
    room[int(1.0 * RATE) : int(1.4 * RATE)] += noise(0.4, 0.3, 6)  # a word over the noise
    room[: int(0.5 * RATE)] = 0  # the noise starts abruptly, as in a padded clip
    (utterance,) = feed(ends, room)
    assert abs(utterance.end / RATE - 1.4) <= 2 * CHUNK / RATE


def test_the_detector_runs_only_around_loud_audio() -> None:
    detector = LoudIsSpeech()
    ends = SpeechEnds(detector)
    feed(ends, noise(10.0, 0.0005))
    assert detector.calls <= 2 * 0.5 * RATE / CHUNK  # the first moments, while the floor settles
