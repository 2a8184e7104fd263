"""Property-based fuzzing of the script and settings loaders (Hypothesis).

Valid scripts (the bundled library and the format's documentation example) and a valid
settings file are mutated: spans replaced with YAML punctuation, control characters and
other text, values replaced with hostile fragments (odd tags, anchors and aliases, floats
for counts, deep nesting, huge numbers), lines deleted, repeated or re-indented, raw bytes
that are not UTF-8 put in. Each mutated file goes through the command a person would run
(`voicecoach validate FILE`, `voicecoach settings`), in this process, and must end one of
two ways: exit 0 (and for a script, a plan that builds at every variant level), or exit 2
with a problem placed at FILE:LINE:COLUMN. Any other exception fails the test, as does an
input that takes more than 2 s or whose Python allocations peak above 200 MB (tracemalloc).

The examples are derandomised (the same inputs every run) and bounded so both tests take
well under a minute; VOICECOACH_FUZZ_EXAMPLES raises the count for a longer hunt.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicecoach.cli.main import main
from voicecoach.script.library import bundled_script_paths
from voicecoach.script.loader import load_script
from voicecoach.session.plan import build_plan

EXAMPLES = int(os.environ.get("VOICECOACH_FUZZ_EXAMPLES", "250"))
SECONDS_PER_INPUT = 2.0
BYTES_PER_INPUT = 200 * 1024 * 1024
DOCS = Path(__file__).parent.parent / "docs" / "script-format.md"

SCRIPT_SEEDS = [p.read_text(encoding="utf-8") for p in bundled_script_paths()] + [
    DOCS.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
]
SETTINGS_SEED = """\
# voicecoach settings
speech_rate: 120
volume: 0.8
count_style: beeps
sentence_pause: 0.5
default_position: chair
pain_green_max: 2
pain_amber_max: 6
rest_seconds: 45
heat_note: off
engine: auto
personal_words.stop: halt, enough
personal_words.more_rest: another break
removed_words.skip: next
"""
BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)),
    ]
)
FRAGMENTS = [
    "!!bool maybe",
    "!!int",
    "!!float",
    "!!int ten",
    "!!str",
    "!!null",
    "!!binary aGVsbG8=",
    "!!timestamp 2001-12-14",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/object/apply:os.system ['true']",
    "!custom thing",
    "&anchor",
    "*anchor",
    "*undefined",
    "&a [1, 2]",
    "<<: *a",
    "10.0",
    "5.5",
    "1e400",
    "-.inf",
    ".nan",
    "-1",
    "0",
    "0x1F",
    "0o17",
    "1_000",
    "99999999999999999999999999999999999999",
    "9" * 5000,
    "true",
    "null",
    "~",
    "''",
    '""',
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "{a: {b: {c: d}}}",
    "[" * 5000,
    "{" * 300 + "}" * 300,
    "- - - - - -",
    "? complex key",
    "|\n  block text",
    ">-\n  folded",
    "---",
    "...",
    "%YAML 1.1",
    "\t",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\ufeff",
    "\u2028",
    "a" * 3000,
    "x: y: z",
    "'unclosed",
    '"unclosed',
    "# comment",
    "@reserved",
    "`reserved",
]
YAML_ALPHABET = st.sampled_from(
    [*"[]{}:,-?&*!|>'\"#%@`\n\t ~.0123456789eE+_abcxyzÜé中", "\x00", "\x07", "\r"]
)


def _positions(text: str, draw: st.DrawFn) -> tuple[int, int]:
    start = draw(st.integers(0, len(text)))
    return start, min(len(text), start + draw(st.integers(0, 24)))


def _replace_span(text: str, draw: st.DrawFn) -> str:
    start, end = _positions(text, draw)
    return text[:start] + draw(st.text(YAML_ALPHABET, max_size=24)) + text[end:]


def _insert_fragment(text: str, draw: st.DrawFn) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]


def _replace_value(text: str, draw: st.DrawFn) -> str:
    lines = text.split("\n")
    valued = [i for i, line in enumerate(lines) if ": " in line]
    if not valued:
        return text
    index = draw(st.sampled_from(valued))
    key = lines[index].split(": ", 1)[0]
    lines[index] = f"{key}: {draw(st.sampled_from(FRAGMENTS))}"
    return "\n".join(lines)


def _edit_line(text: str, draw: st.DrawFn) -> str:
    lines = text.split("\n")
    index = draw(st.integers(0, max(0, len(lines) - 1)))
    how = draw(st.sampled_from(["delete", "repeat", "indent", "dedent", "tab"]))
    line = lines[index] if lines else ""
    if how == "delete":
        del lines[index : index + 1]
    elif how == "repeat":
        lines.insert(index, line)
    elif how == "indent":
        lines[index : index + 1] = ["  " + line]
    elif how == "dedent":
        lines[index : index + 1] = [line[2:] if line.startswith("  ") else line.lstrip()]
    else:
        lines[index : index + 1] = ["\t" + line.lstrip()]
    return "\n".join(lines)


def _whole_file(text: str, draw: st.DrawFn) -> str:
    return draw(st.sampled_from([BILLION_LAUGHS, "a: " + "[" * 50_000, "", "- just\n- a list"]))


MUTATIONS: list[Callable[[str, st.DrawFn], str]] = [
    _replace_span,
    _insert_fragment,
    _replace_value,
    _edit_line,
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> bytes:
    """A seed file with one to four mutations; now and then a whole hostile file, or
    bytes that are not UTF-8 put in."""
    text = draw(st.sampled_from(seeds))
    if draw(st.integers(0, 19)) == 0:
        text = _whole_file(text, draw)
    for _ in range(draw(st.integers(1, 4))):
        text = draw(st.sampled_from(MUTATIONS))(text, draw)
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


@dataclass
class Tally:
    """What the fuzzing did: inputs run, accepted and refused (printed at the end)."""

    runs: int = 0
    accepted: int = 0
    refused: int = 0
    most_cpu_seconds: float = 0.0
    most_wall_seconds: float = 0.0
    peak_bytes: int = 0
    slowest_input: bytes = b""
    kinds: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def bounded(tally: Tally, data: bytes) -> Iterator[None]:
    """Fail when the block takes more than SECONDS_PER_INPUT of this process's CPU time or
    allocates more than BYTES_PER_INPUT at its peak. CPU time, not the wall clock: the
    work done is what is bounded, and a CI machine shared with other jobs stretches the
    wall clock (the wall time is kept in the tally too)."""
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    started, wall = time.process_time(), time.perf_counter()
    yield
    took, took_wall = time.process_time() - started, time.perf_counter() - wall
    peak = tracemalloc.get_traced_memory()[1] - before
    if took > tally.most_cpu_seconds:
        tally.most_cpu_seconds, tally.slowest_input = took, data[:120]
    tally.most_wall_seconds = max(tally.most_wall_seconds, took_wall)
    tally.peak_bytes = max(tally.peak_bytes, peak)
    assert took <= SECONDS_PER_INPUT, f"took {took:.2f} s of CPU time"
    assert peak <= BYTES_PER_INPUT, f"allocated {peak / 1e6:.0f} MB at its peak"


def run_command(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def placed(path: Path, err: str) -> bool:
    """Whether some problem in `err` is placed at FILE:LINE:COLUMN."""
    return re.search(rf"^(voicecoach: )?{re.escape(str(path))}:\d+:\d+: ", err, re.M) is not None


def record(tally: Tally, code: int, err: str) -> None:
    tally.runs += 1
    if code == 0:
        tally.accepted += 1
        return
    tally.refused += 1
    kind = re.sub(r"^.*?:\d+:\d+: ([^:(]*).*$", r"\1", err.splitlines()[0])[:40]
    tally.kinds[kind] = tally.kinds.get(kind, 0) + 1


@pytest.fixture(scope="module")
def memory() -> Iterator[None]:
    tracemalloc.start()
    yield
    tracemalloc.stop()


@pytest.fixture(scope="module")
def script_tally() -> Iterator[Tally]:
    tally = Tally()
    yield tally
    print(f"\nscript fuzzing: {tally}")


@pytest.fixture(scope="module")
def settings_tally() -> Iterator[Tally]:
    tally = Tally()
    yield tally
    print(f"\nsettings fuzzing: {tally}")


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the bound is checked per input by `bounded`, against 2 s
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@FUZZ
@given(data=mutated(SCRIPT_SEEDS))
def test_mutated_scripts_load_or_fail_at_a_place(
    tmp_path: Path, memory: None, script_tally: Tally, data: bytes
) -> None:
    path = tmp_path / "fuzzed.yaml"
    path.write_bytes(data)
    with bounded(script_tally, data):
        code, _, err = run_command(["validate", str(path)])
        if code == 0:  # a script that loads must also play at every variant level
            script = load_script(path)
            for pick in (lambda ex: -len(ex.easier), lambda ex: 0, lambda ex: len(ex.harder)):
                build_plan(script, {ex.name: pick(ex) for ex in script.all_exercises})
    record(script_tally, code, err)
    assert code in (0, 2), err
    assert code == 0 or placed(path, err), err
    assert "Traceback" not in err


@FUZZ
@given(data=mutated([SETTINGS_SEED]))
def test_mutated_settings_load_or_fail_at_a_place(
    tmp_path: Path,
    memory: None,
    settings_tally: Tally,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
) -> None:
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "settings.yaml"
    path.write_bytes(data)
    with bounded(settings_tally, data):
        code, _, err = run_command(["settings"])
    record(settings_tally, code, err)
    assert code in (0, 2), err
    assert code == 0 or placed(path, err), err
    assert "Traceback" not in err
