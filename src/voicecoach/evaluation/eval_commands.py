"""How well the listening path hears recorded command words: accuracy, false accepts, latency.

Each clip of a manifest (TSV with at least `path`, relative to the manifest, and `word`) is
read, resampled to 16 kHz, given silence before (LEAD_SILENCE plus a per-clip share of
`jitter`, see lead_samples) and `tail` seconds of silence after (the live stream keeps
running after a word; the keyword spotter decodes in 0.32 s chunks, so a detection may
come a little after the word), and fed through a CommandListener in 20 ms blocks,
exactly as the player feeds microphone blocks, after resetting the recogniser.

Each clip is one of three kinds for the role evaluated:
- "target": its word is a table phrase whose meaning is listened for in this role;
- "other": its word is not in the table: any meaning heard is a false accept;
- "off_role": in the table but not listened for in this role (answers while spotting
  commands): anything heard is also wrong, counted apart from false accepts.

Latency is from the end of speech (the last 10 ms frame within 20 dB of the clip's
loudest) to the detection. Negative values (heard before the end) are reported as they
are and clamped to 0 for the percentiles.
"""

from __future__ import annotations

import csv
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from voicecoach.audio.wav_files import read_for_recognizer, speech_end
from voicecoach.errors import UsageError
from voicecoach.listening.listener import CommandListener
from voicecoach.listening.recognizer import SAMPLE_RATE, Recognizer
from voicecoach.session.vocabulary import Answer, Command, Meaning, Vocabulary

CHUNK = SAMPLE_RATE // 50  # 20 ms, the microphone block size of the player
LEAD_SILENCE = 0.5
DEFAULT_JITTER = 2.0
DEFAULT_TAIL = 1.0
SPLITS = ("all", "tune", "test")
HOLDOUT_SHARE = 2  # one speaker in two is held out from tuning: settings are chosen on
# "tune" and reported on "test"

ALL_ANSWERS: tuple[str, ...] = tuple(a.value for a in Answer)
"""What "answer" role listens for in the evaluation: every answer of the table."""

FloatArray = npt.NDArray[np.float32]
BlockFilter = Callable[[FloatArray], Iterator[FloatArray]]
"""Turns a clip's padded samples into the blocks the listener hears (mixing, echo cancelling)."""


@dataclass(frozen=True)
class Clip:
    path: Path
    name: str
    """The path as the manifest writes it."""
    word: str
    speaker: str
    source: str = ""
    """Where the clip comes from (the manifest's source_repo, else its first folder)."""


@dataclass(frozen=True)
class ClipResult:
    path: str
    word: str
    kind: str
    """"target", "other" or "off_role"."""
    expected: str | None
    heard: str | None
    """The first meaning heard (its value: "stop", "7", ...), or None."""
    heard_all: list[str]
    correct: bool
    latency_ms: float | None
    """From end of speech to the first detection; None when nothing was heard."""
    phrase: str | None = None
    """The table phrase of the first detection."""


@dataclass
class EvalReport:
    engine: str
    role: str
    split: str
    jitter: float = DEFAULT_JITTER
    tail: float = DEFAULT_TAIL
    lead: float = LEAD_SILENCE
    clips: list[ClipResult] = field(default_factory=list)
    audio_seconds: float = 0.0
    processing_seconds: float = 0.0

    def of_kind(self, kind: str) -> list[ClipResult]:
        return [c for c in self.clips if c.kind == kind]

    @property
    def accuracy(self) -> float | None:
        return _share(self.of_kind("target"), lambda c: c.correct)

    @property
    def false_accept_rate(self) -> float | None:
        return _share(self.of_kind("other"), lambda c: c.heard is not None)

    @property
    def off_role_accept_rate(self) -> float | None:
        return _share(self.of_kind("off_role"), lambda c: c.heard is not None)

    def latency_percentile(self, q: float) -> float | None:
        latencies = [
            max(0.0, c.latency_ms)
            for c in self.of_kind("target")
            if c.correct and c.latency_ms is not None
        ]
        return round(float(np.percentile(latencies, q)), 1) if latencies else None

    def per_word(self) -> dict[str, dict[str, Any]]:
        words: dict[str, dict[str, Any]] = {}
        for clip in self.clips:
            entry = words.setdefault(
                clip.word,
                {
                    "kind": clip.kind,
                    "expected": clip.expected,
                    "clips": 0,
                    "correct": 0,
                    "fired": 0,
                    "heard": Counter(),
                },
            )
            entry["clips"] += 1
            entry["correct"] += clip.correct
            entry["fired"] += clip.heard is not None
            if clip.heard is not None:
                entry["heard"][clip.heard] += 1
        for entry in words.values():
            entry["accuracy"] = round(entry["correct"] / entry["clips"], 4)
            entry["heard"] = dict(entry["heard"].most_common())
        return dict(sorted(words.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "role": self.role,
            "split": self.split,
            "lead_s": self.lead,
            "jitter_s": self.jitter,
            "tail_s": self.tail,
            "accuracy": _round(self.accuracy),
            "false_accept_rate": _round(self.false_accept_rate),
            "off_role_accept_rate": _round(self.off_role_accept_rate),
            "latency_ms_p50": self.latency_percentile(50),
            "latency_ms_p95": self.latency_percentile(95),
            "latency_note": "from end of speech; negative latencies clamped to 0 for percentiles",
            "counts": {k: len(self.of_kind(k)) for k in ("target", "other", "off_role")},
            "real_time_factor": _round(self.processing_seconds / self.audio_seconds)
            if self.audio_seconds
            else None,
            "per_word": self.per_word(),
            "clips": [asdict(c) for c in self.clips],
        }


def _share(clips: Sequence[ClipResult], test: Callable[[ClipResult], bool]) -> float | None:
    return sum(1 for c in clips if test(c)) / len(clips) if clips else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def read_manifest(path: Path) -> list[Clip]:
    """The clips of a manifest TSV; paths are relative to the manifest's directory."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{path}: cannot read the manifest ({error.strerror or error})") from None
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    if not rows or not {"path", "word"} <= set(rows[0]):
        raise UsageError(
            f"{path}:1: a manifest is a TSV file whose header has at least the columns "
            "`path` (relative to the manifest) and `word`"
        )
    clips: list[Clip] = []
    for line, row in enumerate(rows, start=2):
        name, word = (row.get("path") or "").strip(), (row.get("word") or "").strip().lower()
        if not name or not word:
            raise UsageError(f"{path}:{line}: empty `path` or `word`")
        speaker = (row.get("speaker") or "").strip() or name
        source = (row.get("source_repo") or "").strip() or Path(name).parts[0]
        clips.append(Clip(path.parent / name, name, word, speaker, source))
    return clips


def holdout_speakers(clips: Sequence[Clip]) -> frozenset[str]:
    """Speakers held out from tuning. Each speaker belongs to the source of its first clip;
    within a source, speakers are ordered by a stable hash and every HOLDOUT_SHARE-th one
    is held out, so a source with few speakers (FSDD has three) lands on both sides."""
    by_source: dict[str, list[str]] = {}
    seen: set[str] = set()
    for clip in clips:
        if clip.speaker not in seen:
            seen.add(clip.speaker)
            by_source.setdefault(clip.source, []).append(clip.speaker)
    held: set[str] = set()
    for names in by_source.values():
        ordered = sorted(names, key=lambda name: (zlib.crc32(name.encode()), name))
        held.update(ordered[HOLDOUT_SHARE - 1 :: HOLDOUT_SHARE])
    return frozenset(held)


def select(clips: Sequence[Clip], split: str = "all", limit: int | None = None) -> list[Clip]:
    """Clips of a split (speakers never straddle tune and test); with `limit`, that many
    spread evenly over the manifest."""
    if split not in SPLITS:
        raise UsageError(f"split must be one of {', '.join(SPLITS)}")
    held = holdout_speakers(clips)
    chosen = [c for c in clips if split == "all" or (c.speaker in held) == (split == "test")]
    if limit is not None and 0 < limit < len(chosen):
        step = len(chosen) / limit
        chosen = [chosen[int(i * step)] for i in range(limit)]
    return chosen


def listened_answers(role: str) -> tuple[str, ...]:
    return ALL_ANSWERS if role == "answer" else ()


def expected_meaning(word: str, role: str, vocabulary: Vocabulary) -> tuple[str, Meaning | None]:
    """(kind, meaning) of a clip's word in this role; see the module docstring."""
    meaning = vocabulary.lookup(word)
    if meaning is None:
        return "other", None
    if isinstance(meaning, Command) or role == "answer":
        return "target", meaning
    return "off_role", meaning


def evaluate(
    clips: Sequence[Clip],
    recognizer: Recognizer,
    vocabulary: Vocabulary,
    role: str,
    *,
    split: str = "all",
    tail: float = DEFAULT_TAIL,
    jitter: float = DEFAULT_JITTER,
    lead: float = LEAD_SILENCE,
    blocks: BlockFilter | None = None,
    progress: TextIO | None = None,
) -> EvalReport:
    """Run every clip through a CommandListener in 20 ms blocks and score what was heard."""
    listener = CommandListener(recognizer, vocabulary)
    listener.listen_for(role, listened_answers(role))
    report = EvalReport(recognizer.name, role, split, jitter, tail, lead)
    after = np.zeros(int(tail * SAMPLE_RATE), dtype=np.float32)
    for number, clip in enumerate(clips, start=1):
        lead_silence = np.zeros(lead_samples(clip, jitter, lead), dtype=np.float32)
        samples = read_for_recognizer(clip.path)
        end_of_speech = len(lead_silence) + speech_end(samples)
        padded = np.concatenate([lead_silence, samples, after])
        padded = np.pad(padded, (0, -len(padded) % CHUNK))  # whole blocks, as a microphone gives
        kind, expected = expected_meaning(clip.word, role, vocabulary)
        started = time.perf_counter()
        recognizer.reset()
        heard = []
        for block in (blocks or _plain_blocks)(padded):
            heard.extend(listener.feed(block))
        report.processing_seconds += time.perf_counter() - started
        report.audio_seconds += len(padded) / SAMPLE_RATE
        first = heard[0] if heard else None
        report.clips.append(
            ClipResult(
                path=clip.name,
                word=clip.word,
                kind=kind,
                expected=None if expected is None else str(expected.value),
                heard=None if first is None else str(first.meaning.value),
                heard_all=[str(h.meaning.value) for h in heard],
                correct=first is not None and kind == "target" and first.meaning == expected,
                latency_ms=None
                if first is None
                else round((first.at_sample - end_of_speech) * 1000 / SAMPLE_RATE, 1),
                phrase=None if first is None else first.text,
            )
        )
        if progress is not None and number % 100 == 0:
            print(f"  {number}/{len(clips)} clips", file=progress, flush=True)
    return report


def lead_samples(clip: Clip, jitter: float, lead: float = LEAD_SILENCE) -> int:
    """Silence before a clip: `lead` plus a fixed pseudo-random share of `jitter`.

    A live stream hears a word at any position relative to the engine's decoding chunks,
    and the keyword spotter's accuracy depends on that position (docs/recognition.md), so
    a fixed lead would measure one position only. The share comes from a hash of the
    path: the same clip always gets the same lead.
    """
    share = (zlib.crc32(clip.name.encode()) % 1000) / 1000
    return int((lead + share * jitter) * SAMPLE_RATE)


def _plain_blocks(samples: FloatArray) -> Iterator[FloatArray]:
    for start in range(0, len(samples), CHUNK):
        yield samples[start : start + CHUNK]


def print_table(report: EvalReport, out: TextIO = sys.stdout) -> None:
    """A short human summary: one line per word, then the overall figures."""
    print(f"engine {report.engine}, role {report.role}, split {report.split}", file=out)
    print(f"{'word':<10} {'kind':<8} {'clips':>5} {'right':>5} {'fired':>5}  heard", file=out)
    for word, entry in report.per_word().items():
        heard = ", ".join(f"{m}:{n}" for m, n in list(entry["heard"].items())[:4])
        right = entry["correct"] if entry["kind"] == "target" else "-"
        print(
            f"{word:<10} {entry['kind']:<8} {entry['clips']:>5} {right!s:>5} "
            f"{entry['fired']:>5}  {heard}",
            file=out,
        )
    data = report.to_json()
    counts = data["counts"]
    print(
        f"accuracy {_percent(data['accuracy'])} of {counts['target']} clips; "
        f"false accepts {_percent(data['false_accept_rate'])} of {counts['other']} "
        f"non-command clips; off-role accepts {_percent(data['off_role_accept_rate'])} "
        f"of {counts['off_role']}",
        file=out,
    )
    print(
        f"latency from end of speech: p50 {data['latency_ms_p50']} ms, "
        f"p95 {data['latency_ms_p95']} ms (negatives counted as 0); "
        f"real-time factor {data['real_time_factor']}",
        file=out,
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


__all__ = [
    "Clip",
    "ClipResult",
    "EvalReport",
    "evaluate",
    "print_table",
    "read_manifest",
    "select",
]
