"""The private PulseAudio room of the tests (tests/virtual_room.py), for the measurements
that run the real player with real audio streams, and a timed recording of it."""

from __future__ import annotations

import contextlib
import importlib.util
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16000


def room_module(root: Path) -> tuple[Any | None, str]:
    """tests/virtual_room.py as a module, or None and why it cannot be used."""
    path = root / "tests" / "virtual_room.py"
    if not path.is_file():
        return None, f"{path} not found"
    spec = importlib.util.spec_from_file_location("voicecoach_bench_virtual_room", path)
    if spec is None or spec.loader is None:
        return None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not module.pulseaudio_available():
        return None, "pulseaudio/paplay not installed"
    return module, ""


@contextlib.contextmanager
def virtual_room(root: Path) -> Iterator[tuple[Any | None, str]]:
    """(a running room, "") or (None, why not)."""
    module, why = room_module(root)
    if module is None:
        yield None, why
        return
    try:
        room = module.VirtualRoom().start()
    except module.RoomError as error:
        yield None, f"the room did not start: {str(error).splitlines()[0]}"
        return
    try:
        yield room, ""
    finally:
        room.stop()


@dataclass
class RoomRecording:
    """Everything heard in the room (its monitor) at 16 kHz, with the wall clock
    (time.monotonic) of each sample estimated from when its block arrived."""

    env: dict[str, str]
    _process: subprocess.Popen[bytes] | None = None
    _chunks: list[np.ndarray] = field(default_factory=list)
    _samples: int = 0
    _offset: float = float("inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def start(self) -> RoomRecording:
        self._process = subprocess.Popen(
            [
                "parec",
                "--device=room.monitor",
                f"--rate={RATE}",
                "--channels=1",
                "--format=s16le",
                "--latency-msec=10",
            ],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stream = self._process.stdout
        while True:
            data = stream.read1(640) if hasattr(stream, "read1") else stream.read(640)
            now = time.monotonic()
            if not data:
                return
            block = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float32)
            with self._lock:
                self._chunks.append(block / 32768.0)
                self._samples += len(block)
                # The least-delayed block dates the stream best: sample n sounded at
                # offset + n / RATE, and no block can arrive before its samples sounded.
                self._offset = min(self._offset, now - self._samples / RATE)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def audio(self) -> tuple[np.ndarray, float]:
        """(samples so far, wall clock of sample 0)."""
        with self._lock:
            samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
            return samples, self._offset

    def level_db_recent(self, seconds: float) -> float:
        """dBFS of the last `seconds` heard in the room."""
        with self._lock:
            need = int(seconds * RATE)
            parts: list[np.ndarray] = []
            have = 0
            for chunk in reversed(self._chunks):
                parts.append(chunk)
                have += len(chunk)
                if have >= need:
                    break
        if not parts:
            return -120.0
        recent = np.concatenate(parts[::-1])[-need:]
        return 20 * float(np.log10(max(float(np.sqrt(np.mean(np.square(recent)))), 1e-6)))


@dataclass
class Line:
    at: float
    """time.monotonic when the line was read."""
    text: str


class PlayerProcess:
    """`voicecoach play ... --plain` as a child: its stdout lines, each with the moment it
    was read; commands typed on its stdin; stopped by its own PID."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.lines: list[Line] = []
        self.errors: list[str] = []
        self._new_line = threading.Condition()
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for text in self.process.stdout:
            line = Line(time.monotonic(), text.rstrip("\n"))
            with self._new_line:
                self.lines.append(line)
                self._new_line.notify_all()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for text in self.process.stderr:
            if "underrun" not in text:  # PortAudio's ALSA layer reports these; not ours
                self.errors.append(text.rstrip("\n"))

    def wait_for(self, prefix: str, after: float = 0.0, timeout: float = 10.0) -> Line | None:
        """The first line starting with `prefix` read after `after`, waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        with self._new_line:
            while True:
                for line in self.lines:
                    if line.at >= after and line.text.startswith(prefix):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    return None
                self._new_line.wait(timeout=left)

    def type(self, text: str) -> None:
        if self.process.stdin is None:
            return
        try:
            self.process.stdin.write(text + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # it has ended; the caller sees that from process.poll()

    def stop(self) -> None:
        """Terminate it (SIGTERM to its own PID) and reap it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def peak_memory_mb(self) -> float | None:
        """Its peak resident memory so far (VmHWM), while it runs."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:  # not Linux, or already gone
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024
        return None
