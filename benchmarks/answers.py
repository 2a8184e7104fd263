"""Answer role (pain scores, yes/no, done, help), with `voicecoach eval-commands --role answer`.

On the speakers never tuned on (`--split test` of the speech corpus: numbers 0-9 from
FSDD at 8 kHz and Speech Commands at 16 kHz, yes, no, and words that are no answer), and on
every clip of the words cut from read sentences (../shared/speech/dev-words, none of which
was used for a choice). Every answer of the table and every command is listened for (a
real question listens only for its own answers: this is the harder case). Figures per word.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.context import BenchContext, run_timed
from benchmarks.results import Figure, Goal, Measurement

NUMBERS_GOAL = Goal(">=", 0.95)
YES_NO_GOAL = Goal(">=", 0.99)
SOUND_ALIKE_GOAL = Goal("<=", 0.01)
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def measure(ctx: BenchContext) -> Measurement:
    m = Measurement(
        "answers",
        "Answers: pain scores, yes/no, done, help",
        method="`voicecoach eval-commands MANIFEST --role answer --split test --json` on the "
        "speech corpus (speakers never tuned on), and `--role answer` on every clip of "
        "../shared/speech/dev-words; a word counts when the first meaning heard is its own.",
    )
    engines = ctx.engines()
    if ctx.manifest is None or engines.get("kws") is not None:
        why = "no speech corpus" if ctx.manifest is None else str(engines.get("kws"))
        for label, goal in (
            ("numbers 0-9 heard right", NUMBERS_GOAL),
            ("yes / no heard right", YES_NO_GOAL),
            ("other words taken for an answer", SOUND_ALIKE_GOAL),
        ):
            m.not_measured(label, "%", goal, why, scale=100)
        return m
    data = _run(ctx, ctx.manifest, ["--split", "test"], m, "test split")
    words = data["per_word"]
    numbers = _pool(words, NUMBER_WORDS)
    yes_no = _pool(words, ("yes", "no"))
    others = [w for w in words.values() if w["kind"] == "other"]
    fired = sum(w["fired"] for w in others)
    clips = sum(w["clips"] for w in others)
    m.figures += [
        Figure("numbers 0-9 heard right", numbers[0], "%", NUMBERS_GOAL, scale=100, digits=1,
               note=_per_word(words, NUMBER_WORDS)),
        Figure("yes / no heard right", yes_no[0], "%", YES_NO_GOAL, scale=100, digits=1,
               note=_per_word(words, ("yes", "no"))),
        Figure("other words taken for an answer", fired / clips if clips else None, "%",
               SOUND_ALIKE_GOAL, scale=100, digits=1,
               note=f"{fired} of {clips} clips: " + _fired(others, words)),
    ]  # fmt: skip
    dev_words = (ctx.speech_dir.parent / "dev-words" / "MANIFEST.tsv") if ctx.speech_dir else None
    if dev_words is not None and dev_words.is_file():
        extra = _run(ctx, dev_words, [], m, "dev-words")["per_word"]
        for word in ("done", "help", "ready", "next", "ten"):
            if word in extra:
                entry = extra[word]
                m.figures.append(
                    Figure(f"dev-words: '{word}' heard right", entry["accuracy"], "%",
                           None, scale=100, digits=0,
                           note=f"{entry['correct']} of {entry['clips']} clips"
                           + _heard_instead(entry))
                )  # fmt: skip
    return m


def _run(
    ctx: BenchContext, manifest: Path, extra: list[str], m: Measurement, name: str
) -> dict[str, Any]:
    command = ctx.voicecoach(
        "eval-commands", str(manifest), "--json", "--engine", "kws", "--role", "answer", *extra
    )
    run = run_timed(command, ctx.env(), timeout=1800, throughput=True)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {run.stderr[-800:]}")
    data: dict[str, Any] = json.loads(run.stdout)
    shown = [_as_shared(part) for part in command[1:]]
    m.raw[name] = {
        "command": " ".join(shown),
        "seconds": round(run.wall, 1),
        **{k: v for k, v in data.items() if k != "clips"},
    }
    return data


def _pool(words: dict[str, Any], wanted: tuple[str, ...]) -> tuple[float | None, int]:
    entries = [words[w] for w in wanted if w in words]
    clips = sum(e["clips"] for e in entries)
    return (sum(e["correct"] for e in entries) / clips if clips else None), clips


def _per_word(words: dict[str, Any], wanted: tuple[str, ...]) -> str:
    return ", ".join(f"{w} {words[w]['correct']}/{words[w]['clips']}" for w in wanted if w in words)


def _fired(others: list[dict[str, Any]], words: dict[str, Any]) -> str:
    names = {id(entry): word for word, entry in words.items()}
    fired = [f"{names[id(e)]} as {heard}" for e in others for heard in e["heard"] if e["fired"]]
    return ", ".join(fired) or "none"


def _heard_instead(entry: dict[str, Any]) -> str:
    wrong = {k: v for k, v in entry["heard"].items() if k != entry["expected"]}
    return ("; heard as " + ", ".join(f"{k} {v}" for k, v in wrong.items())) if wrong else ""


def _as_shared(part: str) -> str:
    """A corpus path as the project's documents name it (../shared/...), not this machine's."""
    marker = "/shared/"
    return "../shared/" + part.split(marker, 1)[1] if marker in part else part
