"""How fast a counted exercise really goes, for `voicecoach show`.

A counted rep says one cue per beat, each beat starting on a whole second and lasting the
script's tempo (times the pace setting), but never shorter than its cue takes to say plus
the pause after a sentence. So a "one cue every 2 seconds" exercise whose cues take 2.1 s to
say plays a cue every 3 seconds. Rather than restate the engine's rule, the figure is
measured: a short session of the exercise alone is previewed on the virtual clock (the same
engine, speech timed at the person's speaking rate) and the time between reps is read off.
"""

from __future__ import annotations

from dataclasses import replace

from voicecoach.config.settings import Settings
from voicecoach.script.model import Exercise, Pace, Script, Sides
from voicecoach.session.plan import HOLD_REST_SECONDS
from voicecoach.session.preview import preview
from voicecoach.session.vocabulary import count_word

MEASURED_REPS = 3


def seconds_per_rep_as_played(exercise: Exercise, script: Script, settings: Settings) -> float:
    """Seconds from one rep's first cue to the next rep's, as a session plays them."""
    if exercise.pace is not Pace.COUNTED:
        raise ValueError("only counted exercises have a pace to measure")
    # One side only: left-then-right would count the reps twice.
    sides = Sides.NONE if exercise.sides is Sides.LEFT_THEN_RIGHT else exercise.sides
    # One rep more than measured: the last rep of a set is "Last one", not its number.
    one = replace(exercise, sets=1, reps=MEASURED_REPS + 1, sides=sides)
    alone = replace(script, exercises=(one,), cool_down=(), closing="")
    quiet = replace(
        settings,
        session=replace(settings.session, ask_pain_scores=False, heat_note=False),
    )
    labels = tuple(
        count_word(n).capitalize() + end for n in range(1, MEASURED_REPS + 1) for end in ".,"
    )
    starts = [
        line.t
        for line in preview(alone, quiet, simulate_person=False)
        if line.kind == "say" and line.text.startswith(labels)
    ][:MEASURED_REPS]
    if len(starts) < MEASURED_REPS:
        raise ValueError(f"preview of {exercise.name} did not count {MEASURED_REPS} reps")
    return (starts[-1] - starts[0]) / (MEASURED_REPS - 1)


def seconds_per_rep_by_tempo(exercise: Exercise, settings: Settings) -> float:
    """What the script's tempo alone would give: a second to start a hold, the hold, the
    tempo for every other cue, and the quiet rest before the next hold (or the tempo for
    every cue when there is no hold)."""
    pace = settings.session.pace
    if exercise.hold > 0:
        rest = HOLD_REST_SECONDS + settings.session.extra_rest_between_sets
        return 1.0 + exercise.hold + (len(exercise.cues) - 1) * exercise.tempo * pace + rest
    return len(exercise.cues) * exercise.tempo * pace
