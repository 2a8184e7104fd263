"""`voicecoach preview`: a whole session on a virtual clock, as a timestamped transcript."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from voicecoach.errors import UsageError
from voicecoach.script.library import find_script
from voicecoach.session.preview import preview
from voicecoach.store.settings_file import load_settings


def parse_say(text: str) -> tuple[float, str]:
    seconds, sep, phrase = text.partition(":")
    try:
        when = float(seconds)
    except ValueError:
        when = -1.0
    if not sep or when < 0 or not phrase.strip():
        raise UsageError(
            f"--say {text!r}: expected SECONDS:PHRASE, e.g. --say 40:pain or --say '95:hold on'"
        )
    return when, phrase.strip()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "preview",
        help="run a session on a virtual clock and print what would be said",
        description="Runs the session on a virtual clock. A simulated person skips the pain "
        "scores, says done after self-paced sets and yes to yes/no questions, unless a --say "
        "phrase comes first (use --no-simulate to turn that off).",
    )
    parser.add_argument("script", metavar="ID|PATH")
    parser.add_argument(
        "--say",
        action="append",
        default=[],
        metavar="SECONDS:PHRASE",
        help="a phrase heard at that second (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--no-simulate", action="store_true", help="no simulated answers; questions time out"
    )
    parser.add_argument(
        "--plan",
        type=Path,
        metavar="PATH",
        help="play the session as this plan file sets it (switched off, side, levels, zones)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Parsed here, not as an argparse type: a UsageError raised while argparse parses
    # escapes main()'s handler as a traceback.
    says = [parse_say(text) for text in args.say]
    script = find_script(args.script)
    settings = load_settings()
    levels: dict[str, int] = {}
    if args.plan is not None:
        from voicecoach.session.plan_following import apply_plan, followed_settings, planned_levels
        from voicecoach.store.plan_store import load_plan_file

        plan = load_plan_file(args.plan)
        assert plan is not None  # a path was given: a missing file raises PlanError
        script = apply_plan(script, plan)
        settings = replace(settings, session=followed_settings(settings.session, plan))
        levels = planned_levels(script, {}, plan)
    lines = preview(script, settings, says, levels=levels, simulate_person=not args.no_simulate)
    for line in lines:
        if args.json:
            print(json.dumps(line.as_json()))
        elif line.kind in ("say", "halt", "state", "heard", "simulated", "cue", "end"):
            print(line.as_text())
    return 0
