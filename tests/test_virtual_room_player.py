"""The whole voice player in a virtual room: real speech out, real microphone in.

The player runs as `voicecoach play --plain` in a private headless PulseAudio room (see
virtual_room.py). Its own speech reaches its microphone through the room, as it would
through the air; the test plays a person's recorded "stop" into the same room.
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
from pathlib import Path

import numpy as np
import pytest

from corpus import corpus_dir, kws_model_dir
from virtual_room import VirtualRoom, pulseaudio_available

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "chair-gentle-start"


def _room_or_skip() -> None:
    if not pulseaudio_available():
        if os.environ.get("VOICECOACH_REQUIRE_AUDIO") == "1":
            pytest.fail("pulseaudio/paplay are missing but VOICECOACH_REQUIRE_AUDIO=1")
        pytest.skip(
            "pulseaudio is not installed: the virtual-room tests need it (scripts/test installs it)"
        )


class Player:
    """`voicecoach play --plain` under the room, with its output lines timestamped."""

    def __init__(self, room: VirtualRoom, tmp: Path, model_dir: Path) -> None:
        env = dict(room.env)
        env.update(
            VOICECOACH_MODEL_DIR=str(model_dir),
            VOICECOACH_DATA_DIR=str(tmp / "data"),
            VOICECOACH_CONFIG_DIR=str(tmp / "config"),
            PYTHONUNBUFFERED="1",
        )
        # The player's speaker is further from the microphone than the person is: its
        # speech reaches the microphone about 12 dB below full scale.
        (tmp / "config").mkdir(exist_ok=True)
        (tmp / "config" / "settings.yaml").write_text("volume: 0.25\n", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "voicecoach", "play", SCRIPT, "--plain", "--engine", "kws"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.seen: list[str] = []
        assert self.process.stdout is not None
        stdout = self.process.stdout
        threading.Thread(
            target=lambda: [self.lines.put((time.monotonic(), line.rstrip())) for line in stdout],
            daemon=True,
        ).start()

    def wait_for(self, text: str, timeout: float) -> float:
        """The time the first line containing `text` appeared; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                when, line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if text in line:
                return when
        pytest.fail(
            f"no line with {text!r} within {timeout} s; the player printed:\n"
            + "\n".join(self.seen)
        )

    def lines_until(self, seconds: float) -> list[str]:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self.seen.append(self.lines.get(timeout=left)[1])
            except queue.Empty:
                break
        return self.seen

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture()
def player(tmp_path: Path) -> Iterator[tuple[VirtualRoom, Player]]:
    _room_or_skip()
    model_dir = kws_model_dir()
    with VirtualRoom() as room:
        running = Player(room, tmp_path, model_dir)
        try:
            yield room, running
        finally:
            running.close()


def _stop_clip(tmp: Path) -> Path:
    """A person's recorded "stop", brought to an ordinary speaking level (the corpus
    recordings are quiet), as a person near the microphone would sound."""
    from voicecoach.speech.synth import read_wav

    samples, rate = read_wav(corpus_dir() / "sc_v001_sample" / "stop" / "1eddce1d_nohash_3.wav")
    level = samples / max(1e-6, float(np.abs(samples).max())) * 0.5
    path = tmp / "stop.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((level * 32767).astype(np.int16).tobytes())
    return path


def test_a_person_saying_stop_over_the_players_speech_stops_it(
    player: tuple[VirtualRoom, Player], tmp_path: Path
) -> None:
    room, running = player
    clip = _stop_clip(tmp_path)
    # The safety preface is a long sentence: the person speaks over it.
    started = running.wait_for("Said: Sit in a firm chair", timeout=60)
    # Well into the sentence, as a person would interrupt.
    threading.Event().wait(2.0)
    room.play_file(clip, volume=1.0)
    played = time.monotonic()
    stopped = running.wait_for("Said: Stopped.", timeout=10)
    # The preface takes about 8 s to say; the stop came long before it could have ended.
    assert stopped - played < 3.0
    assert stopped - started < 6.0
    assert not any("not medical advice" in line for line in running.seen)


def test_the_players_own_speech_triggers_nothing(player: tuple[VirtualRoom, Player]) -> None:
    _, running = player
    # The introduction says "pain" and "stop"-like words; none of it may act as a command.
    running.wait_for("Said: This is not medical advice. Say pain", timeout=60)
    lines = running.lines_until(12.0)
    assert not any("Stopped." in line or "How bad is it" in line for line in lines), lines
