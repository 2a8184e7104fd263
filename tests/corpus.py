"""Where the recorded speech corpus and the keyword-spotter model are, for recognition tests.

The corpus (real people saying command words, MANIFEST.tsv) is shared read-only material
outside the repository: $VOICECOACH_CORPUS_DIR, else <repo>/../shared/speech/dev. The
model: $VOICECOACH_MODEL_DIR, else <repo>/../shared/models. When either is missing the
test is skipped with the reason printed; with VOICECOACH_REQUIRE_CORPUS=1 it fails instead
(for machines where the recognition tests must run).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS_ENV = "VOICECOACH_CORPUS_DIR"
MODEL_ENV = "VOICECOACH_MODEL_DIR"
REQUIRE_ENV = "VOICECOACH_REQUIRE_CORPUS"


@dataclass(frozen=True)
class CorpusClip:
    path: Path
    word: str
    speaker: str
    source: str
    """The manifest's source_repo (8 kHz FSDD digits or 16 kHz Speech Commands)."""


def missing(reason: str) -> None:
    """Skip (or fail, when the corpus is required) with `reason`."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 makes this a failure)")
    print(f"skipping: {reason}")
    pytest.skip(reason)


def corpus_dir() -> Path:
    configured = os.environ.get(CORPUS_ENV, "").strip()
    found = Path(configured) if configured else REPO.parent / "shared" / "speech" / "dev"
    if not (found / "MANIFEST.tsv").is_file():
        missing(f"no speech corpus: {found}/MANIFEST.tsv not found (set {CORPUS_ENV})")
    return found


def kws_model_dir() -> Path:
    from voicecoach.store.models import find_model

    configured = os.environ.get(MODEL_ENV, "").strip()
    root = Path(configured) if configured else REPO.parent / "shared" / "models"
    found = find_model("kws", str(root))
    if found is None:
        missing(f"no keyword-spotter model in {root} (set {MODEL_ENV})")
        raise AssertionError("unreachable")  # missing() always raises
    return found


def clips(
    words: Sequence[str], per_word: int, *, sixteen_khz_only: bool = True
) -> list[CorpusClip]:
    """The first `per_word` clips of each word, in manifest order (deterministic)."""
    root = corpus_dir()
    with open(root / "MANIFEST.tsv", encoding="utf-8", newline="") as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    chosen: list[CorpusClip] = []
    for word in words:
        matching = [
            row
            for row in rows
            if row["word"] == word and not (sixteen_khz_only and row["path"].startswith("fsdd/"))
        ]
        chosen.extend(
            CorpusClip(root / row["path"], row["word"], row["speaker"], row["source_repo"])
            for row in matching[:per_word]
        )
    return chosen
