"""The progress report: a self-contained page with readable charts, for any history size."""

from __future__ import annotations

import base64
import os
import re
import stat
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest

from needs import need_module
from voicecoach.cli.main import main
from voicecoach.report.charts import session_ticks
from voicecoach.report.document import weekly, write_report
from voicecoach.report.scores import as_given
from voicecoach.store.history import History, SessionSummary, default_history_path

# The report draws with matplotlib; without it these tests are skipped, others still run.
image = need_module("matplotlib.image", ".venv/bin/pip install matplotlib")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)">')
FIRST_DAY = datetime(2023, 1, 2, 9, 0).astimezone()  # a Monday, 09:00 local time
SESSIONS = 1_200


def synthetic_history(path: Path, count: int = SESSIONS) -> None:
    """One session a day at 09:00 local time, pain easing over the months.

    Every 10th session Bridging is made easier; every 25th Ankle pumps harder, then
    back to normal; every 50th session is stopped because of pain.
    """
    with History(path) as history, history.bulk():
        for day in range(count):
            at = FIRST_DAY + timedelta(days=day)
            session = history.start_session(
                "chair-back-basics", "Seated back basics", "chair", 8, at
            )
            pain = 6 - (4 * day) // count
            history.record(session, "pain_score", {"moment": "start", "score": pain}, 10, at=at)
            for step in range(8 if day % 4 else 6):
                history.record(session, "step_completed", {"step": step}, 60 + 60 * step, at=at)
            if day % 10 == 0:
                change = {"exercise": "Bridging", "level": -1}
                history.record(session, "level_change", change, 100, at=at)
            if day % 25 == 0:
                change = {"exercise": "Ankle pumps", "level": 1}
                history.record(session, "level_change", change, 200, at=at)
                change = {"exercise": "Ankle pumps", "level": 0}
                history.record(session, "level_change", change, 300, at=at)
            history.record(session, "pain_score", {"moment": "end", "score": pain - 1}, 590, at=at)
            reason = "pain" if day % 50 == 0 else "completed"
            history.record(session, "session_ended", {"reason": reason}, 600, at=at)


def pngs_in(page: str) -> list[tuple[bytes, str]]:
    return [(base64.b64decode(data), alt) for data, alt in IMAGE.findall(page)]


def assert_readable_png(png: bytes) -> None:
    assert png.startswith(PNG_SIGNATURE)
    pixels = image.imread(BytesIO(png), format="png")
    height, width = pixels.shape[:2]
    assert width >= 800 and height >= 400  # large enough to read when printed


def test_a_long_history_makes_a_complete_self_contained_report(tmp_path: Path) -> None:
    synthetic_history(default_history_path())
    out = tmp_path / "progress.html"

    assert main(["report", "--out", str(out)]) == 0

    page = out.read_text(encoding="utf-8")
    images = pngs_in(page)
    assert len(images) == 3
    for png, _ in images:
        assert_readable_png(png)
    alts = " ".join(alt for _, alt in images)
    assert "Bar chart of sessions per week, 172 weeks" in alts
    assert "Line chart of pain scores" in alts and "weekly averages" in alts
    assert "1200 sessions from Mon 2 Jan 2023 to Wed 15 Apr 2026" in page
    assert "Show the numbers for all 172 weeks" in page
    assert page.count("<tr><td>Mon ") >= 172  # a row per week (and recent sessions)
    # Exercises made easier or harder, counted.
    assert '<tr><td>Bridging</td><td class="number">120</td><td class="number">0</td>' in page
    assert (
        '<tr><td>Ankle pumps</td><td class="number">0</td><td class="number">48</td>'
        '<td class="number">48</td></tr>'
    ) in page
    assert "24 sessions stopped because of pain" in page
    # Nothing to fetch: no links, scripts or external files.
    assert not re.search(r"https?://|<script|<link|src=\"(?!data:)", page)


def test_the_report_goes_to_the_data_folder_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    synthetic_history(default_history_path(), count=9)

    assert main(["report"]) == 0

    printed = Path(capsys.readouterr().out.strip())
    assert printed == (default_history_path().parent / "report.html").resolve()
    page = printed.read_text(encoding="utf-8")
    assert len(pngs_in(page)) == 3
    assert "each session" in page  # few sessions: each one on the pain chart
    assert (printed.stat().st_mode & 0o777) == 0o600  # health data


def test_out_png_writes_just_the_pain_chart(tmp_path: Path) -> None:
    synthetic_history(default_history_path(), count=30)
    out = tmp_path / "pain.png"

    assert main(["report", "--out", str(out)]) == 0

    assert_readable_png(out.read_bytes())


def test_an_empty_history_gives_a_clear_page_and_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"

    assert main(["report", "--out", str(out)]) == 0
    assert main(["report", "--out", str(tmp_path / "pain.png")]) == 0

    page = out.read_text(encoding="utf-8")
    assert "No sessions recorded yet" in page
    assert "<img" not in page
    assert_readable_png((tmp_path / "pain.png").read_bytes())
    assert capsys.readouterr().err == ""
    assert not default_history_path().exists()


def test_sessions_are_grouped_by_local_week() -> None:
    def session(day: int) -> SessionSummary:
        at = FIRST_DAY + timedelta(days=day)
        return SessionSummary(day, at, "s", "S", 10.0, 0.5, 4, 2, [], "completed", at)

    weeks = weekly([session(day) for day in (0, 3, 6, 7, 21)])

    assert [(w.start.isoformat(), w.sessions) for w in weeks] == [
        ("2023-01-02", 3),
        ("2023-01-09", 1),
        ("2023-01-23", 1),
    ]
    assert weeks[0].pain_start == 4 and weeks[0].completed_share == 0.5


def test_the_report_folder_is_made_when_missing(tmp_path: Path) -> None:
    out = write_report([], tmp_path / "for the physio" / "report.html")

    assert "No sessions recorded yet" in out.read_text(encoding="utf-8")


# ---------------------------------------------------------------- issue 13


def test_same_day_sessions_are_labelled_by_time_of_day() -> None:
    day = FIRST_DAY.replace(tzinfo=None)
    moments = [day, day.replace(hour=13, minute=40), day.replace(hour=18, minute=5)]
    ticks = session_ticks(moments)
    assert ticks is not None
    _, labels, below = ticks
    assert labels == ["09:00", "13:40", "18:05"]
    assert below == "2 Jan 2023"
    two_days = [*moments, day + timedelta(days=1)]
    ticks = session_ticks(two_days)
    assert ticks is not None
    assert len(set(ticks[1])) == 4 and ticks[1][0] == "2 Jan\n09:00"
    # Sessions on different days keep the date axis.
    assert session_ticks([day, day + timedelta(days=1)]) is None


def test_three_sessions_in_a_day_make_a_readable_pain_chart(tmp_path: Path) -> None:
    with History(default_history_path()) as history:
        for hour in (9, 13, 18):
            at = FIRST_DAY.replace(hour=hour)
            session = history.start_session("s", "S", "chair", 4, at)
            history.record(session, "pain_score", {"moment": "start", "score": 3}, 10, at=at)
            history.record(session, "pain_score", {"moment": "end", "score": 2}, 500, at=at)
            history.record(session, "session_ended", {"reason": "completed"}, 600, at=at)
    out = tmp_path / "pain.png"
    assert main(["report", "--out", str(out)]) == 0
    assert_readable_png(out.read_bytes())


def test_a_pain_score_given_mid_session_is_never_the_after_score(tmp_path: Path) -> None:
    """Pain 2 at the start, "pain" during the session scored 7, then stopped: the session
    has no "after" score (the engine's totals give 7 as its last score)."""
    at = FIRST_DAY
    with History(default_history_path()) as history:
        session = history.start_session("s", "Seated back basics", "chair", 4, at)
        history.record(session, "pain_score", {"moment": "start", "score": 2}, 10, at=at)
        during = {"moment": "during", "score": 7, "zone": "red", "exercise": "Bridging"}
        history.record(session, "pain_score", during, 200, at=at)
        ended = {"reason": "pain", "pain_start": 2, "pain_end": 7, "completed": 1, "planned": 4}
        history.record(session, "session_ended", ended, 300, at=at)
        (summary,) = history.sessions()
        assert summary.pain_end == 7  # what the session row holds
        (given,) = as_given([summary], history.pain_reports())
    assert (given.pain_start, given.pain_end) == (2, None)
    out = tmp_path / "report.html"
    assert main(["report", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<td>2 → –</td>" in page
    assert "7 →" not in page and "→ 7" not in page
    _, pain_alt = next(image for image in pngs_in(page) if "pain" in image[1].lower())
    assert "After averaged" not in pain_alt


def test_out_refuses_anything_but_a_regular_file_or_a_new_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    link = tmp_path / "link.html"
    link.symlink_to(pipe)
    for out in (pipe, link, tmp_path):
        assert main(["report", "--out", str(out)]) == 2
        error = capsys.readouterr().err
        assert f"{out}" in error and "not a regular file" in error, error
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)  # left exactly as it was
    assert link.is_symlink()


def test_out_dash_writes_the_page_to_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--out", "-"]) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith("<!DOCTYPE html>"), printed.out[:80]
    assert printed.err == ""
    assert not (tmp_path / "-").exists()
