"""Echo cancelling: the player's own (synthesised) speech is taken out of what the
microphone hears, and a real person saying "stop" over it stays clearly audible."""

from __future__ import annotations

import io

import numpy as np
import pytest

from corpus import clips
from fakes.fake_microphone import FakeMicrophone
from needs import need_module
from voicecoach.audio.echo.canceller import (
    EchoCancellingMicrophone,
    SelfSpeechGate,
    simulate_room,
)
from voicecoach.audio.levels import level_db, rms
from voicecoach.audio.resampling import resample
from voicecoach.audio.wav_files import read_for_recognizer
from voicecoach.config.settings import SpeechSettings
from voicecoach.speech.synth import synthesize

pyaec = need_module("pyaec", ".venv/bin/pip install pyaec")
from voicecoach.audio.echo.canceller import EchoCanceller  # noqa: E402 - after the skip check

RATE = 16000
SENTENCES = (
    "Lie on your back with your knees bent and your feet flat on the bed.",
    "Breathe in slowly, and as you breathe out, gently press your lower back into the bed.",
    "Hold it there. Now relax. If anything hurts, say stop or pain and we will stop at once.",
    "Slide your heel along the bed, and back again. Keep it slow and easy.",
)
CONVERGED = slice(2 * RATE, None)  # the canceller learns the room in about two seconds
PERSON_AT = 8 * RATE


@pytest.fixture(scope="module")
def played() -> np.ndarray:
    """About 24 s of the coach's speech at 16 kHz, with the pauses between sentences."""
    parts = []
    for text in SENTENCES:
        samples, rate = synthesize(text, SpeechSettings(volume=1.0))
        parts += [resample(samples, rate, RATE), np.zeros(int(0.6 * RATE), np.float32)]
    return np.concatenate(parts)


def cancel(mic: np.ndarray, reference: np.ndarray, block: int = 320) -> np.ndarray:
    canceller = EchoCanceller()
    return np.concatenate(
        [
            canceller.process(mic[i : i + block], reference[i : i + block])
            for i in range(0, len(mic), block)
        ]
    )


def person_saying_stop(level_of: np.ndarray, relative_db: float = 0.0) -> np.ndarray:
    """A real person's "stop" as loud as `level_of` (plus `relative_db`)."""
    samples = read_for_recognizer(clips(["stop"], 1)[0].path)
    return samples * (rms(level_of) / rms(samples) * 10 ** (relative_db / 20))


def test_the_room_delays_and_attenuates_the_played_sound() -> None:
    click = np.zeros(RATE, np.float32)
    click[0] = 1.0
    heard = simulate_room(click, RATE, delay_ms=30, attenuation_db=12, reverb=0.3)
    assert int(np.argmax(np.abs(heard))) == int(0.030 * RATE)
    assert level_db(heard) - level_db(click) == pytest.approx(-12.0, abs=0.1)
    assert np.any(heard[int(0.1 * RATE) :] != 0.0)  # a reverberant tail
    dry = simulate_room(click, RATE, reverb=0.0)
    assert np.count_nonzero(dry) == 1


def test_the_echo_of_the_coach_is_reduced_by_more_than_12_db(played: np.ndarray) -> None:
    mic = simulate_room(played, RATE)
    cleaned = cancel(mic, played)
    reduction = level_db(mic[CONVERGED]) - level_db(cleaned[CONVERGED])
    print(f"\necho reduction after 2 s: {reduction:.1f} dB")  # measured 19.4 dB
    assert reduction > 12.0


def test_blocks_of_any_length_give_the_same_result(played: np.ndarray) -> None:
    mic = simulate_room(played[: 4 * RATE], RATE)
    whole = cancel(mic, played[: 4 * RATE], block=320)
    ragged = cancel(mic, played[: 4 * RATE], block=333)
    assert len(ragged) == len(mic)
    delay = int(np.argmax(np.correlate(ragged[RATE : RATE + 4000], whole[RATE : RATE + 3000])))
    assert delay < 160  # the same output, at most one frame (10 ms) later, all the way
    assert np.array_equal(ragged[RATE + delay : 4 * RATE], whole[RATE : 4 * RATE - delay])


def test_a_person_saying_stop_over_the_coach_stays_clearly_audible(played: np.ndarray) -> None:
    mic = simulate_room(played, RATE)
    person = person_saying_stop(level_of=mic[CONVERGED])
    with_person = mic.copy()
    with_person[PERSON_AT : PERSON_AT + len(person)] += person
    window = slice(PERSON_AT, PERSON_AT + len(person))
    echo_only = cancel(mic, played)[window]
    cleaned = cancel(with_person, played)[window]
    print(
        f"\nthe person's word: {level_db(cleaned) - level_db(echo_only):.1f} dB over the echo left"
    )
    assert level_db(cleaned) - level_db(echo_only) > 10.0  # measured 16.6-17.5 dB
    # and the person's voice keeps most of its level through the canceller
    assert level_db(cleaned) > level_db(person) - 3.0


def test_the_gate_quietens_echo_but_lets_a_person_through(played: np.ndarray) -> None:
    person = person_saying_stop(level_of=simulate_room(played, RATE)[CONVERGED], relative_db=-6.0)
    coach = played[: PERSON_AT + len(person)]  # the coach's speech up to the person's word
    mic = simulate_room(coach, RATE)
    with_person = mic.copy()
    with_person[PERSON_AT:] += person
    window = slice(PERSON_AT, None)

    def cancelled_and_gated(signal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cleaned = cancel(signal, coach)
        gate = SelfSpeechGate()
        blocks = range(0, len(signal), 320)
        gated = np.concatenate(
            [gate.process(cleaned[i : i + 320], coach[i : i + 320]) for i in blocks]
        )
        return cleaned, gated

    echo_cancelled, echo_gated = cancelled_and_gated(mic)
    assert level_db(echo_gated[window]) < level_db(echo_cancelled[window]) - 20.0
    person_cancelled, person_gated = cancelled_and_gated(with_person)
    assert level_db(person_gated[window]) > level_db(person_cancelled[window]) - 1.0


def test_the_gate_passes_everything_while_nothing_is_played() -> None:
    gate = SelfSpeechGate()
    sound = (0.1 * np.random.default_rng(0).standard_normal(RATE)).astype(np.float32)
    out = np.concatenate(
        [gate.process(sound[i : i + 320], np.zeros(320, np.float32)) for i in range(0, RATE, 320)]
    )
    assert np.array_equal(out, sound)


def test_the_echo_cancelling_microphone_cleans_what_it_reads(played: np.ndarray) -> None:
    heard = simulate_room(played, RATE)
    mic = FakeMicrophone()
    mic.push(heard)

    class Speaker:
        position = 0

        def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
            start, self.position = self.position, self.position + frames
            return played[start : start + frames]

    cleaning = EchoCancellingMicrophone(mic, Speaker())
    out = []
    while (block := cleaning.read(timeout=0.01)) is not None:
        out.append(block)
    cleaned = np.concatenate(out)
    assert len(cleaned) == len(heard)
    assert level_db(heard[CONVERGED]) - level_db(cleaned[CONVERGED]) > 12.0
    assert cleaning.alive
    mic.lose()
    assert not cleaning.alive


def test_without_pyaec_the_microphone_passes_audio_through_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(*args: object, **kwargs: object) -> None:
        raise ImportError("No module named 'pyaec'")

    monkeypatch.setattr("voicecoach.audio.echo.canceller.EchoCanceller", missing)
    mic = FakeMicrophone([np.full(320, 0.2, np.float32)])

    class Silent:
        def played_reference(self, frames: int, captured_at: float | None = None) -> np.ndarray:
            return np.zeros(frames, np.float32)

    note = io.StringIO()
    cleaning = EchoCancellingMicrophone(mic, Silent(), note=note)
    block = cleaning.read(timeout=0.1)
    assert block is not None and np.allclose(block, 0.2)
    assert "pip install pyaec" in note.getvalue()


def test_blocks_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="reference"):
        EchoCanceller().process(np.zeros(320, np.float32), np.zeros(160, np.float32))


def test_webrtc_aec3_takes_the_players_echo_out_too() -> None:
    need_module("livekit", "pip install livekit")
    from voicecoach.audio.echo.webrtc import WebRtcCanceller

    rng = np.random.default_rng(0)
    t = np.arange(6 * RATE) / RATE
    played = 0.1 * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2) * rng.standard_normal(len(t))
    echo = simulate_room(played.astype(np.float32), RATE)
    canceller = WebRtcCanceller(RATE)
    out = np.concatenate(
        [canceller.process(echo[i : i + 320], played[i : i + 320]) for i in range(0, len(t), 320)]
    )
    assert len(out) == len(echo)
    settled = slice(2 * RATE, None)
    assert rms(out[settled]) < rms(echo[settled]) / 4  # at least 12 dB less echo
