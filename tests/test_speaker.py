"""The speaker: what is heard after say(), stop() and set_volume(); what finished();
the echo reference; the no-device fallback. A fake output stream stands in for the sound
card, and each test pulls blocks from it as the audio thread would."""

from __future__ import annotations

import io

import numpy as np
import pytest

from fakes.fake_microphone import FakeInputStream, Flags, input_stream_factory
from fakes.fake_speaker import FakeOutputStream, stream_factory
from voicecoach.audio.microphone import SoundDeviceMicrophone
from voicecoach.audio.speaker import PrintSpeaker, SoundDeviceSpeaker, open_speaker
from voicecoach.config.settings import AudioSettings, SpeechSettings
from voicecoach.errors import DeviceError

RATE = 16000


def make_speaker(volume: float = 1.0) -> tuple[SoundDeviceSpeaker, FakeOutputStream]:
    made: list[FakeOutputStream] = []
    speaker = SoundDeviceSpeaker(
        samplerate=RATE, volume=volume, stream_factory=stream_factory(made)
    )
    return speaker, made[0]


def tone(seconds: float, level: float = 0.5, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def test_blocks_are_at_most_twenty_milliseconds() -> None:
    speaker, stream = make_speaker()
    assert stream.blocksize / stream.samplerate <= 0.02
    assert stream.active
    speaker.close()
    assert stream.aborted and stream.closed


def test_speech_plays_and_stop_makes_the_next_block_silent() -> None:
    speaker, stream = make_speaker()
    speaker.say(1, tone(1.0), RATE, text="Lie on your back.")
    playing = stream.pull()
    assert np.max(np.abs(playing)) > 0.3
    assert speaker.is_speaking()
    speaker.stop()
    assert np.all(stream.pull() == 0.0)
    assert not speaker.is_speaking()
    assert speaker.finished() == [1]
    assert speaker.finished() == []


def test_a_new_utterance_cuts_the_one_playing_and_both_are_reported() -> None:
    speaker, stream = make_speaker()
    speaker.say(1, tone(1.0, level=0.2), RATE)
    stream.pull()
    speaker.say(2, tone(1.0, level=0.6), RATE)
    block = stream.pull()
    assert np.max(np.abs(block)) > 0.5  # the second one, from its start
    assert speaker.finished() == [1]


def test_an_utterance_is_finished_when_its_last_sample_has_sounded() -> None:
    speaker, stream = make_speaker()
    block_seconds = stream.blocksize / RATE
    speaker.say(7, tone(2.5 * block_seconds), RATE)  # ends inside the third block
    for _ in range(3):
        stream.pull()
    assert speaker.is_speaking()  # still in the device buffer (latency 30 ms)
    assert speaker.finished() == []
    stream.time += stream.latency
    assert speaker.finished() == [7]
    assert not speaker.is_speaking()


def test_the_rest_of_the_block_after_an_utterance_is_silence() -> None:
    speaker, stream = make_speaker()
    speaker.say(1, tone(0.5 * stream.blocksize / RATE), RATE)
    block = stream.pull()
    half = stream.blocksize // 2
    assert np.max(np.abs(block[:half])) > 0
    assert np.all(block[half:] == 0.0)


def test_volume_scales_what_is_played_even_mid_utterance() -> None:
    speaker, stream = make_speaker(volume=1.0)
    speaker.say(1, np.full(RATE, 0.5, dtype=np.float32), RATE)
    assert np.allclose(stream.pull(), 0.5)
    speaker.set_volume(0.2)
    assert np.allclose(stream.pull(), 0.1)
    speaker.set_volume(3.0)  # clamped
    assert np.allclose(stream.pull(), 0.5)


def test_samples_at_another_rate_are_resampled_to_the_device_rate() -> None:
    made: list[FakeOutputStream] = []
    speaker = SoundDeviceSpeaker(samplerate=48000, stream_factory=stream_factory(made))
    stream = made[0]
    speaker.say(1, tone(0.1, rate=22050), 22050)
    blocks = 0
    while True:
        blocks += 1
        stream.pull()
        stream.time += 1.0
        if speaker.finished():
            break
        assert blocks < 100
    assert blocks == pytest.approx(0.1 / (stream.blocksize / 48000), abs=1)


def test_a_lost_device_reports_the_utterance_finished_instead_of_hanging() -> None:
    speaker, stream = make_speaker()
    speaker.say(3, tone(5.0), RATE)
    stream.pull()
    stream.active = False  # PortAudio's sign of a vanished device
    assert not speaker.alive
    assert speaker.finished() == [3]


def test_the_reference_is_what_was_played_at_16_khz_one_latency_back() -> None:
    made: list[FakeOutputStream] = []
    speaker = SoundDeviceSpeaker(samplerate=48000, volume=0.5, stream_factory=stream_factory(made))
    stream = made[0]
    assert np.all(speaker.played_reference(320) == 0.0)  # nothing played yet
    for _ in range(10):
        stream.pull()  # 100 ms of silence
    played = tone(1.0, level=0.8, rate=48000)
    speaker.say(1, played, 48000)
    for _ in range(50):
        stream.pull()  # 500 ms of the tone
    reference = np.concatenate([speaker.played_reference(320) for _ in range(60)])
    # The stream started one latency (30 ms) before the newest block: it holds the
    # tone at the volume it was played (0.8 * 0.5), continuous from block to block.
    steady = reference[16000 * 4 // 10 - 1600 : 16000 * 4 // 10 - 160]
    assert np.sqrt(np.mean(steady**2)) == pytest.approx(0.4 / np.sqrt(2), rel=0.05)
    spectrum = np.abs(np.fft.rfft(steady * np.hanning(len(steady))))
    peak_hz = np.argmax(spectrum) * 16000 / len(steady)
    assert peak_hz == pytest.approx(440, abs=15)


def test_print_speaker_prints_what_is_said_and_keeps_time() -> None:
    now = [0.0]
    out = io.StringIO()
    speaker = PrintSpeaker(stream=out, clock=lambda: now[0])
    speaker.say(1, np.zeros(32000, dtype=np.float32), 16000, text="Bend your knees.")
    assert out.getvalue() == "Said: Bend your knees.\n"
    assert speaker.is_speaking() and speaker.finished() == []
    now[0] = 2.0
    assert speaker.finished() == [1]
    speaker.say(2, np.zeros(32000, dtype=np.float32), 16000, text="Hold.")
    speaker.stop()
    assert speaker.finished() == [2]
    assert np.all(speaker.played_reference(160) == 0.0)


def test_open_speaker_without_an_output_device_prints_instead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_device(spec: object, kind: str) -> int:
        raise DeviceError("no speaker found (PortAudio sees no default output device).")

    monkeypatch.setattr("voicecoach.audio.speaker.resolve_device", no_device)
    note = io.StringIO()
    speaker = open_speaker(AudioSettings(), SpeechSettings(), note=note)
    assert isinstance(speaker, PrintSpeaker)
    assert "no speaker found" in note.getvalue()
    assert "printed as text" in note.getvalue()


def test_the_microphone_hands_over_blocks_and_reports_a_lost_device() -> None:
    made: list[FakeInputStream] = []
    mic = SoundDeviceMicrophone(stream_factory=input_stream_factory(made))
    stream = made[0]
    assert stream.kwargs["samplerate"] == 16000 and stream.kwargs["channels"] == 1
    assert mic.read(timeout=0.01) is None
    stream.deliver(np.full(320, 0.25, dtype=np.float32))
    block = mic.read(timeout=1.0)
    assert block is not None and block.dtype == np.float32 and np.allclose(block, 0.25)
    assert mic.alive
    stream.active = False
    assert not mic.alive
    mic.close()
    assert stream.closed


def test_a_microphone_opened_at_48_khz_still_reads_16_khz() -> None:
    made: list[FakeInputStream] = []
    mic = SoundDeviceMicrophone(stream_factory=input_stream_factory(made), device_rate=48000)
    for _ in range(10):
        made[0].deliver(tone(0.02, rate=48000))
    got = [mic.read(timeout=1.0) for _ in range(10)]
    total = sum(len(b) for b in got if b is not None)
    assert total == pytest.approx(3200, abs=40)


def test_a_timed_reference_is_what_sounded_when_the_block_was_captured() -> None:
    made: list[FakeOutputStream] = []
    speaker = SoundDeviceSpeaker(samplerate=48000, stream_factory=stream_factory(made))
    stream = made[0]
    for _ in range(20):
        stream.pull()  # 200 ms of silence
    onset = stream.time + stream.latency  # the first tone sample sounds then
    speaker.say(1, tone(1.0, level=0.8, rate=48000), 48000)
    for _ in range(30):
        stream.pull()
    # A 100 ms block captured 50 ms before the onset: silence, then the tone, which
    # the canceller gets 20 ms before its echo (so it appears 20 ms earlier).
    reference = speaker.played_reference(1600, captured_at=onset - 0.05)
    loud = np.nonzero(np.abs(reference) > 0.1)[0]
    assert loud[0] == pytest.approx((0.05 - 0.02) * 16000, abs=16)
    # The next block carries on without a gap.
    following = speaker.played_reference(320, captured_at=onset + 0.05 + 0.002)
    assert np.sqrt(np.mean(following**2)) == pytest.approx(0.8 * 0.9 / np.sqrt(2), rel=0.1)


def test_voicecoach_check_reports_missing_devices_without_crashing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from voicecoach.cli.main import main

    def no_device(spec: object, kind: str) -> int:
        raise DeviceError(f"no {kind} device found. Fix: plug one in.")

    monkeypatch.setattr("voicecoach.audio.devices.resolve_device", no_device)
    assert main(["check", "--no-mic-test"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM  speaker: no output device found" in out
    assert "PROBLEM  microphone: no input device found" in out
    assert "speech: " in out and "echo cancelling: " in out


def test_the_microphone_level_test_tells_silence_from_a_voice() -> None:
    from fakes.fake_microphone import FakeMicrophone
    from voicecoach.cli.check import check_microphone_level

    silent = FakeMicrophone()
    silent.push_silence(0.5)
    finding = check_microphone_level(None, seconds=0.1, open_mic=lambda spec: silent)
    assert not finding.ok and "silence" in finding.text and silent.closed
    voice = FakeMicrophone()
    voice.push(tone(0.5, level=0.3))
    finding = check_microphone_level(None, seconds=0.1, open_mic=lambda spec: voice)
    assert finding.ok and "voice heard" in finding.text
    assert "[" in finding.text  # a level bar


def test_the_microphone_counts_portaudio_overflows_beside_dropped_blocks() -> None:
    made: list[FakeInputStream] = []
    mic = SoundDeviceMicrophone(stream_factory=input_stream_factory(made))
    made[0].deliver(np.zeros(320, np.float32), status=Flags(input_overflow=True))
    made[0].deliver(np.zeros(320, np.float32), status=Flags())
    made[0].deliver(np.zeros(320, np.float32), status=Flags(input_overflow=True))
    assert mic.health.input_overflows == 2 and mic.health.dropped_blocks == 0
    assert mic.health.describe() == "2 input overflows"
    assert mic.read(timeout=1.0) is not None  # the block still comes through


def test_the_speaker_counts_portaudio_underflows() -> None:
    speaker, stream = make_speaker()
    speaker.say(1, tone(0.2), RATE)
    stream.pull(status=Flags(output_underflow=True))
    stream.pull()
    assert speaker.health.output_underflows == 1
    assert not make_speaker()[0].health.troubled
