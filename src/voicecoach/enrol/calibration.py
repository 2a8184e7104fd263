"""Calibration: the keyword spotter's per-phrase (boost, threshold) from the person's
recordings, heard through the player's own listening path (enrolment.py).

Calibration, for every phrase whose meaning has recordings (its "positives"; all other
recordings are its negatives), with all phrases searched side by side in each audition so
the search costs a dozen auditions, not a dozen per phrase:
1. boost: one audition per boost in BOOSTS with the lowest threshold; each phrase takes
   the boost that hears most of its positives (then: fewest false fires, then nearest to
   the engine's default);
2. threshold: a binary search per phrase for the highest threshold in THRESHOLDS that
   still hears as many positives (higher is safer against false fires); the threshold
   used is MARGIN_STEPS below it, room for a day the voice is weaker. A word with takes
   that were missed, and a safety phrase ("stop", "pain", ...), is never made harder to
   hear than the engine's default;
3. check and repair: an audition with the chosen settings; a phrase heard on a recording
   of another word gets a higher threshold (never a safety phrase), and a word that was
   heard before but not now gets its old settings back; repeated up to REPAIR_ROUNDS
   times.
The result is whichever audition scored best, the person's current settings included, so
accuracy after calibration is never below the accuracy before. These are measured on the
same recordings they were tuned on: a session will do a little less well.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from voicecoach.enrol.enrolment import (
    Audition,
    Heard,
    Progress,
    Recording,
    Score,
    Tuning,
    score,
)
from voicecoach.session.vocabulary import SAFETY_COMMANDS, Meaning

BOOSTS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0)
THRESHOLDS: tuple[float, ...] = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
REPAIR_ROUNDS = 3
MARGIN_STEPS = 2
"""Grid steps below the highest threshold that heard every take: room for a day the voice
is weaker (one step cost recall on held-out recordings, docs/enrolment.md)."""


@dataclass(frozen=True)
class Calibration:
    tuning: Tuning
    """The settings chosen (every phrase that differs from the engine's default)."""
    before: Score
    after: Score
    changed: bool
    """False when the person's current settings scored best and were kept."""
    unheard: tuple[str, ...] = ()
    """Words none of whose phrases was heard on any of their recordings."""
    phrases_heard: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per word, the phrases the spotter heard on its recordings (best first)."""
    auditions: int = 0


@dataclass(frozen=True)
class _Result:
    tuning: Tuning
    heard: Heard
    score: Score


def engine_default(phrase: str) -> tuple[float, float]:
    """The keyword spotter's own (boost, threshold) for `phrase`."""
    from voicecoach.listening.kws_engine import (
        DEFAULT_BOOST,
        DEFAULT_THRESHOLD,
        DEFAULT_TUNING,
    )

    return DEFAULT_TUNING.get(phrase, (DEFAULT_BOOST, DEFAULT_THRESHOLD))


def audition_count(
    boosts: Sequence[float] = BOOSTS, thresholds: Sequence[float] = THRESHOLDS
) -> int:
    """At most how many auditions calibrate() runs (for progress reports)."""
    return 1 + len(boosts) + math.ceil(math.log2(len(thresholds))) + REPAIR_ROUNDS + 1


def calibrate(
    recordings: Sequence[Recording],
    audition: Audition,
    current: Mapping[str, tuple[float, float]] | None = None,
    *,
    boosts: Sequence[float] = BOOSTS,
    thresholds: Sequence[float] = THRESHOLDS,
    progress: Progress | None = None,
    defaults: Callable[[str], tuple[float, float]] = engine_default,
) -> Calibration:
    """Per-phrase (boost, threshold) for this person's recordings (see the module
    docstring); `current` is the tuning in use now (their old profile, if any);
    `defaults` gives the spotter's own setting for a phrase with no tuning."""
    vocabulary = audition.vocabulary
    current_tuning: Tuning = dict(current or {})
    total = audition_count(boosts, thresholds)
    runs: list[_Result] = []

    def run(tuning: Mapping[str, tuple[float, float]], what: str) -> _Result:
        if progress is not None:
            progress(len(runs) + 1, total, what)
        heard = audition.hear(recordings, tuning)
        result = _Result(dict(tuning), heard, score(recordings, heard, vocabulary))
        runs.append(result)
        return result

    before = run(current_tuning, "hearing your recordings as things are now")
    phrases = audition.phrases
    meaning = {p: vocabulary.lookup(p) for p in phrases}
    positives: dict[str, list[int]] = {}
    for p in phrases:
        mine = meaning[p]
        positives[p] = [i for i, r in enumerate(recordings) if mine and r.meaning == mine]

    def hits(phrase: str, result: _Result) -> int:
        return sum(phrase in result.heard[i] for i in positives[phrase])

    def fires(phrase: str, result: _Result) -> int:
        mine = set(positives[phrase])
        return sum(phrase in h for i, h in enumerate(result.heard) if i not in mine)

    searched = [p for p in phrases if positives[p]]

    # 1. Boost: the one that hears most positives at the lowest threshold.
    low = thresholds[0]
    by_boost = {b: run({p: (b, low) for p in searched}, f"trying boost {b:g}") for b in boosts}
    best_boost: dict[str, float] = {}
    target: dict[str, int] = {}
    for p in searched:
        default_boost = defaults(p)[0]
        boost = max(
            boosts,
            key=lambda b: (
                hits(p, by_boost[b]),
                -fires(p, by_boost[b]),
                -abs(math.log(b / default_boost)),
            ),
        )
        if hits(p, by_boost[boost]) > 0:
            best_boost[p] = boost
            target[p] = hits(p, by_boost[boost])
    searched = [p for p in searched if p in best_boost]

    # 2. Threshold: the highest that still hears as many (parallel binary search).
    lo = dict.fromkeys(searched, 0)
    hi = dict.fromkeys(searched, len(thresholds) - 1)
    while any(lo[p] < hi[p] for p in searched):
        probe = {p: (lo[p] + hi[p] + 1) // 2 for p in searched if lo[p] < hi[p]}
        trial = {p: (best_boost[p], thresholds[probe.get(p, lo[p])]) for p in searched}
        result = run(trial, "trying thresholds")
        for p, index in probe.items():
            if hits(p, result) >= target[p]:
                lo[p] = index
            else:
                hi[p] = index - 1
    chosen: Tuning = {}
    for p in searched:
        threshold = thresholds[max(lo[p] - MARGIN_STEPS, 0)]
        weak = target[p] < len(positives[p])  # some takes missed: do not make it harder
        if weak or meaning[p] in SAFETY_COMMANDS:
            threshold = min(threshold, defaults(p)[1])
        chosen[p] = (best_boost[p], threshold)

    # 3. Check and repair.
    tuning = chosen
    checked = [before]
    for _ in range(REPAIR_ROUNDS + 1):
        result = run(tuning, "checking")
        checked.append(result)
        repaired = _repair(
            result, before, recordings, meaning, current_tuning, thresholds, defaults
        )
        if repaired is None:
            break
        tuning = repaired
    # Best score; ties keep the earlier (the current settings first).
    best = max(checked, key=lambda r: (r.score.count, -r.score.wrong_fires))
    heard_by_word: dict[str, dict[str, int]] = {}
    for b_result in (*by_boost.values(), best):
        for recording, phrases_heard in zip(recordings, b_result.heard, strict=True):
            counts = heard_by_word.setdefault(recording.word, {})
            for p in phrases_heard:
                if meaning[p] == recording.meaning:
                    counts[p] = counts.get(p, 0) + 1
    words = list(dict.fromkeys(r.word for r in recordings if r.meaning is not None))
    return Calibration(
        tuning=_without_defaults(best.tuning, defaults),
        before=before.score,
        after=best.score,
        changed=best is not before,
        unheard=tuple(w for w in words if not heard_by_word.get(w)),
        phrases_heard={
            w: tuple(sorted(c, key=lambda p: -c[p])) for w, c in heard_by_word.items() if c
        },
        auditions=len(runs),
    )


def _repair(
    result: _Result,
    before: _Result,
    recordings: Sequence[Recording],
    meaning: Mapping[str, Meaning | None],
    current: Mapping[str, tuple[float, float]],
    thresholds: Sequence[float],
    defaults: Callable[[str], tuple[float, float]] = engine_default,
) -> Tuning | None:
    """The next tuning to try after `result`, or None when nothing is left to repair."""
    tuning = dict(result.tuning)
    raise_up: set[str] = set()
    restore: set[Meaning] = set()
    for i, recording in enumerate(recordings):
        heard = result.heard[i]
        raise_up.update(p for p in heard if meaning[p] != recording.meaning)
        lost = before.score.right[i] and not result.score.right[i]
        missed = not any(meaning[p] == recording.meaning for p in heard)
        if lost and missed and recording.meaning is not None:
            restore.add(recording.meaning)
    changed = False
    for p in sorted(raise_up):
        if meaning[p] in SAFETY_COMMANDS:  # a false "stop" is safe; a missed one is not
            continue
        boost, threshold = tuning.get(p, current.get(p, defaults(p)))
        higher = [t for t in thresholds if t > threshold]
        if higher:
            tuning[p] = (boost, higher[0])
            changed = True
    for p, m in meaning.items():
        if m in restore and tuning.get(p) != current.get(p):
            if p in current:
                tuning[p] = current[p]
            else:
                tuning.pop(p, None)
            changed = True
    return tuning if changed else None


def _without_defaults(
    tuning: Mapping[str, tuple[float, float]],
    defaults: Callable[[str], tuple[float, float]] = engine_default,
) -> Tuning:
    return {p: bt for p, bt in sorted(tuning.items()) if bt != defaults(p)}
