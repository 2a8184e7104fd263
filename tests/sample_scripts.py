"""Small session scripts built in code, so engine tests do not depend on the library."""

from __future__ import annotations

from voicecoach.script.model import Ceiling, Exercise, Pace, Position, Script, Sides, Variant


def bridging(**changes: object) -> Exercise:
    fields: dict[str, object] = dict(
        name="Bridging",
        source="seed-003",
        setup="Lie on your back with your knees bent and feet flat.",
        cues=("Lift your hips", "and lower slowly"),
        reps=5,
        sets=2,
        hold=3,
        rest=20,
        tempo=2.0,
        easier=(Variant(say="Lift your hips only a little.", reps=3),),
        harder=(Variant(say="Lift one leg as you hold.", hold=5, setup="Straighten one leg."),),
        ceiling=Ceiling(reps=8, sets=3, hold=7),
    )
    fields.update(changes)
    return Exercise(**fields)  # type: ignore[arg-type]


def ankle_pumps(**changes: object) -> Exercise:
    fields: dict[str, object] = dict(
        name="Ankle pumps",
        source="seed-001",
        setup="Lie with your legs straight.",
        cues=("Point your toes", "pull them back"),
        reps=4,
        sets=1,
        tempo=2.0,
        ceiling=Ceiling(reps=10, sets=2),
    )
    fields.update(changes)
    return Exercise(**fields)  # type: ignore[arg-type]


def knee_rolls(**changes: object) -> Exercise:
    fields: dict[str, object] = dict(
        name="Knee rolling",
        source="seed-003",
        setup="Knees bent, roll them gently side to side.",
        cues=("Roll your knees over",),
        reps=6,
        pace=Pace.SELF,
        sides=Sides.ALTERNATING,
    )
    fields.update(changes)
    return Exercise(**fields)  # type: ignore[arg-type]


def breathing() -> Exercise:
    return Exercise(
        name="Slow breathing",
        source="seed-003",
        setup="Rest your hands on your belly.",
        cues=("Breathe in", "and out"),
        reps=3,
        tempo=3.0,
    )


def sample_script(*exercises: Exercise, position: Position = Position.BED) -> Script:
    return Script(
        id="sample-bed",
        title="Sample bed session",
        position=position,
        description="A small script for tests.",
        safety="Move gently and only within comfort.",
        exercises=exercises or (ankle_pumps(), bridging(), knee_rolls()),
        cool_down=(breathing(),),
        closing="That was the last exercise.",
    )
