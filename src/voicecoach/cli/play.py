"""`voicecoach play`: play a session in real time, by voice or (--text) as printed text."""

from __future__ import annotations

import argparse

from voicecoach.config.settings import Settings
from voicecoach.errors import SettingsError, UsageError
from voicecoach.script.library import find_script, scripts_for_position
from voicecoach.script.model import Script
from voicecoach.store.history import History
from voicecoach.store.settings_file import load_settings

DEFAULT_SCRIPT = {"chair": "chair-gentle-start", "bed": "bed-gentle-start"}


def add_session_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `play` and `start`."""
    parser.add_argument(
        "--text", action="store_true", help="print instead of speaking; type commands"
    )
    parser.add_argument("--plain", action="store_true", help="plain lines for screen readers")
    parser.add_argument("--model", metavar="PATH", help="speech model directory")
    parser.add_argument("--device", metavar="N|NAME", help="audio device for input and output")
    parser.add_argument(
        "--list-devices",
        action="store_true",
        help="list audio devices (numbers for --device) and exit",
    )
    parser.add_argument("--engine", choices=["auto", "kws", "vosk"], help="recogniser")
    # For demonstrations and subprocess tests: run the clock this many times faster.
    parser.add_argument("--time-scale", type=float, default=1.0, help=argparse.SUPPRESS)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("play", help="play a session now")
    parser.add_argument("script", nargs="?", metavar="ID|PATH", help="script id or file")
    parser.add_argument(
        "--position", choices=["bed", "chair"], help="only scripts for this position"
    )
    add_session_options(parser)
    parser.set_defaults(run=run)


def settings_from(args: argparse.Namespace) -> Settings:
    overrides: dict[str, str] = {}
    if getattr(args, "model", None):
        overrides["model_path"] = args.model
    if getattr(args, "device", None):
        overrides["input_device"] = overrides["output_device"] = args.device
    if getattr(args, "engine", None):
        overrides["engine"] = args.engine
    return load_settings(overrides=overrides)


def settings_or_say_why(args: argparse.Namespace) -> Settings:
    """settings_from(args); when they cannot be read and the session would be spoken, the
    person also hears that it cannot start (spoken_errors.py)."""
    try:
        return settings_from(args)
    except SettingsError:
        if not getattr(args, "text", False):
            from voicecoach.player.spoken_errors import SETTINGS_PROBLEM, say_aloud

            say_aloud(SETTINGS_PROBLEM)
        raise


def plan_or_say_why(args: argparse.Namespace) -> None:
    """Check the plan file before a session starts: a plan with a mistake stops it (a
    physiotherapist's limits are never quietly ignored), and a voice session says so."""
    from voicecoach.script.plan_file import PlanError
    from voicecoach.store.plan_store import load_plan_file

    try:
        load_plan_file()
    except PlanError:
        if not getattr(args, "text", False):
            from voicecoach.player.spoken_errors import PLAN_PROBLEM, say_aloud

            say_aloud(PLAN_PROBLEM)
        raise


def choose_script(script_arg: str | None, position: str | None) -> Script:
    if script_arg is None:
        if position is None:
            position = "chair"
        scripts = scripts_for_position(position)
        by_id = {s.id: s for s in scripts}
        return by_id.get(DEFAULT_SCRIPT[position], scripts[0])
    script = find_script(script_arg)
    if position is not None and script.position.value != position:
        others = ", ".join(s.id for s in scripts_for_position(position))
        raise UsageError(
            f"{script.id} is a {script.position.value} script, not {position}. "
            f"Scripts for {position}: {others}."
        )
    return script


def list_devices_requested(args: argparse.Namespace) -> bool:
    """Handle --list-devices: print the devices and say so."""
    if not args.list_devices:
        return False
    from voicecoach.audio.devices import format_devices, list_devices

    print(format_devices(list_devices()))
    return True


def run(args: argparse.Namespace) -> int:
    if list_devices_requested(args):
        return 0
    settings = settings_or_say_why(args)
    plan_or_say_why(args)
    script = choose_script(args.script, args.position)
    from voicecoach.player.voice_player import play_script, player_session

    history = History()
    try:
        with player_session(
            settings, text=args.text, plain=args.plain, time_scale=args.time_scale
        ) as session:
            play_script(script, settings, session, history=history)
    finally:
        history.close()
    return 0
