"""`voicecoach plan show|validate [PATH]`: the plan file a physiotherapist sets.

`validate` checks the file and prints every problem as FILE:LINE:COLUMN lines (exit 2);
`show` prints what the plan changes, in words. Without PATH: plan.yaml in the settings
folder. The format is in docs/safety.md, "The plan file".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="check or show the plan file a physiotherapist sets",
        description="The plan file (plan.yaml in the settings folder) sets the affected "
        "side, exercises switched off, level caps or locked levels, how often to exercise "
        "and the pain zones. `validate` reports every problem as FILE:LINE:COLUMN; `show` "
        "prints what the plan changes. Sessions follow it whenever it is there.",
    )
    parser.add_argument("action", choices=["show", "validate"], help="what to do")
    parser.add_argument("path", nargs="?", type=Path, metavar="PATH", help="another plan file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.errors import UsageError
    from voicecoach.script.plan_file import PlanError
    from voicecoach.store.plan_store import load_plan_file, plan_path

    path: Path = args.path if args.path is not None else plan_path()
    if not path.exists():
        raise UsageError(
            f"{path}: there is no plan file here (write one as docs/safety.md, "
            '"The plan file", shows, or give its path: `voicecoach plan validate FILE`)'
        )
    try:
        plan = load_plan_file(path)
    except PlanError as error:
        print("\n".join(error.problems), file=sys.stderr)
        print(
            f"voicecoach: the plan file {path} has {len(error.problems)} problem(s); each line "
            "above says where and what was expected.",
            file=sys.stderr,
        )
        return 2
    assert plan is not None
    if args.action == "validate":
        print(f"{path}: ok")
        return 0
    print("\n".join(describe(plan)))
    return 0


def describe(plan: object) -> list[str]:
    from voicecoach.script.plan_file import Plan

    assert isinstance(plan, Plan)
    lines = [f"Plan file: {plan.path}"]
    lines.append(f"Affected side: {plan.affected_side or 'not set'}")
    lines.append(f"How often: {plan.how_often() or 'not set'}")
    if plan.pain_zones:
        green, amber = plan.pain_zones
        lines.append(f"Pain zones: green 0-{green}, amber {green + 1}-{amber}, red {amber + 1}-10")
    else:
        lines.append("Pain zones: as in the settings")
    off = sorted(plan.switched_off)
    lines.append(f"Switched off: {', '.join(off) if off else 'none'}")
    if not plan.levels:
        lines.append("Levels: no caps")
    for name, rule in sorted(plan.levels.items()):
        if rule.locked is not None:
            lines.append(f"Level of {name}: locked at {rule.locked:+d}")
        else:
            lines.append(f"Level of {name}: at most {rule.cap:+d}")
    return lines
