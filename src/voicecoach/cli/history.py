"""`voicecoach history`: past sessions as a table, or as JSON for other tools."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from voicecoach.errors import UsageError
from voicecoach.store.history import History, SessionSummary, default_history_path

TABLE_LIMIT = 20
"""Rows shown by default in the table; JSON lists every session unless --limit is given."""

ENDINGS = {
    "completed": "done",
    "stopped": "stopped",
    "pain": "pain",
    "interrupted": "interrupted",
    "closed": "closed",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "history",
        help="show past sessions",
        description="Show past sessions, newest first: date, script, minutes, how much "
        "was done, pain before and after, and exercises made easier or harder. "
        f"The table shows the last {TABLE_LIMIT} unless --limit is given.",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array (every session by default), with each pain score given",
    )
    parser.add_argument(
        "--limit", type=int, metavar="N", help="show only the N most recent sessions"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    limit: int | None = args.limit
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {limit}.")
    if not args.json and limit is None:
        limit = TABLE_LIMIT
    path = default_history_path()
    # Reading must not create an empty history file where there was none.
    pain: dict[int, list[dict[str, Any]]] = {}
    if path.exists():
        with History(path) as history:
            if history.damage_note:
                print(history.damage_note, file=sys.stderr)
            sessions, total = history.sessions(limit=limit), history.count_sessions()
            if args.json:
                pain = history.pain_reports()
    else:
        sessions, total = [], 0
    if args.json:
        listed = [{**s.to_json(), "pain_reports": pain.get(s.id, [])} for s in sessions]
        print(json.dumps(listed, indent=2, ensure_ascii=False))
    elif not sessions:
        print("No sessions yet. Each session you start will be listed here.")
    else:
        print(format_table(sessions))
        if total > len(sessions):
            print(
                f"\nThe {len(sessions)} most recent of {total} sessions; use --limit N to see more."
            )
    return 0


def format_table(sessions: Sequence[SessionSummary]) -> str:
    """Plain aligned columns: easy to read, and screen readers have no box lines to read."""
    header = ["Date", "Script", "Minutes", "Done", "Pain start→end", "Ended", "Changes"]
    rows = [header]
    for s in sessions:
        if s.problem:
            rows.append([f"session {s.id}", s.title, "?", "?", "?", "?", f"bad row: {s.problem}"])
            continue
        local = s.date.astimezone()
        ending = ENDINGS.get(s.end_reason, s.end_reason)
        if s.end_reason == "interrupted":
            ending += f" {s.ended.astimezone():%H:%M}"
        rows.append(
            [
                f"{local:%a} {local.day} {local:%b %Y %H:%M}",
                s.title,
                f"{s.minutes:.0f}",
                f"{100 * s.completed_share:.0f}%",
                f"{_score(s.pain_start)}→{_score(s.pain_end)}",
                ending,
                ", ".join(s.changes) or "-",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]])
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def _score(value: int | None) -> str:
    return "-" if value is None else str(value)
