"""The real audio path, in a private PulseAudio room (tests/virtual_room.py): synthesised
speech played by SoundDeviceSpeaker is heard by SoundDeviceMicrophone, stop() silences
it within a bounded time, and the echo reference lines up with what the microphone hears.

Skipped (with the reason printed) only when PulseAudio is not installed and
VOICECOACH_REQUIRE_AUDIO is not 1.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from corpus import clips
from virtual_room import VirtualRoom, pulseaudio_available, reinitialise_portaudio
from voicecoach.audio.levels import level_db
from voicecoach.audio.microphone import SoundDeviceMicrophone
from voicecoach.audio.speaker import SoundDeviceSpeaker, open_speaker
from voicecoach.config.settings import AudioSettings, SpeechSettings
from voicecoach.speech.synth import synthesize

RATE = 16000
FRAME = 160  # 10 ms
SILENT_DB = -60.0
SPEECH = (
    "Lie on your back with your knees bent and your feet flat on the bed. "
    "Breathe in slowly, and let your shoulders relax."
)
CUT_BOUND_S = 0.15
"""stop() must silence the room within this (the design target is 50 ms; the bound
leaves room for a busy machine; the measured figure is printed)."""


@pytest.fixture(scope="module")
def room() -> Iterator[VirtualRoom]:
    if not pulseaudio_available():
        reason = "pulseaudio/paplay not installed (apt install pulseaudio pulseaudio-utils)"
        if os.environ.get("VOICECOACH_REQUIRE_AUDIO") == "1":
            pytest.fail(f"{reason}; VOICECOACH_REQUIRE_AUDIO=1 makes this a failure")
        print(f"skipping: {reason}")
        pytest.skip(reason)
    with VirtualRoom() as started:
        reinitialise_portaudio()  # PortAudio lists devices at init: let it see the room
        yield started
    reinitialise_portaudio()  # and forget them again


@dataclass
class Recording:
    """Microphone blocks, the stream time at which each block's first sample was
    captured, and the speaker's echo reference for each block."""

    blocks: list[np.ndarray] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    references: list[np.ndarray] = field(default_factory=list)

    def frames(self) -> tuple[np.ndarray, np.ndarray]:
        """(time, level dBFS) of every 10 ms frame."""
        times, levels = [], []
        for start, block in zip(self.starts, self.blocks, strict=False):
            for i in range(0, len(block) - FRAME + 1, FRAME):
                times.append(start + i / RATE)
                levels.append(level_db(block[i : i + FRAME]))
        return np.array(times), np.array(levels)


def record(
    mic: SoundDeviceMicrophone, speaker: SoundDeviceSpeaker, seconds: float, into: Recording
) -> None:
    """Read `seconds` of microphone blocks, each with the speaker's reference for it."""
    wanted = int(seconds * RATE)
    got = 0
    deadline = time.monotonic() + seconds + 5.0
    while got < wanted:
        assert time.monotonic() < deadline, "the microphone stopped delivering audio"
        block = mic.read(timeout=1.0)
        if block is None:
            continue
        captured = mic.last_capture_time
        assert captured is not None, "PortAudio gave no capture time"
        into.blocks.append(block)
        into.starts.append(captured)
        into.references.append(speaker.played_reference(len(block), captured_at=captured))
        got += len(block)


def test_the_microphone_hears_the_speech_and_stop_silences_it(room: VirtualRoom) -> None:
    speaker = open_speaker(AudioSettings(), SpeechSettings(volume=0.9))
    assert isinstance(speaker, SoundDeviceSpeaker), "the room's speaker was not found"
    mic = SoundDeviceMicrophone()
    samples, rate = synthesize(SPEECH, SpeechSettings())
    heard = Recording()
    try:
        record(mic, speaker, 0.3, heard)
        said_at = float(speaker._stream.time)
        speaker.say(1, samples, rate, text=SPEECH)
        record(mic, speaker, 1.7, heard)
        stopped_at = float(speaker._stream.time)
        speaker.stop()
        record(mic, speaker, 0.8, heard)
        finished = speaker.finished()
    finally:
        mic.close()
        speaker.close()

    times, levels = heard.frames()
    before = levels[times < said_at]
    during = levels[(times > said_at + 0.2) & (times < stopped_at)]
    after = levels[times > stopped_at + CUT_BOUND_S]
    loud = times[levels > SILENT_DB]
    first_sound = float(loud[0] - said_at)
    cut = float(loud[-1] + FRAME / RATE - stopped_at)
    print(
        f"\nroom: speech level {np.max(during):.1f} dBFS; first sound {1000 * first_sound:.0f} ms"
        f" after say(); last sound {1000 * cut:.0f} ms after stop() (output latency "
        f"{1000 * speaker.latency:.0f} ms)"
    )
    assert np.all(before < SILENT_DB), "the room was not quiet before speaking"
    assert np.max(during) > -35.0, "the microphone did not hear the speech"
    assert np.mean(during > SILENT_DB) > 0.5
    assert len(after) > 40 and np.all(after < SILENT_DB), "speech went on after stop()"
    assert cut < CUT_BOUND_S
    assert finished == [1]

    # The echo reference leads the microphone (never after it) by less than the
    # canceller's 200 ms filter.
    mic_signal = np.concatenate(heard.blocks)
    reference = np.concatenate(heard.references)
    start = int(0.5 * RATE)
    window = reference[start : start + RATE]
    scores = [
        float(np.dot(mic_signal[start + lag : start + lag + RATE], window))
        for lag in range(-int(0.05 * RATE), int(0.25 * RATE))
    ]
    lag = int(np.argmax(scores)) - int(0.05 * RATE)
    print(f"room: the microphone hears the reference {1000 * lag / RATE:.1f} ms after it")
    assert 0 <= lag < int(0.2 * RATE)


def loudest_half_second_db(x: np.ndarray) -> float:
    energy = np.convolve(x.astype(np.float64) ** 2, np.ones(RATE // 2), mode="valid")
    start = int(np.argmax(energy))
    return level_db(x[start : start + RATE // 2])


def person_saying_stop(folder: Path, level: float) -> Path:
    """A real person's "stop" (speech/dev), brought to `level` dBFS over its loudest
    half second, as a WAV file to play into the room."""
    from corpus import clips
    from voicecoach.audio.wav_files import read_for_recognizer

    samples = read_for_recognizer(clips(["stop"], 1)[0].path)
    samples = samples * 10 ** ((level - loudest_half_second_db(samples)) / 20)
    path = folder / "person-stop.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def test_a_person_heard_over_the_speech_survives_echo_cancelling(
    room: VirtualRoom, tmp_path: Path
) -> None:
    from voicecoach.audio.echo.canceller import EchoCanceller

    # The person 6 dB quieter than the player's speech at the microphone.
    person = person_saying_stop(tmp_path, level=-22.0)
    speaker = open_speaker(AudioSettings(), SpeechSettings(volume=0.9))
    assert isinstance(speaker, SoundDeviceSpeaker)
    mic = SoundDeviceMicrophone()
    samples, rate = synthesize(SPEECH + " " + SPEECH, SpeechSettings())
    heard = Recording()
    try:
        speaker.say(1, samples, rate)
        record(mic, speaker, 4.0, heard)
        player = room.play_file(person, volume=1.0, wait=False)
        record(mic, speaker, 1.5, heard)
        player.wait(timeout=10)
        speaker.stop()
    finally:
        mic.close()
        speaker.close()

    mic_signal = np.concatenate(heard.blocks)
    reference = np.concatenate(heard.references)
    canceller = EchoCanceller()
    cleaned = np.concatenate(
        [canceller.process(m, r) for m, r in zip(heard.blocks, heard.references, strict=True)]
    )
    echo_only = slice(int(2.5 * RATE), int(4.0 * RATE))
    reduction = level_db(mic_signal[echo_only]) - level_db(cleaned[echo_only])
    # The person's word: the loudest half second of what is left after 4 s.
    person_db = loudest_half_second_db(cleaned[int(4.0 * RATE) :])
    residual_db = level_db(cleaned[echo_only])
    print(
        f"\nroom: live echo reduction {reduction:.1f} dB (2.5-4 s after speech starts); "
        f"the person's word {person_db - residual_db:.1f} dB above the residual echo"
    )
    assert level_db(reference[echo_only]) > -40.0  # the reference carried the speech
    assert reduction > 6.0
    assert person_db - residual_db > 10.0


def test_voicecoach_check_finds_the_room_and_hears_a_person(room: VirtualRoom) -> None:
    command = [sys.executable, "-m", "voicecoach", "check"]
    check = subprocess.Popen(command, env=room.env, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert check.stdout is not None
        for line in check.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    said: list[str] = []
    try:
        while not said or "Microphone test" not in said[-1]:  # wait for the level test
            said.append(lines.get(timeout=30))
            assert said[-1], "voicecoach check ended before its microphone test"
        person = clips(["stop"], 1)[0].path  # a quiet recording: peak -19 dBFS
        room.play_file(person, volume=1.0)
        check.wait(timeout=30)
    finally:
        if check.poll() is None:
            check.kill()
            check.wait(timeout=10)
    while (line := lines.get(timeout=10)) != "":
        said.append(line)
    report = "".join(said)
    print("\n" + report)
    assert "OK       speaker: " in report
    assert "OK       microphone: " in report
    assert "OK       speech: " in report
    assert "OK       microphone level: " in report and "voice heard" in report
