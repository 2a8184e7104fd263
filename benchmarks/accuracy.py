"""Accuracy and false accepts per engine, with `voicecoach eval-commands --json`.

Three conditions, on the human recordings of the speech corpus: quiet, and with the
player's own speech mixed under each clip at 10 dB and 0 dB SNR and cancelled by the
echo canceller (`--mix-own-speech --snr`). Role "spot" (what the player listens for
during a session): "stop" and "go" are command words; words not in the phrase table are
non-commands; answer words (yes, no, digits) are not listened for in this role.

To fit the time budget, each condition runs on a subset manifest (written beside
symbolic links to the corpus, so clip names, and so each clip's lead silence, stay as in
a run on the whole manifest), clips spread evenly over the corpus: quiet, 120 of the 170
command-word clips, 80 non-command and 20 answer clips; mixed, 80 command-word and 40
non-command clips (the counts are in the raw results).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from benchmarks.context import BenchContext, run_timed
from benchmarks.results import Figure, Goal, Measurement

ACCURACY_GOAL = Goal(">=", 0.97)
FALSE_ACCEPT_GOAL = Goal("<=", 0.05)
CONDITIONS: tuple[tuple[str, float | None], ...] = (("quiet", None), ("10 dB", 10.0), ("0 dB", 0.0))


def measure(ctx: BenchContext) -> Measurement:
    m = Measurement(
        "accuracy",
        "Command accuracy and false accepts",
        method="`voicecoach eval-commands MANIFEST --json --engine E` (role spot), and with "
        "`--mix-own-speech --snr 10` / `--snr 0` (own speech through a simulated room, "
        "echo canceller on), on subsets of the human recordings spread over the corpus: "
        "quiet, 120 command-word (stop, go), 80 non-command and 20 answer-word clips; "
        "mixed, 80 command-word and 40 non-command clips"
        + (" (fewer with --quick)" if ctx.quick else "")
        + ". Accuracy = the first meaning heard is the right command.",
    )
    labels = ("accuracy on command words", "non-command words accepted")
    engines = ctx.engines()
    if ctx.manifest is None:
        for engine in engines:
            for condition, _ in CONDITIONS:
                _missing(m, engine, condition, labels, "no speech corpus")
        return m
    for engine, missing in engines.items():
        if missing is not None:
            for condition, _ in CONDITIONS:
                _missing(m, engine, condition, labels, missing)
            continue
        for condition, snr in CONDITIONS:
            manifest = subset_manifest(ctx, quiet=snr is None)
            command = ctx.voicecoach("eval-commands", str(manifest), "--json", "--engine", engine)
            if snr is not None:
                command += ["--mix-own-speech", "--snr", f"{snr:g}"]
            run = run_timed(command, ctx.env(), timeout=900, throughput=True)
            if run.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed: {run.stderr[-800:]}")
            data = json.loads(run.stdout)
            counts = data["counts"]
            m.figures += [
                Figure(
                    f"{engine}, {condition}: {labels[0]}",
                    data["accuracy"],
                    "%",
                    ACCURACY_GOAL,
                    scale=100,
                    digits=1,
                    note=f"{counts['target']} clips (stop, go)",
                ),
                Figure(
                    f"{engine}, {condition}: {labels[1]}",
                    data["false_accept_rate"],
                    "%",
                    FALSE_ACCEPT_GOAL,
                    scale=100,
                    digits=1,
                    note=f"{counts['other']} clips; answer words heard as commands: "
                    f"{_percent(data['off_role_accept_rate'])} of {counts['off_role']}",
                ),
            ]
            m.raw[f"{engine} {condition}"] = {
                "command": " ".join(command[1:]),
                "seconds": round(run.wall, 1),
                **{k: v for k, v in data.items() if k != "clips"},
            }
    return m


def _missing(
    m: Measurement, engine: str, condition: str, labels: tuple[str, str], why: str
) -> None:
    for label in labels:
        m.not_measured(f"{engine}, {condition}: {label}", "%", _goal(label), why, scale=100)


def _goal(label: str) -> Goal:
    return ACCURACY_GOAL if label.startswith("accuracy") else FALSE_ACCEPT_GOAL


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def subset_manifest(ctx: BenchContext, *, quiet: bool) -> Path:
    """A manifest of every command clip plus spread-out others, beside links to the corpus."""
    from voicecoach.config.settings import RecognitionSettings
    from voicecoach.evaluation.eval_commands import expected_meaning
    from voicecoach.session.vocabulary import vocabulary_for

    assert ctx.speech_dir is not None and ctx.manifest is not None
    name = "quiet" if quiet else "mixed"
    folder = ctx.work / f"corpus-{name}"
    manifest = folder / "MANIFEST.tsv"
    if manifest.exists():
        return manifest
    folder.mkdir(parents=True, exist_ok=True)
    for entry in ctx.speech_dir.iterdir():
        if entry.is_dir():
            (folder / entry.name).symlink_to(entry.resolve(), target_is_directory=True)
    with ctx.manifest.open(encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter="\t")
        header = list(reader.fieldnames or [])
        rows = list(reader)
    vocabulary = vocabulary_for(RecognitionSettings())
    kinds: dict[str, list[dict[str, Any]]] = {"target": [], "other": [], "off_role": []}
    for row in rows:
        kinds[expected_meaning(row["word"], "spot", vocabulary)[0]].append(row)
    # (command clips, non-command clips, answer clips); None: all of them.
    wanted: dict[bool, tuple[int | None, int | None, int]] = {
        True: (120, 80, 20),
        False: (80, 40, 0),
    }
    if ctx.quick:
        wanted = {True: (40, 40, 10), False: (30, 20, 0)}
    limits = wanted[quiet]
    chosen = [
        row
        for kind, limit in zip(("target", "other", "off_role"), limits, strict=True)
        for row in _spread(kinds[kind], limit)
    ]
    with manifest.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(chosen)
    return manifest


def _spread(rows: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    if limit is None or limit >= len(rows):
        return rows
    if limit <= 0:
        return []
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]
