"""A script turned into the ordered steps the engine walks through.

Steps are data: say a sentence, say a counted beat, count a hold, rest with a countdown
(or quietly, between two holds), wait for "done", ask for a pain score. Each step knows
where it is (exercise, side, set, rep) and where to go back to when the person resumes after
a pause or a question (`resume_at`: the start of the rep, the rest, or the exercise's
set-up). The pacing rules (docs/safety.md, "Rests and pacing") are made here: a rest after
each exercise, at least HOLD_REST_SECONDS between holds, "Last one." before the last rep of
a set, "Well done." at the end of an exercise, and self-paced sets counted for the person.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from voicecoach.config.settings import SessionSettings
from voicecoach.script.model import Exercise, Pace, Script, Sides
from voicecoach.session.adaptation import adapt
from voicecoach.session.vocabulary import count_word

NOT_MEDICAL_ADVICE = (
    "This is not medical advice. Say pain if anything hurts, or help to hear other words."
)
HEAT_NOTE = (
    "Heat can make MS tiredness worse, so keep cool. If your symptoms get worse when you are "
    "warm, stop and cool down; they should settle as you cool."
)


class StepKind(str, Enum):
    SAY = "say"
    BEAT = "beat"
    HOLD = "hold"
    REST = "rest"
    WAIT_DONE = "wait_done"
    ASK_PAIN = "ask_pain"


class Phase(str, Enum):
    INTRO = "intro"
    SETUP = "setup"
    REP = "rep"
    REST = "rest"
    ENDING = "ending"


@dataclass(frozen=True)
class Place:
    """Where a step is: exercise index (-1 intro, len(all) ending), side, set, rep (1-based)."""

    exercise: int
    side: str | None = None
    side_index: int = 0
    set: int = 0
    rep: int = 0

    def order(self) -> tuple[int, int, int, int]:
        return (self.exercise, self.side_index, self.set, self.rep)


@dataclass(frozen=True)
class Step:
    kind: StepKind
    phase: Phase
    place: Place
    text: str = ""
    seconds: float = 0.0
    """Hold or rest length; beat length before the pace setting."""
    resume_at: int = 0
    """Index to restart from after an interruption (filled in by `number_steps`)."""
    ends_set: bool = False
    """True on the last step of a set: completing it logs a completed set."""
    quiet: bool = False
    """A rest said nothing about: the pause between two holds."""


HOLD_REST_SECONDS = 5
"""The least quiet rest between two holds (MS fatigue: holds of 5-10 s need a real pause)."""


def _rep_steps(ex: Exercise, place: Place, rep_label: str) -> list[Step]:
    cues = list(ex.cues)
    first = f"{rep_label}. {cues[0]}" if rep_label else cues[0]
    if ex.hold > 0:
        steps = [
            Step(StepKind.BEAT, Phase.REP, place, first, seconds=1.0),
            Step(StepKind.HOLD, Phase.REP, place, seconds=float(ex.hold)),
        ]
    else:
        steps = [Step(StepKind.BEAT, Phase.REP, place, first, seconds=ex.tempo)]
    steps += [Step(StepKind.BEAT, Phase.REP, place, c, seconds=ex.tempo) for c in cues[1:]]
    return steps


def _side_name(ex: Exercise, side_index: int, rep: int) -> str | None:
    if ex.sides is Sides.LEFT_THEN_RIGHT:
        return ("left", "right")[side_index]
    if ex.sides is Sides.ALTERNATING:
        return ("left", "right")[(rep - 1) % 2]
    if ex.sides is Sides.AFFECTED:
        return ex.side
    return None


def _rep_label(ex: Exercise, rep: int, rep_side: str | None) -> str:
    """ "Two", "Three, left"; the last rep of a set is "Last one" so nobody has to count."""
    number = "Last one" if rep == ex.reps and ex.reps > 1 else count_word(rep).capitalize()
    return f"{number}, {rep_side}" if ex.sides is Sides.ALTERNATING else number


def _self_paced_steps(ex: Exercise, place: Place, side: str | None) -> list[Step]:
    """The cues once, then the reps counted for the person, one every `tempo` seconds
    (times the pace setting); "done" after the count, or sooner, ends the set."""
    where = f" on the {side} side" if ex.sides is Sides.LEFT_THEN_RIGHT and side else ""
    alternate = ", changing sides each time" if ex.sides is Sides.ALTERNATING else ""
    cue_text = " ".join(c.rstrip(".") + "." for c in ex.cues)
    steps = [
        Step(
            StepKind.SAY,
            Phase.REP,
            replace(place, rep=1),
            f"Do {count_word(ex.reps)}{where}{alternate}, at your own pace. {cue_text} "
            "I'll count for you. Say slower if you need more time.",
        )
    ]
    for rep in range(1, ex.reps + 1):
        label = _rep_label(ex, rep, _side_name(ex, place.side_index, rep))
        steps.append(Step(StepKind.BEAT, Phase.REP, replace(place, rep=rep), f"{label}.", ex.tempo))
    steps.append(
        Step(
            StepKind.WAIT_DONE,
            Phase.REP,
            # Interrupted here, the set starts again from its instruction.
            replace(place, rep=1),
            "Say done when you have finished.",
            ends_set=True,
        )
    )
    return steps


def _set_steps(ex: Exercise, place: Place, extra_rest: int, hold_rest: int) -> list[Step]:
    """The reps of one set, with a quiet rest of `hold_rest` (+ `extra_rest`) seconds
    between two holds."""
    steps: list[Step] = []
    for rep in range(1, ex.reps + 1):
        rep_side = _side_name(ex, place.side_index, rep)
        rep_place = replace(place, side=rep_side, rep=rep)
        if ex.hold > 0 and rep > 1 and hold_rest > 0:
            steps.append(
                Step(
                    StepKind.REST,
                    Phase.REST,
                    rep_place,  # the rest before this rep
                    seconds=hold_rest + extra_rest,
                    quiet=True,
                )
            )
        steps += _rep_steps(ex, rep_place, _rep_label(ex, rep, rep_side))
    steps[-1] = replace(steps[-1], ends_set=True)
    return steps


def _side_steps(
    ex: Exercise, index: int, side_index: int, extra_rest: int, hold_rest: int
) -> list[Step]:
    side = _side_name(ex, side_index, 1)
    steps: list[Step] = []
    first = Place(index, side, side_index, 1)
    if ex.sides is Sides.LEFT_THEN_RIGHT:
        if side_index > 0:
            steps.append(Step(StepKind.REST, Phase.REST, first, seconds=ex.rest + extra_rest))
        steps.append(Step(StepKind.SAY, Phase.SETUP, first, f"Now the {side} side."))
    elif ex.sides is Sides.AFFECTED:
        only = f"the {side} side" if side else "the side with the symptoms"
        steps.append(Step(StepKind.SAY, Phase.SETUP, first, f"Only {only}."))
    for set_number in range(1, ex.sets + 1):
        place = Place(index, side, side_index, set_number)
        if set_number > 1:
            steps.append(Step(StepKind.REST, Phase.REST, place, seconds=ex.rest + extra_rest))
        if ex.sets > 1:
            steps.append(Step(StepKind.SAY, Phase.REP, place, f"Set {set_number} of {ex.sets}."))
        if ex.pace is Pace.SELF:
            steps += _self_paced_steps(ex, place, side)
        else:
            steps += _set_steps(ex, place, extra_rest, hold_rest)
    return steps


def exercise_steps(
    ex: Exercise,
    index: int,
    count: int,
    *,
    cool_down: bool,
    extra_rest: int = 0,
    rest_after: int = 0,
    hold_rest: int = HOLD_REST_SECONDS,
) -> list[Step]:
    """Steps of one exercise, from its announcement to "Well done." and the rest after it
    (`rest_after` seconds, plus `extra_rest`; none when 0), with `hold_rest` seconds between
    two holds."""
    start = Place(index)
    title = (
        f"Cool-down: {ex.name}." if cool_down else f"Exercise {index + 1} of {count}: {ex.name}."
    )
    steps = [
        Step(StepKind.SAY, Phase.SETUP, start, title),
        Step(StepKind.SAY, Phase.SETUP, start, ex.setup),
    ]
    side_count = 2 if ex.sides is Sides.LEFT_THEN_RIGHT else 1
    for side_index in range(side_count):
        steps += _side_steps(ex, index, side_index, extra_rest, hold_rest)
    end = replace(steps[-1].place, rep=0)
    often = f" You can do this one {ex.frequency}." if ex.frequency else ""
    steps.append(Step(StepKind.SAY, Phase.REST, end, f"Well done.{often}"))
    if rest_after > 0:
        steps.append(Step(StepKind.REST, Phase.REST, end, seconds=rest_after + extra_rest))
    return steps


def intro_steps(
    script: Script, heat_note: bool, ask_pain: bool, notes: tuple[str, ...] = ()
) -> list[Step]:
    """Welcome, the script's safety words, not medical advice, the heat note, `notes` (such
    as levels carried over from last time), then the pain score."""
    here = Place(-1)
    texts = [f"Welcome. This is {script.title}.", script.safety, NOT_MEDICAL_ADVICE]
    if heat_note:
        texts.append(HEAT_NOTE)
    texts += notes
    steps = [Step(StepKind.SAY, Phase.INTRO, here, t) for t in texts]
    if ask_pain:
        steps.append(Step(StepKind.ASK_PAIN, Phase.INTRO, here, "start"))
    return steps


def ending_steps(script: Script, ask_pain: bool) -> list[Step]:
    here = Place(len(script.all_exercises))
    steps = []
    if script.closing:
        steps.append(Step(StepKind.SAY, Phase.ENDING, here, script.closing))
    if ask_pain:
        steps.append(Step(StepKind.ASK_PAIN, Phase.ENDING, here, "end"))
    return steps


def number_steps(steps: list[Step]) -> list[Step]:
    """Fill `resume_at`: a rep step resumes at its rep's first step, a rest at itself,
    a set-up sentence at the exercise's first sentence, anything else at itself."""
    out: list[Step] = []
    rep_start: dict[tuple[int, int, int, int], int] = {}
    setup_start: dict[int, int] = {}
    for i, step in enumerate(steps):
        key = step.place.order()
        if step.phase is Phase.REP:
            resume = rep_start.setdefault(key, i)
        elif step.phase is Phase.SETUP:
            resume = setup_start.setdefault(step.place.exercise, i) if step.place.set == 0 else i
        else:
            resume = i
        out.append(replace(step, resume_at=resume))
    return out


def build_plan(
    script: Script,
    levels: dict[str, int],
    *,
    heat_note: bool = True,
    ask_pain: bool = True,
    extra_rest: int = 0,
    rest_between_exercises: int = SessionSettings.rest_between_exercises,
    notes: tuple[str, ...] = (),
) -> list[Step]:
    """All steps of a session of `script` with each exercise at its level, a rest of
    `rest_between_exercises` (+ `extra_rest`) seconds after each exercise but the last."""
    steps = intro_steps(script, heat_note, ask_pain, notes)
    for index, base in enumerate(script.all_exercises):
        ex = adapt(base, levels.get(base.name, 0)).exercise
        steps += exercise_block(script, index, ex, extra_rest, rest_between_exercises)
    steps += ending_steps(script, ask_pain)
    return number_steps(steps)


def exercise_block(
    script: Script, index: int, exercise: Exercise, extra_rest: int, rest_between_exercises: int
) -> list[Step]:
    """The steps of the script's exercise `index`, played as `exercise` (at some level)."""
    main_count = len(script.exercises)
    last = index == len(script.all_exercises) - 1
    return exercise_steps(
        exercise,
        index,
        main_count,
        cool_down=index >= main_count,
        extra_rest=extra_rest,
        rest_after=0 if last else rest_between_exercises,
    )


def planned_sets(steps: list[Step]) -> int:
    return sum(1 for s in steps if s.ends_set)
