"""The report's charts as PNG (matplotlib, imported only when a chart is drawn), each with
alt text that says what it shows.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from statistics import fmean
from typing import TYPE_CHECKING, Any

from voicecoach.errors import VoiceCoachError
from voicecoach.report.weeks import WeekSummary, weekly
from voicecoach.report.wording import count, day, day_month, mean, pain_pair, percent, years
from voicecoach.store.history import SessionSummary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Okabe-Ito colours: told apart with any colour vision; each also has its own marker
# or line style so the charts read in greyscale too.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
INK = "#111111"
GRID = "#BBBBBB"

PER_SESSION_POINTS_MAX = 40
"""Up to this many sessions with pain scores, the pain chart shows each session;
above it, weekly averages (a line of 1 000 points reads as noise)."""
MARKED_POINTS_MAX = 60
FEW_WEEKS = 16
"""Up to this many weeks, each bar gets its own "week starting" label."""
SHORT_SPAN_DAYS = 150
"""Up to this many days, the date axis shows "3 Jan" rather than months and years."""


class ReportError(VoiceCoachError):
    """The report could not be made or written."""


# ---------------------------------------------------------------- alt text


def sessions_alt(weeks: Sequence[WeekSummary]) -> str:
    busiest = max(weeks, key=lambda w: w.sessions)
    return (
        f"Bar chart of sessions per week, {count(len(weeks), 'week')} with sessions from "
        f"the week of {day(weeks[0].start)} to the week of {day(weeks[-1].start)}. "
        f"The busiest week began {day(busiest.start)} with "
        f"{count(busiest.sessions, 'session')}; the latest week had "
        f"{count(weeks[-1].sessions, 'session')}."
    )


def completion_alt(weeks: Sequence[WeekSummary]) -> str:
    average = fmean(w.completed_share for w in weeks)
    return (
        "Bar chart of the share of planned exercises done, averaged per week, 0 to 100 "
        f"percent. Over all weeks: {percent(average)}; the latest week: "
        f"{percent(weeks[-1].completed_share)}."
    )


def pain_alt(sessions: Sequence[SessionSummary]) -> str:
    scored = [s for s in sessions if s.pain_start is not None or s.pain_end is not None]
    if not scored:
        return "Pain chart: no pain scores were recorded."
    series = _pain_series(scored)
    how = "each session" if series.per_session else "weekly averages"
    latest = pain_pair(series.before[-1][1], series.after[-1][1]) if series.paired else ""
    text = (
        f"Line chart of pain scores from 0 (none) to 10 (worst), {how}: before sessions "
        f"(solid line{', circles' if series.markers else ''}) and after "
        f"(dashed line{', squares' if series.markers else ''}), "
        f"from {day(scored[0].date)} to {day(scored[-1].date)}. "
    )
    before, after = mean([s.pain_start for s in scored]), mean([s.pain_end for s in scored])
    if before is not None:
        text += f"Before averaged {before:.1f}. "
    if after is not None:
        text += f"After averaged {after:.1f}. "
    if latest:
        text += f"Most recent: {latest}."
    return text.strip()


# ---------------------------------------------------------------- charts


@dataclass(frozen=True)
class _PainSeries:
    per_session: bool
    before: list[tuple[datetime, float]]
    after: list[tuple[datetime, float]]

    @property
    def markers(self) -> bool:
        """Mark each point, unless there are so many that marks would blur the line."""
        return self.per_session or max(len(self.before), len(self.after)) <= MARKED_POINTS_MAX

    @property
    def paired(self) -> bool:
        return bool(self.before and self.after and self.before[-1][0] == self.after[-1][0])


def _pain_series(sessions: Sequence[SessionSummary]) -> _PainSeries:
    scored = [s for s in sessions if s.pain_start is not None or s.pain_end is not None]
    if len(scored) <= PER_SESSION_POINTS_MAX:
        return _PainSeries(
            True,
            [(local(s.date), float(s.pain_start)) for s in scored if s.pain_start is not None],
            [(local(s.date), float(s.pain_end)) for s in scored if s.pain_end is not None],
        )
    weeks = weekly(scored)

    def monday(day: date) -> datetime:
        return datetime(day.year, day.month, day.day)

    return _PainSeries(
        False,
        [(monday(w.start), w.pain_start) for w in weeks if w.pain_start is not None],
        [(monday(w.start), w.pain_end) for w in weeks if w.pain_end is not None],
    )


def local(moment: datetime) -> datetime:
    # Naive local time: matplotlib would draw aware datetimes in UTC.
    return moment.astimezone().replace(tzinfo=None)


@contextmanager
def _chart(title: str) -> Iterator[tuple[Figure, Axes]]:
    """A large, high-contrast figure on the Agg canvas (no display, no global state)."""
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ReportError(
            "the report draws its charts with matplotlib, which is not installed. "
            "Install it with: pip install matplotlib"
        ) from error
    # Large type, near-black ink: readable with low vision and when printed.
    with matplotlib.rc_context(
        {
            "font.size": 17,
            "axes.titlesize": 22,
            "axes.labelsize": 18,
            "xtick.labelsize": 16,
            "ytick.labelsize": 16,
            "legend.fontsize": 17,
            "text.color": INK,
            "axes.labelcolor": INK,
            "axes.edgecolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "axes.linewidth": 1.5,
            "grid.color": GRID,
            "grid.linewidth": 1.0,
        }
    ):
        figure = Figure(figsize=(11, 5.5), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.set_title(title, loc="left", fontweight="bold")
        axes.grid(True, axis="y")
        axes.set_axisbelow(True)
        axes.spines[["top", "right"]].set_visible(False)
        yield figure, axes


def _png(figure: Figure) -> bytes:
    buffer = BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _dates() -> Any:
    """matplotlib.dates, typed as Any: the module has no type hints."""
    return importlib.import_module("matplotlib.dates")


def _date_axis(axes: Axes, first: date, last: date) -> None:
    """Readable dates: "3 Jan" over a few months, else months and years."""
    from matplotlib.ticker import FuncFormatter

    dates = _dates()
    locator = dates.AutoDateLocator(minticks=3, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    if (last - first).days <= SHORT_SPAN_DAYS:
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: day_month(dates.num2date(x))))
        axes.set_xlabel(years(first, last))
    else:
        axes.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))


def _week_bars(axes: Axes, weeks: Sequence[WeekSummary], heights: list[float], colour: str) -> None:
    """One bar per week, Monday to Saturday wide, so gaps between weeks show."""
    starts = _dates().date2num([w.start for w in weeks])
    few = len(weeks) <= FEW_WEEKS
    axes.bar(starts, heights, width=6, align="edge", color=colour, edgecolor=INK if few else colour)
    if few:
        axes.set_xticks(starts + 3, [day_month(w.start) for w in weeks])
        axes.set_xlabel(f"Week starting ({years(weeks[0].start, weeks[-1].start)})")
    else:
        _date_axis(axes, weeks[0].start, weeks[-1].start)


def sessions_chart_png(weeks: Sequence[WeekSummary]) -> bytes:
    from matplotlib.ticker import MaxNLocator

    with _chart("Sessions per week") as (figure, axes):
        _week_bars(axes, weeks, [w.sessions for w in weeks], BLUE)
        axes.set_ylabel("Sessions")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        return _png(figure)


def completion_chart_png(weeks: Sequence[WeekSummary]) -> bytes:
    with _chart("Share of planned exercises done (weekly average)") as (figure, axes):
        _week_bars(axes, weeks, [100 * w.completed_share for w in weeks], GREEN)
        axes.set_ylim(0, 105)
        axes.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        axes.set_ylabel("Done")
        return _png(figure)


def pain_chart_png(sessions: Sequence[SessionSummary]) -> bytes:
    """Pain before and after sessions, 0-10; a clear note when nothing was scored."""
    ordered = sorted(sessions, key=lambda s: (s.date, s.id))
    series = _pain_series(ordered)
    title = "Pain before and after sessions"
    if series.before or series.after:
        title += " (each session)" if series.per_session else " (weekly average)"
    with _chart(title) as (figure, axes):
        axes.set_ylim(-0.3, 10.3)
        axes.set_yticks(range(0, 11))
        axes.set_ylabel("Pain (0 none, 10 worst)")
        if not series.before and not series.after:
            axes.set_xticks([])
            axes.text(
                0.5, 0.5, "No pain scores recorded yet", ha="center", va="center",
                transform=axes.transAxes, fontsize=22,
            )  # fmt: skip
            return _png(figure)
        marker_size = 9 if series.markers else 0
        if series.before:
            axes.plot(
                *zip(*series.before, strict=True), color=VERMILLION, linewidth=3,
                linestyle="-", marker="o", markersize=marker_size, label="Before session",
            )  # fmt: skip
        if series.after:
            axes.plot(
                *zip(*series.after, strict=True), color=BLUE, linewidth=3,
                linestyle="--", marker="s", markersize=marker_size, label="After session",
            )  # fmt: skip
        axes.legend(loc="best", frameon=True, framealpha=1.0)
        moments = sorted({moment for moment, _ in series.before + series.after})
        ticks = session_ticks(moments) if series.per_session else None
        if ticks is not None:
            positions, labels, below = ticks
            axes.set_xticks(_dates().date2num(positions), labels)
            axes.set_xlabel(below)
        else:
            _date_axis(axes, moments[0].date(), moments[-1].date())
        return _png(figure)


SESSION_TICKS_MAX = 8


def session_ticks(moments: list[datetime]) -> tuple[list[datetime], list[str], str] | None:
    """When two sessions share a day, a date alone would label them alike ("6 Dec 6 Dec"):
    each session is labelled with its time of day instead, the date below ("09:05 | 18:30",
    "6 Dec 2026"), or date and time when the sessions span several days. None when no two
    sessions share a day, or there are too many to label one by one."""
    days = [moment.date() for moment in moments]
    if len(set(days)) == len(days) or len(moments) > SESSION_TICKS_MAX:
        return None
    if len(set(days)) == 1:
        first = moments[0]
        return moments, [f"{m:%H:%M}" for m in moments], f"{first.day} {first:%b %Y}"
    labels = [f"{day_month(m)}\n{m:%H:%M}" for m in moments]
    return moments, labels, years(days[0], days[-1])
