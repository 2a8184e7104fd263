"""`voicecoach check`: is everything in place for a spoken session?

One line per part, "OK" or "PROBLEM" with how to fix it: speech synthesis (timed), the
speaker, the microphone, the recogniser and its model, echo cancelling, and a 3-second
microphone level test. Never crashes for want of a device; exit status 1 when something
needs fixing.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typing only: these modules load numpy, which --help should not wait for
    from voicecoach.audio.microphone import Microphone
    from voicecoach.config.settings import Settings

MIC_TEST_SECONDS = 3.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check speech, speaker, microphone and speech model",
        description="Check each part a spoken session needs and say how to fix what is "
        "missing: speech synthesis, the speaker, the microphone (with a 3-second level "
        "test), the recogniser and its model, and echo cancelling.",
    )
    parser.add_argument(
        "--list-devices", action="store_true", help="list sound devices (numbers for --device)"
    )
    parser.add_argument(
        "--device", metavar="N|NAME", help="check this device (number or part of its name)"
    )
    parser.add_argument(
        "--no-mic-test", action="store_true", help="skip the 3-second microphone level test"
    )
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class Finding:
    ok: bool
    part: str
    text: str

    def line(self) -> str:
        return f"{'OK     ' if self.ok else 'PROBLEM'}  {self.part}: {self.text}"


def run(args: argparse.Namespace) -> int:
    from voicecoach.audio.devices import format_devices, list_devices

    if args.list_devices:
        print(format_devices(list_devices()))
        return 0
    from voicecoach.errors import VoiceCoachError
    from voicecoach.store.settings_file import load_settings

    try:
        settings = load_settings()
    except VoiceCoachError as error:  # a broken settings file should not stop the check
        print(Finding(False, "settings", str(error)).line())
        from voicecoach.config.settings import Settings

        settings = Settings()
    output_spec = args.device or settings.audio.output_device
    input_spec = args.device or settings.audio.input_device
    findings = [
        check_speech(settings),
        check_device(output_spec, "output"),
        check_device(input_spec, "input"),
        check_recognizer(settings),
        check_echo_cancel(),
    ]
    for finding in findings:
        print(finding.line(), flush=True)
    if not args.no_mic_test and findings[2].ok:
        mic = check_microphone_level(input_spec)
        print(mic.line())
        findings.append(mic)
    return 0 if all(f.ok for f in findings) else 1


def check_speech(settings: Settings) -> Finding:
    from voicecoach.errors import VoiceCoachError
    from voicecoach.speech.synth import synthesize

    speech = settings.speech
    started = time.perf_counter()
    try:
        samples, rate = synthesize("Hello, ready when you are.", speech)
    except VoiceCoachError as error:
        return Finding(False, "speech", str(error))
    took = time.perf_counter() - started
    if len(samples) == 0:
        return Finding(
            False, "speech", "the synthesiser gave silence. Fix: `sudo apt install espeak-ng`."
        )
    return Finding(
        True,
        "speech",
        f"{engine_name()}; a short sentence ({len(samples) / rate:.1f} s of speech) "
        f"took {1000 * took:.0f} ms to make",
    )


def engine_name() -> str:
    try:
        import pyttsx3  # noqa: F401 - only asking whether it is there
    except ImportError:
        return "espeak-ng (pyttsx3 not installed: pip install pyttsx3)"
    return "pyttsx3 with espeak-ng"


def check_device(spec: str | None, kind: str) -> Finding:
    from voicecoach.audio.devices import list_devices, resolve_device
    from voicecoach.errors import DeviceError

    part = "microphone" if kind == "input" else "speaker"
    try:
        index = resolve_device(spec, "input" if kind == "input" else "output")
    except DeviceError as error:
        return Finding(False, part, str(error))
    info = next((d for d in list_devices() if d.index == index), None)
    if info is None:
        return Finding(True, part, f"device {index}")
    return Finding(
        True,
        part,
        f"{info.index} {info.name} ({info.host_api}, {info.default_samplerate:.0f} Hz)",
    )


def check_recognizer(settings: Settings) -> Finding:
    from dataclasses import replace

    from voicecoach.errors import ModelError
    from voicecoach.listening.factory import ENGINES, available_engines, create_recognizer
    from voicecoach.store.models import describe_missing, find_model

    recognition = settings.recognition
    wanted = [recognition.engine] if recognition.engine in ENGINES else list(ENGINES)
    ready = available_engines(recognition)
    for engine in wanted:
        if engine in ready:
            model = find_model(engine, recognition.model_path)
            try:  # load it for real: a damaged file is only found by loading it
                create_recognizer(replace(recognition, engine=engine))
            except ModelError as error:  # the adapters say which file and how to fix it
                return Finding(False, "recogniser", str(error))
            return Finding(True, "recogniser", f"{engine}, model {model} (loaded and run)")
    return Finding(False, "recogniser", describe_missing(wanted[0], recognition.model_path))


def check_echo_cancel() -> Finding:
    try:
        import pyaec  # noqa: F401 - only asking whether it is there
    except ImportError:
        return Finding(
            False,
            "echo cancelling",
            "the pyaec package is missing, so commands may be missed while the coach "
            "talks. Fix: pip install pyaec",
        )
    return Finding(True, "echo cancelling", "speex echo canceller (pyaec)")


def check_microphone_level(
    spec: str | None,
    seconds: float = MIC_TEST_SECONDS,
    open_mic: Callable[[str | None], Microphone] | None = None,
) -> Finding:
    """Record `seconds` and report the peak and RMS level as text bars."""
    import numpy as np

    from voicecoach.errors import DeviceError

    print(f"Microphone test: say a few words now ({seconds:.0f} seconds)...", flush=True)
    try:
        mic = (open_mic or _open_microphone)(spec)
    except DeviceError as error:
        return Finding(False, "microphone level", str(error))
    blocks = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            block = mic.read(timeout=1.0)
            if block is not None:
                blocks.append(block)
            elif not mic.alive:
                break
    finally:
        mic.close()
    if not blocks:
        return Finding(
            False,
            "microphone level",
            "no sound arrived from the microphone. Fix: check it is plugged in and not in "
            "use by another program, then run `voicecoach check` again.",
        )
    audio = np.concatenate(blocks)
    peak = _db(float(np.max(np.abs(audio))))
    window = min(len(audio), 4800)  # the loudest 0.3 s: the words, not the pauses
    power = np.convolve(np.square(audio, dtype=np.float64), np.ones(window) / window, "valid")
    loud = _db(float(np.sqrt(np.max(power))))
    clipped = float(np.mean(np.abs(audio) > 0.99))
    level = f"peak {peak:6.1f} dBFS {_bar(peak)}  speech {loud:6.1f} dBFS {_bar(loud)}"
    if peak < -70:
        return Finding(
            False,
            "microphone level",
            f"{level}: silence. Fix: unmute the microphone and turn its level up "
            "(e.g. `pavucontrol` or `alsamixer`).",
        )
    if peak < -30:
        return Finding(
            False,
            "microphone level",
            f"{level}: very quiet (no speech heard?). Fix: speak during the test, move the "
            "microphone closer, or turn its level up.",
        )
    if clipped > 0.001:
        return Finding(
            False,
            "microphone level",
            f"{level}: too loud, the sound clips. Fix: turn the microphone level down.",
        )
    return Finding(True, "microphone level", f"{level}: voice heard")


def _open_microphone(spec: str | None) -> Microphone:
    from voicecoach.audio.microphone import open_microphone
    from voicecoach.config.settings import AudioSettings

    return open_microphone(AudioSettings(input_device=spec))


def _db(value: float) -> float:
    import math

    return 20 * math.log10(max(value, 1e-6))


def _bar(db: float, width: int = 20) -> str:
    filled = max(0, min(width, round((db + 60) / 60 * width)))
    return "[" + "#" * filled + "-" * (width - filled) + "]"
