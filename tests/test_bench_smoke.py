"""The benchmark's pure helpers on tiny inputs (the benchmark itself is run by
scripts/bench, never by the tests)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.drift import _slope
from benchmarks.latency_room import _locate
from benchmarks.report import figure_rows, markdown_table, render_markdown, verdict
from benchmarks.results import Figure, Goal, Measurement
from benchmarks.stats import median, percentile, summary


def test_percentile_matches_linear_interpolation() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0, 10.0]
    for q in (0, 10, 50, 90, 95, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_of_a_few_values() -> None:
    assert summary([0.3, 0.1, 0.2]) == {"n": 3, "min": 0.1, "p50": 0.2, "p95": 0.29, "max": 0.3}
    assert summary([])["p50"] is None


def test_figure_is_judged_against_its_goal_and_shown_in_its_unit() -> None:
    fast = Figure("p95 latency", 0.25, "ms", Goal("<=", 0.300), scale=1000)
    slow = Figure("p95 latency", 0.61, "ms", Goal("<=", 0.300), scale=1000)
    share = Figure("accuracy", 0.9712, "%", Goal(">=", 0.97), scale=100, digits=1)
    missing = Figure("vosk accuracy", None, "%", Goal(">=", 0.97), note="no model")
    assert (fast.passed, slow.passed, share.passed, missing.passed) == (True, False, True, None)
    assert fast.shown() == "250 ms" and fast.goal_text() == "<= 300 ms"
    assert share.shown() == "97.1 %" and share.goal_text() == ">= 97.0 %"
    assert missing.shown() == "not measured"
    assert [verdict(f.to_json()) for f in (fast, slow, missing)] == ["pass", "FAIL", "not measured"]


def test_table_rows_and_markdown() -> None:
    m = Measurement("latency", "Command latency")
    m.figures.append(Figure("p95", 0.61, "ms", Goal("<=", 0.3), scale=1000, note="a|b"))
    m.not_measured("vosk p95", "ms", Goal("<=", 0.3), "not measured: no model", scale=1000)
    broken = Measurement("room", "Room latency", error="failed: RoomError: no daemon")
    rows = figure_rows([m.to_json(), broken.to_json()])
    assert rows[0][:5] == ["Command latency", "p95", "610 ms", "<= 300 ms", "FAIL"]
    assert rows[1][0] == "" and rows[1][4] == "not measured"
    assert rows[2][0] == "Room latency" and "no daemon" in rows[2][5]
    table = markdown_table(["A", "B"], [["x|y", "z"]])
    assert table.splitlines() == ["| A | B |", "| --- | --- |", "| x\\|y | z |"]


def test_markdown_report_names_machine_date_and_engine() -> None:
    m = Measurement("cpu", "Listening CPU", method="fed 20 s of audio")
    m.figures.append(Figure("kws RTF", 0.08, "", Goal("<=", 0.1), digits=3))
    results = {
        "date": "2024-01-02 10:00 UTC",
        "command": "scripts/bench --quick",
        "quick": True,
        "total_seconds": 12.3,
        "machine": {
            "cpu": "Test CPU",
            "cores": 2,
            "python": "3.11.7",
            "os": "Debian GNU/Linux 12 (bookworm)",
            "kernel": "6.1",
            "load_average_at_start": [0.5, 0.4, 0.3],
            "packages": {"pyttsx3": "2.90", "pyaec": "1.0"},
            "espeak": "eSpeak NG 1.51",
        },
        "engines": {"kws": "sherpa-onnx 1.10, model kws-model", "vosk": "not measured: no model"},
        "measurements": {"cpu": m.to_json()},
    }
    text = render_markdown(results)
    for expected in (
        "2024-01-02 10:00 UTC",
        "Test CPU, 2 cores",
        "Python 3.11.7",
        "Debian GNU/Linux 12",
        "vosk: not measured: no model",
        "| Listening CPU | kws RTF | 0.080 | <= 0.100 | pass |",
        "Quick run",
        "fed 20 s of audio",
    ):
        assert expected in text


def test_drift_trend_and_clip_location() -> None:
    assert _slope([(0.0, 0.01), (100.0, 0.02), (200.0, 0.03)]) == pytest.approx(0.0001)
    assert _slope([(5.0, 0.01)]) == 0.0
    rng = np.random.default_rng(0)
    needle = rng.standard_normal(400)
    haystack = np.concatenate([np.zeros(300), 0.1 * rng.standard_normal(700)])
    haystack[512 : 512 + 400] += needle
    at, match = _locate(haystack, needle)
    assert at == 512 and match > 0.9


def test_eval_self_halves_add_up() -> None:
    from benchmarks.own_speech import combine

    def part(false_accepts: int, hours: float, without: int) -> dict[str, object]:
        return {
            "engine": "kws",
            "scripts": ["a"],
            "sentences": 10,
            "hours": hours,
            "false_accepts": false_accepts,
            "safety_false_accepts": 0,
            "by_command": {"rest": false_accepts} if false_accepts else {},
            "triggers": [],
            "without_echo_cancel": {
                "false_accepts": without,
                "safety_false_accepts": 1,
                "by_command": {"stop": without},
            },
            "echo_reduction_db": 20.0,
        }

    total = combine([part(0, 0.25, 10), part(1, 0.25, 20)])
    assert (total["sentences"], total["hours"], total["false_accepts"]) == (20, 0.5, 1)
    assert total["per_hour"] == 2.0 and total["by_command"] == {"rest": 1}
    assert total["without_echo_cancel"]["per_hour"] == 60.0
    assert total["without_echo_cancel"]["by_command"] == {"stop": 30}
