"""`voicecoach show ID|PATH`: print a session script as a person would read it.

Plain text in reading order, one idea per line, no tables or box drawing, so it reads well
on a screen reader or a braille display as well as on screen.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence

from voicecoach.config.settings import Settings
from voicecoach.script.model import Exercise, Pace, Script, Sides, Variant

WHY_SLOWER = "each cue starts on a whole second and waits until its words are said"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "show",
        help="print a session script in plain words: safety, exercises, variants, cool-down",
        description="Print a session script as a person would read it. Give a bundled "
        "script's id (or the start of it) or the path of a .yaml script file.",
    )
    parser.add_argument("script", metavar="ID|PATH", help="script id, or path of a script file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.script.library import find_script  # loads YAML and JSON Schema: only now
    from voicecoach.store.settings_file import load_settings

    print(render_script(find_script(args.script), load_settings()))
    return 0


def render_script(script: Script, settings: Settings | None = None) -> str:
    """The whole script as plain text, in the order a session plays it; the pace of counted
    exercises as they are played at the speaking rate in `settings`."""
    return "\n".join(_script_lines(script, settings or Settings())).rstrip() + "\n"


def _script_lines(script: Script, settings: Settings) -> Iterator[str]:
    yield script.title
    details = f"Position: {script.position.value}. Script id: {script.id}."
    if script.tags:
        details += f" Tags: {', '.join(script.tags)}."
    yield details
    yield ""
    yield script.description
    yield ""
    yield "Safety, said at the start of every session:"
    yield script.safety
    yield (
        "Every session also says that it is not medical advice, and asks for your pain score "
        'at the start and at the end. Say "pain" at any time to stop.'
    )
    yield ""
    yield from _section("Exercise", script.exercises, script, settings)
    yield from _section("Cool-down", script.cool_down, script, settings)
    if script.closing:
        yield "Closing:"
        yield script.closing
        yield ""


def _section(
    label: str, exercises: Sequence[Exercise], script: Script, settings: Settings
) -> Iterator[str]:
    for number, exercise in enumerate(exercises, start=1):
        yield f"{label} {number} of {len(exercises)}: {exercise.name}"
        yield from exercise_lines(exercise, script, settings)
        yield ""


def exercise_lines(
    exercise: Exercise, script: Script, settings: Settings | None = None
) -> Iterator[str]:
    """Setup, cues, amount and variants of one exercise, a line each."""
    yield f"Setup: {exercise.setup}"
    yield f"Cues: {_cues(exercise.cues)}."
    yield f"Amount: {describe_amount(exercise)}."
    if exercise.pace == Pace.COUNTED:
        yield pace_line(exercise, script, settings or Settings())
    else:
        yield (
            f"Pace: in your own time, counted for you every {_seconds(exercise.tempo)}; "
            'say "done" when the set is finished.'
        )
    yield from _variant_lines("Easier", exercise, exercise.easier, -1)
    yield from _variant_lines("Harder", exercise, exercise.harder, 1)
    yield f"Most: {ceiling_words(exercise)} (harder stops here)."
    if exercise.frequency:
        yield f"How often: {exercise.frequency}."
    yield f"From: {exercise.source}."


def ceiling_words(exercise: Exercise) -> str:
    """The exercise's ceiling, e.g. "3 sets of 15, hold 3 seconds"."""
    reps, sets, hold = exercise.limits()
    text = f"{sets} {'set' if sets == 1 else 'sets'} of {reps}"
    return text + (f", hold {_seconds(hold)}" if hold else "")


def pace_line(exercise: Exercise, script: Script, settings: Settings) -> str:
    """The tempo the script asks for and, when a session plays it slower, what it really is
    (measured on a preview at the speaking rate in `settings`)."""
    from voicecoach.cli.pace_as_played import (
        seconds_per_rep_as_played,
        seconds_per_rep_by_tempo,
    )

    asked = exercise.tempo * settings.session.pace
    played = seconds_per_rep_as_played(exercise, script, settings)
    by_tempo = seconds_per_rep_by_tempo(exercise, settings)
    if played <= by_tempo + 0.25:
        return f"Pace: counted, one cue every {_seconds(asked)}."
    if exercise.hold > 0:
        return (
            f"Pace: counted, one cue every {_seconds(asked)} in the script; as spoken, a rep "
            f"with its hold takes about {_seconds(played)}, not {by_tempo:g}, because "
            f"{WHY_SLOWER}."
        )
    per_cue = round(played / len(exercise.cues), 1)
    return (
        f"Pace: counted, one cue about every {_seconds(per_cue)} as spoken (the script asks "
        f"for {_seconds(asked)}, but {WHY_SLOWER})."
    )


def describe_amount(exercise: Exercise) -> str:
    """E.g. "2 sets of 10, hold 5 seconds, left then right, rest 30 seconds between sets"."""
    parts = [f"{exercise.sets} {'set' if exercise.sets == 1 else 'sets'} of {exercise.reps}"]
    if exercise.pace == Pace.SELF:
        parts[0] += " in your own time"
    if exercise.hold:
        parts.append(f"hold {_seconds(exercise.hold)}")
    if exercise.sides == Sides.LEFT_THEN_RIGHT:
        parts.append("left then right")
    elif exercise.sides == Sides.ALTERNATING:
        parts.append("alternating sides")
    elif exercise.sides == Sides.AFFECTED:
        parts.append(f"{exercise.side} side only" if exercise.side else "affected side only")
    between = (
        "sets"
        if exercise.sets > 1
        else "sides"
        if exercise.sides == Sides.LEFT_THEN_RIGHT
        else None
    )
    if between:
        rest = f"rest {_seconds(exercise.rest)}" if exercise.rest else "no rest"
        parts.append(f"{rest} between {between}")
    return ", ".join(parts)


def _variant_lines(
    label: str, exercise: Exercise, variants: Sequence[Variant], direction: int
) -> Iterator[str]:
    if not variants:
        return
    yield f"{label} options, nearest first:"
    for step, variant in enumerate(variants, start=1):
        changed = exercise.at_level(direction * step)
        line = f"  {step}. {variant.say or ''} Then: {describe_amount(changed)}"
        if variant.cues is not None:
            line += f"; cues: {_cues(variant.cues)}"
        if variant.tempo is not None:
            line += f"; one cue every {_seconds(variant.tempo)}"
        line += "."
        yield line.replace("  . ", "  ").replace(". .", ".")
        if variant.setup is not None:
            yield f"     New setup: {variant.setup}"


def _cues(cues: Sequence[str]) -> str:
    return ", then ".join(f'"{cue}"' for cue in cues)


def _seconds(value: float) -> str:
    number = f"{value:g}"
    return f"{number} second" if value == 1 else f"{number} seconds"
