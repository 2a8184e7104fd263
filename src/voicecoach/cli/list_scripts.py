"""`voicecoach list`: the bundled scripts, with how long each takes."""

from __future__ import annotations

import argparse
import json

from voicecoach.script.library import load_library, scripts_for_position
from voicecoach.session.preview import estimated_seconds
from voicecoach.store.settings_file import load_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("list", help="list the session scripts")
    parser.add_argument(
        "--position", choices=["bed", "chair"], help="only scripts for this position"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    scripts = scripts_for_position(args.position) if args.position else load_library()
    rows = [
        {
            "id": s.id,
            "title": s.title,
            "position": s.position.value,
            "minutes": round(estimated_seconds(s, settings) / 60),
            "exercises": len(s.exercises),
        }
        for s in scripts
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(
            f"{row['id']:<24} {row['position']:<6} about {row['minutes']:>2} minutes, "
            f"{row['exercises']} exercises  {row['title']}"
        )
    return 0
