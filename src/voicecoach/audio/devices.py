"""Sound devices: listing them and resolving `--device N|NAME` (rates: resampling.py).

sounddevice (PortAudio) is imported inside functions: it enumerates devices when it is
imported, which is slow and pointless for commands that never touch audio.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from voicecoach.errors import DeviceError

Kind = Literal["input", "output"]
FloatArray = npt.NDArray[np.float32]

LIST_HINT = "`voicecoach check --list-devices` lists them"


def portaudio() -> ModuleType:
    """The sounddevice module, or DeviceError saying how to install what is missing."""
    try:
        import sounddevice
    except ImportError as error:
        raise DeviceError(
            "the sounddevice package is not installed. Fix: pip install 'voicecoach[audio]'"
        ) from error
    except OSError as error:  # sounddevice raises OSError when libportaudio is missing
        raise DeviceError(
            f"the PortAudio library could not be loaded ({error}). "
            "Fix: sudo apt install libportaudio2 (Debian/Ubuntu)."
        ) from error
    module: ModuleType = sounddevice
    return module


def reinitialise_portaudio() -> None:
    """Re-read the device list (after a sound server started, or a device came back)."""
    sd = portaudio()
    sd._terminate()
    sd._initialize()


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    host_api: str
    inputs: int
    outputs: int
    default_samplerate: float
    default_input: bool
    default_output: bool


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio sees; empty when there are none (or no PortAudio at all)."""
    try:
        sd = portaudio()
    except DeviceError:
        return []
    default_in, default_out = _defaults(sd)
    apis = [str(api["name"]) for api in sd.query_hostapis()]
    found = []
    for d in sd.query_devices():
        found.append(
            DeviceInfo(
                index=int(d["index"]),
                name=str(d["name"]),
                host_api=apis[int(d["hostapi"])] if int(d["hostapi"]) < len(apis) else "?",
                inputs=int(d["max_input_channels"]),
                outputs=int(d["max_output_channels"]),
                default_samplerate=float(d["default_samplerate"]),
                default_input=int(d["index"]) == default_in,
                default_output=int(d["index"]) == default_out,
            )
        )
    return found


def format_devices(devices: list[DeviceInfo]) -> str:
    """One line per device: number, name, inputs/outputs, `<` default output, `>` input."""
    if not devices:
        return "No sound devices found."
    lines = []
    for d in devices:
        mark = ("<" if d.default_output else " ") + (">" if d.default_input else " ")
        lines.append(
            f"{mark} {d.index:2d}  {d.name} ({d.host_api}, {d.inputs} in, {d.outputs} out, "
            f"{d.default_samplerate:.0f} Hz)"
        )
    lines.append("< default speaker   > default microphone")
    return "\n".join(lines)


def resolve_device(spec: str | int | None, kind: Kind) -> int:
    """The device number for `spec` (a number, part of a name, or None for the default).

    DeviceError, with the device list, when nothing fits.
    """
    sd = portaudio()
    role = "microphone" if kind == "input" else "speaker"
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        default = _defaults(sd)[0 if kind == "input" else 1]
        if default < 0:
            raise DeviceError(
                f"no {role} found (PortAudio sees no default {kind} device). "
                f"Fix: plug one in or start the sound server, then run `voicecoach check`."
                + _listing()
            )
        return default
    wanted: int | str = int(spec) if isinstance(spec, str) and spec.strip().isdigit() else spec
    try:
        info = sd.query_devices(wanted, kind)
    except (ValueError, sd.PortAudioError) as error:  # no match, ambiguous, wrong kind
        raise DeviceError(
            f"{role} {spec!r} not usable: {error}. Fix: pass a number or a part of a name "
            f"with --device ({LIST_HINT})." + _listing()
        ) from error
    return int(info["index"])


def _defaults(sd: Any) -> tuple[int, int]:
    device = sd.default.device
    return int(device[0]), int(device[1])


def _listing() -> str:
    return "\n" + format_devices(list_devices())
