"""The progress report: one self-contained HTML file (or just the pain chart as PNG).

Made for a person and their physiotherapist to look at together: sessions per week,
how much of each session was done, pain before and after, and which exercises were
made easier or harder. Charts are drawn with matplotlib (charts.py, imported only when a
report is made) as PNG embedded in the page, so the file needs no network and can be
mailed or printed. Every chart has alt text that says what it shows, and the numbers
behind it are in tables below. Long histories are summed up by week; dates are shown
in local time.
"""

from __future__ import annotations

import base64
import html
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from statistics import fmean
from typing import TYPE_CHECKING, Any

from voicecoach.report.charts import (
    ReportError,
    completion_alt,
    completion_chart_png,
    pain_alt,
    pain_chart_png,
    sessions_alt,
    sessions_chart_png,
)
from voicecoach.report.weeks import WeekSummary, exercise_changes, weekly
from voicecoach.report.wording import count, day, minutes_seconds, pain_pair, percent, when
from voicecoach.store.history import SessionSummary

__all__ = ["OutRefused", "ReportError", "WeekSummary", "render_html", "weekly", "write_report"]

if TYPE_CHECKING:
    pass

RECENT_SESSIONS = 15
# ---------------------------------------------------------------- writing


def write_report(
    sessions: Sequence[SessionSummary],
    out: Path,
    details: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
) -> Path:
    """Write the HTML report, or only the pain chart when `out` ends in .png. `details`:
    per session id, its pain reports during the session and its levels (cli/report.py).

    `out` must be a new path or a regular file (it is replaced); anything else (a device,
    a pipe, a folder, or a link to one) is refused untouched with ReportError."""
    _check_replaceable(out)
    if out.suffix.lower() == ".png":
        content = pain_chart_png([s for s in sessions if not s.problem])
    else:
        content = render_html(sessions, details=details).encode("utf-8")
    _write_private(out, content)
    return out


class OutRefused(ReportError):
    """--out names something the report must not replace: the person's to fix."""

    exit_code = 2


def _check_replaceable(out: Path) -> None:
    try:
        mode = os.stat(out).st_mode  # follows a link: what it points at would be replaced
    except FileNotFoundError:
        return  # a new path
    except OSError as error:  # e.g. a name too long, a folder we may not look into
        raise ReportError(
            f"cannot write the report to {out}: {error.strerror or error}. "
            "Choose another place with --out FILE."
        ) from error
    if not stat.S_ISREG(mode):
        raise OutRefused(
            f"{out} is not a regular file, so the report will not replace it. Choose a new "
            "file name with --out FILE, or --out - to print the page."
        )


def _write_private(out: Path, content: bytes) -> None:
    """Write via a temporary file, mode 0600 (health data), replacing `out` at once."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(content)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ReportError(
            f"cannot write the report to {out}: {error.strerror or error}. "
            "Choose another place with --out FILE."
        ) from error


# ---------------------------------------------------------------- HTML

_STYLE = """
body { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; font-size: 1.25rem;
  line-height: 1.5; color: #111; background: #fff; max-width: 62rem; margin: 0 auto;
  padding: 1rem 1.5rem 3rem; }
h1 { font-size: 2.2rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.6rem; margin-top: 2.5rem; border-bottom: 3px solid #0072B2; }
.note { border-left: 6px solid #D55E00; padding: 0.4rem 1rem; background: #f6f6f6; }
figure { margin: 1rem 0; }
figure img { width: 100%; height: auto; border: 1px solid #999; }
figcaption { font-size: 1.1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { border: 1px solid #666; padding: 0.35rem 0.8rem; text-align: left; }
td.number, th.number { text-align: right; }
thead th { background: #e8eef4; }
summary { cursor: pointer; font-weight: bold; }
@media print { h2 { break-before: auto; } figure, table { break-inside: avoid; } }
"""


def render_html(
    sessions: Sequence[SessionSummary],
    generated: datetime | None = None,
    details: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
) -> str:
    """The whole report page; self-contained (no links to load, no scripts). Sessions whose
    history row could not be read are named in a note and left out of the figures."""
    made = (generated or datetime.now()).astimezone()
    unreadable = [s for s in sessions if s.problem]
    sessions = [s for s in sessions if not s.problem]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>voicecoach exercise report</title>",
        f"<style>{_STYLE}</style></head>",
        "<body>",
        "<h1>Exercise report</h1>",
        f"<p>Made on {day(made)} by voicecoach.</p>",
        '<p class="note">A record of exercise sessions, not medical advice. If pain gets '
        "worse or new symptoms appear, talk to your physiotherapist or GP.</p>",
        *(
            f'<p class="note">Session {s.id} ({html.escape(s.title)}) could not be read and '
            f"is left out: {html.escape(s.problem)}.</p>"
            for s in unreadable
        ),
    ]
    if sessions:
        parts += _report_body(sessions, details or {})
    else:
        parts.append(
            "<p><strong>No sessions recorded yet.</strong> After your first session, "
            "run <code>voicecoach report</code> again to see your progress here.</p>"
        )
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _report_body(
    sessions: Sequence[SessionSummary], details: Mapping[int, Sequence[Mapping[str, Any]]]
) -> list[str]:
    oldest_first = sorted(sessions, key=lambda s: (s.date, s.id))
    weeks = weekly(oldest_first)
    changes = exercise_changes(oldest_first)
    parts = ["<h2>Summary</h2>", _summary_list(oldest_first, weeks)]
    parts += [
        "<h2>Sessions per week</h2>",
        _figure(sessions_chart_png(weeks), sessions_alt(weeks), _SEE_WEEKS),
        "<h2>How much of each session was done</h2>",
        _figure(completion_chart_png(weeks), completion_alt(weeks), _SEE_WEEKS),
        "<h2>Pain before and after sessions</h2>",
        _figure(
            pain_chart_png(oldest_first),
            pain_alt(oldest_first),
            "Lower is better. Pain scores of the latest sessions are in “Recent sessions”, "
            "and week by week in “Week by week”.",
        ),
        "<h2>Exercises made easier or harder</h2>",
        _changes_table(changes),
        "<h2>Recent sessions</h2>",
        _recent_table(oldest_first[::-1][:RECENT_SESSIONS]),
        "<h2>Pain during sessions, and levels</h2>",
        _details_table(oldest_first[::-1][:RECENT_SESSIONS], details),
        "<h2>Week by week</h2>",
        f"<details><summary>Show the numbers for all {count(len(weeks), 'week')} "
        "with sessions</summary>",
        _weeks_table(weeks),
        "</details>",
    ]
    return parts


def _summary_list(sessions: Sequence[SessionSummary], weeks: Sequence[WeekSummary]) -> str:
    first, last = sessions[0], sessions[-1]
    span_weeks = (weeks[-1].start - weeks[0].start).days // 7 + 1
    idle_weeks = span_weeks - len(weeks)
    items = [
        f"{count(len(sessions), 'session')} from {day(first.date)} to {day(last.date)}: "
        f"{len(sessions) / span_weeks:.1f} a week on average"
        + (f", with {count(idle_weeks, 'week')} without a session." if idle_weeks else "."),
        f"On average {percent(fmean(s.completed_share for s in sessions))} of the planned "
        f"exercises were done; {count(sum(s.minutes for s in sessions) / 60, 'hour')} "
        "of exercise in all.",
    ]
    paired = [s for s in sessions if s.pain_start is not None and s.pain_end is not None]
    if paired:
        before = fmean(s.pain_start or 0 for s in paired)
        after = fmean(s.pain_end or 0 for s in paired)
        items.append(
            f"Pain (0 to 10) averaged {before:.1f} before and {after:.1f} after sessions "
            f"({count(len(paired), 'session')} with both scores)."
        )
    endings = Counter(s.end_reason for s in sessions)
    early = [
        f"{count(number, 'session')} {_ENDINGS.get(reason, f'ended: {reason}')}"
        for reason, number in endings.most_common()
        if reason != "completed"
    ]
    if early:
        items.append("Not finished: " + "; ".join(early) + ".")
    items.append(
        f"Last session: {day(last.date)}, {last.title}, "
        f"{percent(last.completed_share)} done, {_ENDINGS.get(last.end_reason, last.end_reason)}."
    )
    return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"


_SEE_WEEKS = "The numbers for each week are in the table “Week by week” below."

_ENDINGS = {
    "completed": "completed",
    "stopped": "stopped early",
    "pain": "stopped because of pain",
    "interrupted": "interrupted (the player closed unexpectedly)",
    "closed": "closed by the person (Ctrl-C)",
}


def _figure(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _table(
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int] = (),
) -> str:
    """A table with a caption and column headers; `numeric` columns align right."""

    def align(i: int) -> str:
        return ' class="number"' if i in numeric else ""

    head = "".join(
        f'<th scope="col"{align(i)}>{html.escape(h)}</th>' for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{align(i)}>{html.escape(cell)}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _changes_table(changes: dict[str, Counter[str]]) -> str:
    if not changes:
        return "<p>No exercise was made easier or harder.</p>"
    rows = [
        [name, str(c["easier"]), str(c["harder"]), str(c["back to normal"])]
        for name, c in changes.items()
    ]
    return _table(
        "Times each exercise was changed during a session",
        ["Exercise", "Made easier", "Made harder", "Back to normal"],
        rows,
        numeric=(1, 2, 3),
    )


def _details_table(
    newest_first: Sequence[SessionSummary], details: Mapping[int, Sequence[Mapping[str, Any]]]
) -> str:
    """Which exercise each pain report came from, and where levels changed."""
    rows = [
        [when(s.date), s.title, minutes_seconds(float(d.get("t", 0.0))), *_detail_words(d)]
        for s in newest_first
        for d in details.get(s.id, ())
    ]
    if not rows:
        return (
            "<p>No pain was reported during the recent sessions, and every exercise was "
            "done as written.</p>"
        )
    return _table(
        "Pain reported during the recent sessions (with the exercise it came from), and "
        "each exercise's level (0 is as written, below 0 easier, above 0 harder)",
        ["Session", "Script", "Time in session", "What", "Exercise"],
        rows,
        numeric=(2,),
    )


def _detail_words(detail: Mapping[str, Any]) -> list[str]:
    """[what happened, the exercise] for one pain report or level."""
    exercise = str(detail.get("exercise") or "between exercises")
    if detail.get("kind") == "pain":
        score, zone = detail.get("score"), detail.get("zone") or "no score"
        return [f"pain {'?' if score is None else score} of 10 ({zone})", exercise]
    level, before = detail.get("level"), detail.get("from")
    if not isinstance(level, int):
        return ["level changed", exercise]
    if detail.get("carried"):
        return [f"started at level {level:+d}", exercise]
    if isinstance(before, int):
        return [f"level {before:+d} → {level:+d}", exercise]
    return [f"to level {level:+d}", exercise]


def _recent_table(newest_first: Sequence[SessionSummary]) -> str:
    rows = [
        [
            when(s.date),
            s.title,
            f"{s.minutes:.0f}",
            percent(s.completed_share),
            pain_pair(s.pain_start, s.pain_end),
            ", ".join(s.changes) or "none",
            _ENDINGS.get(s.end_reason, s.end_reason),
        ]
        for s in newest_first
    ]
    return _table(
        f"The last {count(len(rows), 'session')}, newest first",
        ["Date", "Script", "Minutes", "Done", "Pain before → after", "Changes", "Ended"],
        rows,
        numeric=(2, 3),
    )


def _weeks_table(weeks: Sequence[WeekSummary]) -> str:
    rows = [
        [
            day(week.start),
            str(week.sessions),
            f"{week.minutes:.0f}",
            percent(week.completed_share),
            pain_pair(week.pain_start, week.pain_end),
        ]
        for week in weeks
    ]
    return _table(
        "Each week with sessions, oldest first (pain is the week's average)",
        ["Week starting", "Sessions", "Minutes", "Done", "Pain before → after"],
        rows,
        numeric=(1, 2, 3),
    )
