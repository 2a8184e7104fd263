"""What `voicecoach eval-commands --live` found: per clip, per placement, and in all.

Placements (live_chain.py places each clip in turn): "over_speech", "just_after", "quiet".
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

import numpy as np

PLACEMENTS = ("over_speech", "just_after", "quiet")


@dataclass(frozen=True)
class LiveClipResult:
    path: str
    word: str
    kind: str
    expected: str | None
    placement: str
    heard: str | None
    """The first meaning the engine received while the clip was judged."""
    acted: bool
    latency_ms: float | None
    """End of speech to the block the engine received it in (stream time)."""
    processing_ms: float | None
    """CPU time spent on that block: canceller, listening step and engine."""
    silent_after_onset_ms: float | None = None
    """Over speech: from the word's onset to the player's voice cut (stream time)."""
    placed: bool = True
    rejected: str | None = None
    """The first meaning heard in the clip that the own-voice decision kept from acting."""


@dataclass
class LiveReport:
    engine: str
    split: str
    snr_db: float
    room: str
    noise: str
    canceller: str
    clips: list[LiveClipResult] = field(default_factory=list)
    own_voice_acts: list[dict[str, Any]] = field(default_factory=list)
    """Meanings the engine received while no clip was playing: the player's own voice."""
    audio_seconds: float = 0.0
    processing_seconds: float = 0.0
    yields: int = 0
    yields_to_nobody: list[float] = field(default_factory=list)
    """When the player gave way with no clip playing: its own echo taken for a person."""

    def summary(self, clips: Sequence[LiveClipResult]) -> dict[str, Any]:
        targets = [c for c in clips if c.kind == "target" and c.placed]
        acted = [c for c in targets if c.acted]
        latencies = [max(0.0, c.latency_ms or 0.0) for c in acted]
        compute = [c.processing_ms for c in acted if c.processing_ms is not None]
        silent = [c.silent_after_onset_ms for c in clips if c.silent_after_onset_ms is not None]
        wrong = [c for c in clips if c.kind != "target" and c.placed and c.heard is not None]
        return {
            "clips": len(targets),
            "acted_on": len(acted),
            "acted_on_rate": _ratio(len(acted), len(targets)),
            "latency_ms_p50": _percentile(latencies, 50),
            "latency_ms_p95": _percentile(latencies, 95),
            "compute_per_detection_ms_p50": _percentile(compute, 50),
            "compute_per_detection_ms_p95": _percentile(compute, 95),
            "silent_after_onset_ms_p50": _percentile(silent, 50),
            "silent_after_onset_ms_p95": _percentile(silent, 95),
            "non_target_clips": len([c for c in clips if c.kind != "target" and c.placed]),
            "non_target_firing": len(wrong),
            "not_placed": len([c for c in clips if not c.placed]),
            "kept_as_own_voice": len([c for c in targets if not c.acted and c.rejected]),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "split": self.split,
            "snr_db": self.snr_db,
            "room": self.room,
            "noise": self.noise,
            "canceller": self.canceller,
            "all": self.summary(self.clips),
            "placements": {
                p: self.summary([c for c in self.clips if c.placement == p]) for p in PLACEMENTS
            },
            "own_voice_acts": self.own_voice_acts,
            "player_yields": self.yields,
            "player_yields_to_nobody": self.yields_to_nobody,
            "cpu_per_audio_second": _ratio(self.processing_seconds, self.audio_seconds),
            "stream_seconds": round(self.audio_seconds, 1),
            "latency_note": "stream time from end of speech; negatives counted as 0; "
            "the device's input block and output latency come on top",
            "clips": [asdict(c) for c in self.clips],
        }


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def print_live_table(report: LiveReport, out: TextIO = sys.stdout) -> None:
    data = report.to_json()
    print(
        f"live chain: engine {report.engine}, split {report.split}, {report.snr_db:g} dB above "
        f"the player's echo, room {report.room}, noise {report.noise}, "
        f"canceller {report.canceller}",
        file=out,
    )
    print(
        f"{'placement':<12} {'acted on':>10} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'compute p95':>11} {'silent p95':>10} {'others fired':>12}",
        file=out,
    )
    for name, s in [*data["placements"].items(), ("all", data["all"])]:
        print(
            f"{name:<12} {s['acted_on']:>4}/{s['clips']:<5} {_show(s['latency_ms_p50']):>7} "
            f"{_show(s['latency_ms_p95']):>7} {_show(s['compute_per_detection_ms_p95']):>11} "
            f"{_show(s['silent_after_onset_ms_p95']):>10} "
            f"{s['non_target_firing']:>5}/{s['non_target_clips']:<6}",
            file=out,
        )
    print(
        f"own voice acted on: {len(report.own_voice_acts)}; the player gave way "
        f"{report.yields} times ({len(report.yields_to_nobody)} to nobody); "
        f"CPU {data['cpu_per_audio_second']} s per audio second over {data['stream_seconds']} s",
        file=out,
    )


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
