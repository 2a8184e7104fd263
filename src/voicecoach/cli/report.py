"""`voicecoach report`: a progress report to look at, print or show a physiotherapist."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from voicecoach.store.history import History, data_dir, default_history_path

REPORT_FILE_NAME = "report.html"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write a progress report (HTML with charts)",
        description="Write a progress report: sessions per week, how much was done, pain "
        "before and after, exercises made easier or harder, and for recent sessions which "
        "exercise each pain report came from and where levels changed. The HTML file is "
        "self-contained (open it in any browser, print it or send it). "
        "With --out FILE.png only the pain chart is written. Prints the file's path.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help=f"where to write it: a new file or one to replace, - for standard output "
        f"(default: {REPORT_FILE_NAME} in the voicecoach data folder)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # draws with matplotlib: load on use
    from voicecoach.report.document import render_html, write_report
    from voicecoach.report.scores import as_given

    out: Path = args.out if args.out is not None else data_dir() / REPORT_FILE_NAME
    path = default_history_path()
    # Reading must not create an empty history file where there was none.
    details: dict[int, list[dict[str, Any]]] = {}
    if path.exists():
        with History(path) as history:
            if history.damage_note:
                print(history.damage_note, file=sys.stderr)
            pain = history.pain_reports()
            sessions = as_given(history.sessions(), pain)
            details = session_details(pain, history.level_reports())
        for bad in (s for s in sessions if s.problem):  # the page says so too
            print(f"session {bad.id} is left out of the report: {bad.problem}", file=sys.stderr)
    else:
        sessions = []
    if str(args.out) == "-":
        sys.stdout.write(render_html(sessions, details=details))
        return 0
    written = write_report(sessions, out.expanduser(), details)
    print(written.resolve())
    return 0


def session_details(
    pain: dict[int, list[dict[str, Any]]], levels: dict[int, list[dict[str, Any]]]
) -> dict[int, list[dict[str, Any]]]:
    """Pain reports during each session and its levels, in session time order."""
    merged: dict[int, list[dict[str, Any]]] = {}
    for session_id, reports in pain.items():
        during = [{"kind": "pain", **r} for r in reports if r.get("moment") not in ("start", "end")]
        if during:
            merged.setdefault(session_id, []).extend(during)
    for session_id, reports in levels.items():
        merged.setdefault(session_id, []).extend({"kind": "level", **r} for r in reports)
    return {k: sorted(v, key=lambda r: float(r.get("t", 0.0))) for k, v in merged.items()}
