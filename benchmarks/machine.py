"""The machine and software a benchmark ran on, for the report's header."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # not Linux: fall back to what platform knows
        pass
    return platform.processor() or platform.machine() or "unknown"


def os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:  # no os-release: platform's own words
        pass
    return f"{platform.system()} {platform.release()}"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def espeak_version() -> str | None:
    program = shutil.which("espeak-ng")
    if program is None:
        return None
    try:
        done = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):  # a broken espeak-ng: just leave it out
        return None
    # "eSpeak NG text-to-speech: 1.51  Data at: ..." -> "1.51"
    words = done.stdout.split("Data at")[0].split(":")[-1].split()
    return words[0] if words else None


def describe() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "os": os_name(),
        "kernel": platform.release(),
        "load_average_at_start": None if load is None else [round(x, 2) for x in load],
        "packages": {
            name: _version(name)
            for name in ("voicecoach", "numpy", "sherpa-onnx", "vosk", "pyaec", "pyttsx3")
        },
        "espeak": espeak_version(),
    }
