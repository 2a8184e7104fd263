"""The report shows which exercise each pain report came from and where levels changed: a
session played by the engine, recorded in the history, then `voicecoach report`."""

from __future__ import annotations

import html
from pathlib import Path

from engine_driver import EngineDriver
from needs import need_module
from sample_scripts import sample_script
from voicecoach.cli.main import main
from voicecoach.session.engine import State
from voicecoach.session.events import Log
from voicecoach.store.history import History, default_history_path

# The report draws with matplotlib; without it these tests are skipped, others still run.
need_module("matplotlib", ".venv/bin/pip install matplotlib")


def record(d: EngineDriver) -> None:
    with History(default_history_path()) as history:
        session = history.start_session("sample-bed", "Sample bed session", "bed", 0)
        for r in d.records:
            if isinstance(r.action, Log):
                history.record(session, r.action.kind, r.action.detail, r.t)


def test_pain_reports_name_their_exercise_and_level_changes_are_listed(tmp_path: Path) -> None:
    d = EngineDriver(sample_script(), levels={"Ankle pumps": -1})
    d.start()
    d.cooperate_until(lambda: d.state is State.HOLDING and d.engine.status().exercise == "Bridging")
    d.hear("pain")
    d.quiet()
    d.answer("two")  # green: would you like the easier version?
    d.hear("yes")
    d.finish()
    record(d)
    out = tmp_path / "report.html"
    assert main(["report", "--out", str(out)]) == 0
    page = html.unescape(out.read_text(encoding="utf-8"))
    assert "Pain during sessions, and levels" in page
    assert "<td>pain 2 of 10 (green)</td><td>Bridging</td>" in page
    assert "<td>level +0 → -1</td><td>Bridging</td>" in page
    assert "<td>started at level -1</td><td>Ankle pumps</td>" in page
    assert page.index("started at level -1") < page.index("pain 2 of 10")  # in time order


def test_a_report_without_pain_or_level_changes_says_so(tmp_path: Path) -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.finish()
    record(d)
    out = tmp_path / "report.html"
    assert main(["report", "--out", str(out)]) == 0
    assert "No pain was reported during the recent sessions" in out.read_text(encoding="utf-8")
