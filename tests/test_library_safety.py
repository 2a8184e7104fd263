"""The bundled library as a physiotherapist would check it against the seeds: every exercise
carries its ceiling, "harder" never passes the seed's maximum, advice that matters is in what
is spoken, and the script fixes of issue 12 hold."""

from __future__ import annotations

import pytest

from voicecoach.script.library import load_library
from voicecoach.script.model import Exercise, Script, Sides
from voicecoach.session.adaptation import adapt, level_range

SEED_MAXIMUM = {
    # exercise name -> (reps, sets, hold) the seed gives as its most
    "Push-pull, knee away": (10, 1, 5),  # seed 000: hold five seconds, 5-10 times each side
    "Push-pull, knee towards you": (10, 1, 5),
    "Seated push-pull, leg down": (10, 1, 5),
    "Seated push-pull, leg up": (10, 1, 5),
    "Bridging": (15, 3, 3),  # seed 003: build up to 3 sets of 15
    "Sit to stand": (15, 3, 0),  # seed 003: build up to 3 sets of 15
    "Back lift": (20, 3, 0),  # seed 004: 15 or 20 times, 3 times
    "Pelvic lift": (10, 1, 10),  # seed 004: 10 seconds, 10 times
    "Forward bend in sitting": (10, 1, 5),  # seed 003: hold 5 seconds, repeat 10 times
}


def _exercises() -> list[tuple[Script, Exercise]]:
    return [(s, e) for s in load_library() for e in s.all_exercises]


def _name(pair: tuple[Script, Exercise]) -> str:
    return f"{pair[0].id}:{pair[1].name}"


@pytest.mark.parametrize("pair", _exercises(), ids=_name)
def test_every_bundled_exercise_writes_its_ceiling(pair: tuple[Script, Exercise]) -> None:
    _, exercise = pair
    assert exercise.ceiling.reps is not None and exercise.ceiling.sets is not None


@pytest.mark.parametrize("pair", _exercises(), ids=_name)
def test_the_hardest_level_stays_within_the_ceiling(pair: tuple[Script, Exercise]) -> None:
    _, exercise = pair
    _, highest = level_range(exercise)
    reps, sets, hold = exercise.limits()
    for level in range(highest + 1):
        played = adapt(exercise, level).exercise
        assert (played.reps, played.sets, played.hold) <= (reps, 50, 120)
        assert played.reps <= reps and played.sets <= sets and played.hold <= hold


def test_harder_stops_at_each_seeds_maximum() -> None:
    seen = set()
    for _, exercise in _exercises():
        if exercise.name not in SEED_MAXIMUM:
            continue
        seen.add(exercise.name)
        _, highest = level_range(exercise)
        hardest = adapt(exercise, highest).exercise
        most_reps, most_sets, most_hold = SEED_MAXIMUM[exercise.name]
        assert hardest.reps <= most_reps, exercise.name
        assert hardest.sets <= most_sets, exercise.name
        assert hardest.hold <= most_hold, exercise.name
    assert seen == set(SEED_MAXIMUM)


def _spoken(script: Script) -> str:
    """Everything the script has said aloud at some level: safety, closing, setups, cues."""
    texts = [script.safety, script.closing]
    for exercise in script.all_exercises:
        lowest, highest = level_range(exercise)
        for level in range(lowest, highest + 1):
            played = adapt(exercise, level).exercise
            texts += [played.setup, *played.cues]
    return " ".join(texts).lower()


@pytest.mark.parametrize("script", load_library(), ids=lambda s: s.id)
def test_advice_that_matters_is_spoken_not_only_written(script: Script) -> None:
    spoken = _spoken(script)
    for advice in ("hold your breath", "breathe normally", "cramps"):
        if advice in script.description.lower():
            assert advice in spoken, f"{script.id}: {advice!r} is only in the description"
    if any(e.source == "seed-000" for e in script.all_exercises):
        assert "never hold your breath" in spoken


def test_every_push_pull_setup_has_a_breathing_cue() -> None:
    push_pulls = [e for _, e in _exercises() if e.source == "seed-000"]
    assert len(push_pulls) >= 6
    for exercise in push_pulls:
        assert "never hold your breath" in exercise.setup, exercise.name


def test_harder_push_pull_setup_says_half_strength_instead_of_a_quarter() -> None:
    for _, exercise in _exercises():
        if exercise.source != "seed-000":
            continue
        harder = exercise.at_level(1).setup
        assert "half your strength" in harder and "quarter" not in harder, exercise.name


def test_seated_push_pull_leg_down_lifts_the_foot_first() -> None:
    found = [e for _, e in _exercises() if e.name == "Seated push-pull, leg down"]
    assert found
    for exercise in found:
        assert "lift that foot a little off the floor" in exercise.setup


def test_forward_bend_sits_back_in_the_chair() -> None:
    (bend,) = [e for _, e in _exercises() if e.name == "Forward bend in sitting"]
    assert bend.setup.startswith("Sit back in the chair")
    assert "front" not in bend.setup


def test_the_nerve_glide_is_for_the_affected_leg_only() -> None:
    (glide,) = [e for _, e in _exercises() if e.name == "Seated sciatic nerve glide"]
    assert glide.sides is Sides.AFFECTED
    assert "side I name" not in " ".join(adapt(glide, lv).exercise.setup for lv in (-2, -1, 0))


def test_seed_frequencies_are_stated() -> None:
    frequency = {e.name: e.frequency for _, e in _exercises() if e.frequency}
    assert frequency["Forward bend in sitting"] == "three to four times a day"
    assert frequency["Pelvic lift"] == "twice a day"
    assert frequency["Back lift"].startswith("twice a day")
    assert frequency["Seated sciatic nerve glide"] == "several times a day"


def test_bridges_and_pelvic_lifts_are_not_in_one_session() -> None:
    for script in load_library():
        names = {e.name for e in script.all_exercises}
        assert not {"Bridging", "Pelvic lift"} <= names, script.id
