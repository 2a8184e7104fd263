"""`voicecoach settings`: list, change, reset and locate the settings.

    voicecoach settings                         every key: value, default, allowed, meaning
    voicecoach settings --json                  the same as JSON
    voicecoach settings set speech_rate 120     check, save, echo the new value
    voicecoach settings set personal_words.stop halt, enough
    voicecoach settings reset speech_rate       back to the default
    voicecoach settings reset --all             set the whole file aside (kept as .bak)
    voicecoach settings path                    where the file is

A value that is not allowed exits 2 with the key and what it allows, and writes nothing.
A new voice must be installed, a new model_path must hold a speech model, and a new
personal word may not sound like another command's words (settings_file.py says how).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from voicecoach.errors import UsageError
from voicecoach.store import settings_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "settings",
        help="list or change settings (speech rate, rests, pain zones, personal words, ...)",
        description="Without an action, list every setting with its value, default, "
        "allowed values and meaning.",
    )
    parser.add_argument("--json", action="store_true", help="list the settings as JSON")
    actions = parser.add_subparsers(dest="settings_action", metavar="ACTION")

    change = actions.add_parser(
        "set",
        help="change one setting (checked before it is saved)",
        description="Change one setting. Word lists may be given without quotes: "
        "voicecoach settings set personal_words.stop halt, enough",
    )
    change.add_argument("key", metavar="KEY", help="a key listed by `voicecoach settings`")
    change.add_argument("value", metavar="VALUE", nargs="+", help="the new value")
    change.set_defaults(run=run_set)

    reset = actions.add_parser("reset", help="put one setting (or all) back to its default")
    reset.add_argument("key", metavar="KEY", nargs="?", help="the key to reset")
    reset.add_argument(
        "--all",
        action="store_true",
        help="use every default: the file is renamed to settings.yaml.bak",
    )
    reset.set_defaults(run=run_reset)

    where = actions.add_parser("path", help="show where the settings file is")
    where.set_defaults(run=run_path)

    parser.set_defaults(run=run_list)


def run_list(args: argparse.Namespace) -> int:
    path = settings_file.settings_path()
    reports = settings_file.describe_settings(path)
    if args.json:
        print(json.dumps({"path": str(path), "settings": [asdict(r) for r in reports]}, indent=2))
        return 0
    where = "" if path.exists() else " (not created yet: every value is the default)"
    print(f"Settings file: {path}{where}")
    print("Change one with: voicecoach settings set KEY VALUE")
    for report in reports:
        changed = f"   (changed; default {report.default})" if report.changed else ""
        print()
        print(f"{report.key} = {report.value}{changed}")
        print(f"    {report.meaning}")
        print(f"    Allowed: {report.allowed}.")
    return 0


def run_set(args: argparse.Namespace) -> int:
    shown = settings_file.save_setting(args.key, " ".join(args.value))
    print(f"{settings_file.find_key(args.key).name} = {shown}")
    return 0


def run_reset(args: argparse.Namespace) -> int:
    if args.all == bool(args.key):
        raise UsageError("settings reset: name one KEY to reset, or use --all for every setting")
    if args.all:
        backup = settings_file.reset_all()
        print(
            f"Every setting is back to its default (old file kept as {backup})."
            if backup
            else "Every setting is already at its default."
        )
        return 0
    shown = settings_file.reset_setting(args.key)
    print(f"{settings_file.find_key(args.key).name} = {shown} (the default)")
    return 0


def run_path(args: argparse.Namespace) -> int:
    print(settings_file.settings_path())
    return 0
