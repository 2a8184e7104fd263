"""`eval-commands --live`: a session played through the simulated room, canceller, own-voice
decision, the player giving way, listener and engine, with words placed over a sentence,
just after one and in a quiet moment.

The recogniser here is a stand-in that hears any loud burst in the cleaned signal as
"stop" (with its span), so the test is about the chain: whether the person's word reaches
the engine in each placement, whether the player falls silent under it, and that the
player's own voice (what the canceller leaves of it) never acts.
"""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from voicecoach.config.settings import SpeechSettings
from voicecoach.evaluation.eval_commands import read_manifest
from voicecoach.evaluation.live_chain import LiveChain
from voicecoach.listening.listener import CommandListener
from voicecoach.listening.recognizer import Detection
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY

RATE = 16000


class LoudWordRecognizer:
    """Hears "stop" in any burst 15 dB above the running quiet level, reported 0.3 s after
    it ends, with its start and end."""

    sample_rate = RATE
    name = "loud-word"

    def __init__(self) -> None:
        self._fed = 0
        self._start: int | None = None
        self._last_loud = 0
        self._phrases: tuple[str, ...] = ()

    def set_phrases(self, phrases: Sequence[str]) -> None:
        self._phrases = tuple(phrases)

    def accept(self, samples: npt.NDArray[np.float32]) -> list[Detection]:
        start, self._fed = self._fed, self._fed + len(samples)
        level = 20 * np.log10(max(float(np.sqrt(np.mean(np.square(samples)))), 1e-9))
        if level > -40.0:
            self._start = start if self._start is None else self._start
            self._last_loud = self._fed
        elif self._start is not None and self._fed - self._last_loud >= 0.3 * RATE:
            span, self._start = (self._start, self._last_loud), None
            if "stop" in self._phrases:
                return [Detection("stop", True, self._fed, None, span[0], span[1])]
        return []

    def reset(self) -> None:
        self._fed, self._start = 0, None


def syllables(text: str, speech: SpeechSettings) -> tuple[np.ndarray, int]:
    """Stand-in speech: noise with a 4 Hz syllable envelope, 0.12 s per character."""
    rng = np.random.default_rng(len(text))
    t = np.arange(int(0.06 * len(text) * RATE)) / RATE
    envelope = 0.3 + 0.7 * np.sin(np.pi * 4 * t) ** 2
    return (0.1 * envelope * rng.standard_normal(len(t))).astype(np.float32), RATE


def write_clip(path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    word = 0.2 * rng.standard_normal(int(0.4 * RATE)) * np.hanning(int(0.4 * RATE))
    samples = np.concatenate([np.zeros(RATE // 5), word, np.zeros(RATE // 5)])
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes((samples * 32767).astype("<i2").tobytes())


def test_a_word_in_each_placement_reaches_the_engine_and_the_player_gives_way(
    tmp_path: Path,
) -> None:
    rows = ["path\tword\tspeaker"]
    for n in range(3):
        write_clip(tmp_path / f"stop{n}.wav", n)
        rows.append(f"stop{n}.wav\tstop\tperson{n}")
    (tmp_path / "MANIFEST.tsv").write_text("\n".join(rows) + "\n")
    recognizer = LoudWordRecognizer()
    chain = LiveChain(
        lambda: CommandListener(recognizer, DEFAULT_VOCABULARY),
        DEFAULT_VOCABULARY,
        synth=syllables,
        engine_name=recognizer.name,
    )
    report = chain.run(read_manifest(tmp_path / "MANIFEST.tsv"))
    by_place = {c.placement: c for c in report.clips}
    assert set(by_place) == {"over_speech", "just_after", "quiet"}
    assert all(c.placed and c.acted for c in report.clips), report.clips
    over = by_place["over_speech"]
    assert over.silent_after_onset_ms is not None and over.silent_after_onset_ms <= 200
    assert report.own_voice_acts == []  # the player's own voice never stopped it
    assert report.yields_to_nobody == []  # nor made it fall silent
    data = report.to_json()
    assert data["all"]["acted_on"] == 3 and data["placements"]["quiet"]["clips"] == 1
