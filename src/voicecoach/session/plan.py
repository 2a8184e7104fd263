"""A script turned into the ordered steps the engine walks through.

Steps are data: say a sentence, say a counted beat, count a hold, rest with a countdown,
wait for "done", ask for a pain score. Each step knows where it is (exercise, side, set,
rep) and where to go back to when the person resumes after a pause or a question
(`resume_at`: the start of the rep, the rest, or the exercise's set-up).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from voicecoach.script.model import Exercise, Pace, Script, Sides
from voicecoach.session.adaptation import adapt
from voicecoach.session.vocabulary import count_word

NOT_MEDICAL_ADVICE = (
    "This is not medical advice. Say pain if anything hurts, or help to hear other words."
)
HEAT_NOTE = "Heat can make MS tiredness worse, so keep cool."


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
    return None


def exercise_steps(
    ex: Exercise, index: int, count: int, *, cool_down: bool, extra_rest: int = 0
) -> list[Step]:
    """Steps of one exercise, from its announcement to its last rep."""
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
        side = _side_name(ex, side_index, 1)
        if ex.sides is Sides.LEFT_THEN_RIGHT:
            if side_index > 0:
                steps.append(
                    Step(
                        StepKind.REST,
                        Phase.REST,
                        Place(index, side, side_index, 1),
                        seconds=ex.rest + extra_rest,
                    )
                )
            steps.append(
                Step(
                    StepKind.SAY,
                    Phase.SETUP,
                    Place(index, side, side_index, 1),
                    f"Now the {side} side.",
                )
            )
        for set_number in range(1, ex.sets + 1):
            place = Place(index, side, side_index, set_number)
            if set_number > 1:
                steps.append(Step(StepKind.REST, Phase.REST, place, seconds=ex.rest + extra_rest))
            if ex.sets > 1:
                steps.append(
                    Step(StepKind.SAY, Phase.REP, place, f"Set {set_number} of {ex.sets}.")
                )
            if ex.pace is Pace.SELF:
                where = f" on the {side} side" if ex.sides is Sides.LEFT_THEN_RIGHT else ""
                alternate = ", changing sides each time" if ex.sides is Sides.ALTERNATING else ""
                cue_text = " ".join(c.rstrip(".") + "." for c in ex.cues)
                steps.append(
                    Step(
                        StepKind.SAY,
                        Phase.REP,
                        replace(place, rep=1),
                        f"Do {ex.reps}{where}{alternate}, at your own pace. {cue_text}",
                    )
                )
                steps.append(
                    Step(
                        StepKind.WAIT_DONE,
                        Phase.REP,
                        replace(place, rep=1),
                        "Say done when you have finished.",
                        ends_set=True,
                    )
                )
                continue
            for rep in range(1, ex.reps + 1):
                rep_side = _side_name(ex, side_index, rep)
                rep_place = Place(index, rep_side, side_index, set_number, rep)
                number = count_word(rep).capitalize()
                label = f"{number}, {rep_side}" if ex.sides is Sides.ALTERNATING else number
                steps += _rep_steps(ex, rep_place, label)
            steps[-1] = replace(steps[-1], ends_set=True)
    return steps


def intro_steps(script: Script, heat_note: bool, ask_pain: bool) -> list[Step]:
    here = Place(-1)
    texts = [f"Welcome. This is {script.title}.", script.safety, NOT_MEDICAL_ADVICE]
    if heat_note:
        texts.append(HEAT_NOTE)
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
) -> list[Step]:
    """All steps of a session of `script` with each exercise at its level."""
    steps = intro_steps(script, heat_note, ask_pain)
    main_count = len(script.exercises)
    for index, base in enumerate(script.all_exercises):
        ex = adapt(base, levels.get(base.name, 0)).exercise
        steps += exercise_steps(
            ex, index, main_count, cool_down=index >= main_count, extra_rest=extra_rest
        )
    steps += ending_steps(script, ask_pain)
    return number_steps(steps)


def planned_sets(steps: list[Step]) -> int:
    return sum(1 for s in steps if s.ends_set)
