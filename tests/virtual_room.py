"""A private, headless PulseAudio "room" for tests of the real audio path.

Everything played to the room's default output is heard on its default input, so the
player's own speech and a "person" clip played with `room.play_file(...)` mix in the air,
as they would in a bedroom. The daemon runs from a temporary directory with its own
runtime, state, config and home directories, so it never touches another sound server;
it is started and stopped by the test (a context manager), and every wait has a timeout.

    with VirtualRoom() as room:
        reinitialise_portaudio()          # PortAudio enumerates devices at init
        ...                               # open SoundDeviceSpeaker / SoundDeviceMicrophone
        room.play_file(clip, volume=0.5)  # the person speaks (paplay into the room)

The room's speaker and microphone are PortAudio's "default" (and "pulse") devices, so
`open_speaker(AudioSettings(), ...)` and `open_microphone(AudioSettings())` find them.

While the room runs, this process's environment points at it (PULSE_SERVER and friends);
`room.stop()` (or leaving the `with`) restores it. `room.env` is the environment for
subprocesses (e.g. `voicecoach play ...` run under the room).
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import IO

# From ../shared/notes/virtual-room.md. The "keeper" loopback keeps the room's monitor
# running in small blocks (an idle null sink renders 2 s blocks and a new recording's
# first audio would arrive ~2 s late). Suspending and resuming the room once at start cuts
# the null sink's first 2 s render short: measured, the first recorded audio came after
# ~2.0 s without it and ~0.06 s with it.
ROOM_PA = """\
.fail
load-module module-native-protocol-unix
load-module module-null-sink sink_name=room rate=48000 channels=1
load-module module-null-sink sink_name=keeper rate=48000 channels=1
load-module module-loopback source=room.monitor sink=keeper latency_msec=20 \
source_dont_move=true sink_dont_move=true
set-default-sink room
set-default-source room.monitor
suspend-sink room 1
suspend-sink room 0
"""

_READY_LINE = "Daemon startup complete."
# Variables that point a PulseAudio client (libpulse, the ALSA pulse plugin) at a server.
_CLIENT_VARS = ("PULSE_SERVER", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH", "PULSE_CLIENTCONFIG")


class RoomError(RuntimeError):
    """The virtual room could not be started or used."""


def pulseaudio_available() -> bool:
    return shutil.which("pulseaudio") is not None and shutil.which("paplay") is not None


def reinitialise_portaudio() -> None:
    """Make an already imported sounddevice see the devices of the running room."""
    import sounddevice

    sounddevice._terminate()
    sounddevice._initialize()


class VirtualRoom:
    def __init__(self, start_timeout: float = 10.0) -> None:
        self.start_timeout = start_timeout
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[str] | None = None
        self._saved_env: dict[str, str | None] = {}
        self._log: list[str] = []
        self.env: dict[str, str] = {}
        """Environment for subprocesses that should play or record in this room."""

    # ------------------------------------------------------------ lifetime

    def start(self) -> VirtualRoom:
        if not pulseaudio_available():
            raise RoomError("pulseaudio/paplay not installed (apt install pulseaudio-utils)")
        self._tmp = tempfile.TemporaryDirectory(prefix="voicecoach-room-")
        root = Path(self._tmp.name)
        dirs = {name: root / name for name in ("run", "state", "config", "home")}
        for d in dirs.values():
            d.mkdir(mode=0o700)
        config = root / "room.pa"
        config.write_text(ROOM_PA)
        # Clients of this room never start a daemon of their own.
        client_config = root / "client.conf"
        client_config.write_text("autospawn = no\n")
        server_env = {
            "PULSE_RUNTIME_PATH": str(dirs["run"]),
            "PULSE_STATE_PATH": str(dirs["state"]),
            "XDG_CONFIG_HOME": str(dirs["config"]),
            "XDG_RUNTIME_DIR": str(dirs["run"]),
            "HOME": str(dirs["home"]),
        }
        self.env = {
            **os.environ,
            **server_env,
            "PULSE_SERVER": f"unix:{dirs['run'] / 'native'}",
            "PULSE_CLIENTCONFIG": str(client_config),
        }
        self._process = subprocess.Popen(
            [
                "pulseaudio",
                "-n",
                "-F",
                str(config),
                "--daemonize=no",
                "--use-pid-file=no",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--log-target=stderr",
                "--log-level=info",
            ],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        assert self._process.stderr is not None
        threading.Thread(
            target=_pump_lines, args=(self._process.stderr, lines), daemon=True
        ).start()
        try:
            self._wait_ready(lines)
        except BaseException:
            self.stop()
            raise
        self._point_this_process_here()
        return self

    def stop(self) -> None:
        """Stop the daemon (by its own PID) and restore this process's environment."""
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout=5)
            self._process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> VirtualRoom:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # ------------------------------------------------------------ using the room

    def play_file(
        self,
        path: str | os.PathLike[str],
        volume: float = 0.5,
        wait: bool = True,
        timeout: float = 30.0,
    ) -> subprocess.Popen[bytes]:
        """Play a WAV file into the room (the person speaking), its samples scaled by
        `volume` (a plain amplitude factor, 0-1: 0.5 is -6 dB).

        Two full-scale sources can clip, so the default is half. With `wait`, returns
        when paplay has finished (or raises after `timeout`); without, returns the
        running paplay process.
        """
        if not self.running:
            raise RoomError("the virtual room is not running")
        # PulseAudio's volume scale is cubic: 65536 * cbrt(amplitude).
        level = max(0, min(65536, round(65536 * max(0.0, volume) ** (1 / 3))))
        player = subprocess.Popen(
            ["paplay", "--device=room", f"--volume={level}", os.fspath(path)],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if wait:
            try:
                _, err = player.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                player.kill()
                player.communicate(timeout=5)
                raise RoomError(f"paplay did not finish {path} within {timeout} s") from None
            if player.returncode != 0:
                raise RoomError(f"paplay failed on {path}: {err.decode(errors='replace')}")
        return player

    def pactl(self, *args: str, timeout: float = 10.0) -> str:
        """Run `pactl ARGS` against this room and return its output."""
        done = subprocess.run(
            ["pactl", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RoomError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    @property
    def log(self) -> str:
        """What the daemon said while starting (for failure messages)."""
        return "\n".join(self._log)

    # ------------------------------------------------------------ internals

    def _wait_ready(self, lines: queue.Queue[str | None]) -> None:
        while True:
            try:
                line = lines.get(timeout=self.start_timeout)
            except queue.Empty:
                raise RoomError(
                    f"pulseaudio did not start within {self.start_timeout} s:\n{self.log}"
                ) from None
            if line is None:
                raise RoomError(f"pulseaudio exited while starting:\n{self.log}")
            self._log.append(line.rstrip())
            if _READY_LINE in line:
                return

    def _point_this_process_here(self) -> None:
        for name in _CLIENT_VARS:
            self._saved_env[name] = os.environ.get(name)
            if name in self.env:
                os.environ[name] = self.env[name]
            else:
                os.environ.pop(name, None)


def _pump_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    # Reads the daemon's log until it exits, so its pipe never fills up.
    for line in stream:
        lines.put(line)
    lines.put(None)
