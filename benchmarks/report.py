"""The two output files: bench-results.json (every raw number) and docs/benchmarks.md (a
table with each figure beside its goal). The Markdown is rendered from the JSON, so a
partial run (--only) can keep the other measurements of the previous run."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

RESULTS_FILE = "bench-results.json"
MARKDOWN_FILE = Path("docs") / "benchmarks.md"


def verdict(figure: Mapping[str, Any]) -> str:
    if figure.get("value") is None:
        return "not measured"
    passed = figure.get("passed")
    if passed is None:
        return "-"
    return "pass" if passed else "FAIL"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub table; "|" inside cells is escaped."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(r) for r in rows)])


def figure_rows(measurements: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """One row per figure: measurement (on its first row), figure, value, goal, verdict,
    note."""
    rows: list[list[str]] = []
    for measurement in measurements:
        title = str(measurement["title"])
        if measurement.get("quick"):
            title += " (quick)"
        if measurement.get("carried_over_from"):
            title += f" (from {measurement['carried_over_from']})"
        figures = measurement.get("figures") or []
        if measurement.get("error"):
            rows.append([title, "-", "not measured", "-", "not measured", measurement["error"]])
            continue
        for index, figure in enumerate(figures):
            goal = figure.get("goal")
            rows.append(
                [
                    title if index == 0 else "",
                    str(figure["label"]),
                    str(figure["shown"]),
                    str(goal["shown"]) if goal else "-",
                    verdict(figure),
                    str(figure.get("note") or ""),
                ]
            )
    return rows


def figure_table(measurements: Sequence[Mapping[str, Any]]) -> str:
    return markdown_table(
        ["Measure", "Figure", "Value", "Goal", "Result", "Note"], figure_rows(measurements)
    )


def render_markdown(results: Mapping[str, Any]) -> str:
    machine = results["machine"]
    measurements = list(results["measurements"].values())
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{results['command']}` on {results['date']}; "
        f"the whole run took {results['total_seconds']:.0f} s. "
        f"Raw numbers: [{RESULTS_FILE}](../{RESULTS_FILE}). "
        "Figures are measured on this machine by that command, never asserted in tests.",
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores; "
        f"Python {machine['python']}; {machine['os']} (kernel {machine['kernel']}).",
        f"- Load average (1, 5, 15 min) at the start: {_load(machine.get('load_average_at_start'))}"
        f"; at the end: {_load(machine.get('load_average_at_end'))} "
        "(the machine is shared: timings move with it).",
        f"- Engines: {_engines(results.get('engines', {}))}",
        f"- Speech out: espeak-ng {machine.get('espeak') or '(not found)'} through pyttsx3 "
        f"{machine['packages'].get('pyttsx3')}; echo canceller: speex via pyaec "
        f"{machine['packages'].get('pyaec')}.",
    ]
    if results.get("quick"):
        lines += [
            "",
            "**Quick run** (`--quick`): fewer repetitions and clips; not the figures to quote.",
        ]
    lines += [
        "",
        figure_table(measurements),
        "",
        "## How each was measured",
        "",
    ]
    for measurement in measurements:
        lines.append(f"### {measurement['title']}")
        lines.append("")
        if measurement.get("method"):
            lines.append(str(measurement["method"]))
            lines.append("")
        for note in measurement.get("notes") or []:
            lines.append(f"- {note}")
        if measurement.get("notes"):
            lines.append("")
        seconds = measurement.get("seconds")
        if seconds is not None:
            lines.append(f"Took {float(seconds):.0f} s.")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _load(values: Any) -> str:
    if not values:
        return "unknown"
    return ", ".join(f"{v:.2f}" for v in values)


def _engines(engines: Mapping[str, Any]) -> str:
    if not engines:
        return "none"
    parts = []
    for name, info in engines.items():
        parts.append(f"{name}: {info}")
    return "; ".join(parts)


def write(root: Path, results: Mapping[str, Any]) -> tuple[Path, Path]:
    """Write both files; returns their paths."""
    data_path = root / RESULTS_FILE
    data_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")
    doc_path = root / MARKDOWN_FILE
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    doc_path.write_text(render_markdown(results), "utf-8")
    return data_path, doc_path


def previous(root: Path) -> dict[str, Any] | None:
    """The last results written, if they can be read."""
    try:
        data = json.loads((root / RESULTS_FILE).read_text("utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: start afresh
        return None
    return data if isinstance(data, dict) else None
