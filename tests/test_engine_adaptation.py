"""Easier and harder during a session: one step at a time, the script's own variants first,
then generic steps, clamped at the ends; "back to normal"; levels remembered from history."""

from __future__ import annotations

import pytest

from engine_driver import EngineDriver, driver_at
from sample_scripts import ankle_pumps, bridging, sample_script
from voicecoach.script.model import Variant
from voicecoach.session.adaptation import (
    GENERIC_EASIER,
    GENERIC_HARDER,
    ceiling_sentence,
    level_range,
)
from voicecoach.session.engine import State

EASIER_BRIDGING = "Lift your hips only a little."
HARDER_BRIDGING = "Lift one leg as you hold."
HARDER_SETUP = "Straighten one leg."


def said_after(d: EngineDriver, word: str, seconds: float = 8.0) -> list[str]:
    mark = d.mark()
    d.hear(word)
    d.advance(seconds)
    return d.said(mark)


def in_bridging() -> EngineDriver:
    d = driver_at("holding")
    assert d.engine.status().exercise == "Bridging"
    return d


def test_easier_takes_the_scripts_own_variant_first() -> None:
    d = in_bridging()
    mark = d.mark()
    d.hear("easier")
    d.run_until(lambda: d.said(mark)[-1:] == ["Rest for twenty seconds."])
    said = d.said(mark)
    assert said[:2] == [EASIER_BRIDGING, "Two. Lift your hips"]
    assert [s for s in said if s.endswith("Lift your hips")] == [
        "Two. Lift your hips",
        "Last one. Lift your hips",
    ]
    (change,) = d.logs("level_change", mark)
    assert change.detail == {"exercise": "Bridging", "level": -1, "from": 0, "direction": "easier"}


def test_easier_steps_down_one_at_a_time_then_says_it_is_the_easiest() -> None:
    d = in_bridging()
    lowest, _ = level_range(bridging())
    heard = [said_after(d, "easier")[0] for _ in range(-lowest + 2)]
    assert heard == [
        EASIER_BRIDGING,
        *(g.say for g in GENERIC_EASIER),
        "This is already the easiest version.",
        "This is already the easiest version.",
    ]
    assert d.engine.levels["Bridging"] == lowest
    assert [log.detail["level"] for log in d.logs("level_change")] == list(
        range(-1, lowest - 1, -1)
    )


def test_harder_says_only_the_variants_sentence_and_repeat_gives_its_setup() -> None:
    d = in_bridging()
    mark = d.mark()
    d.hear("harder")
    d.run_until(lambda: "Hold." in d.said(mark))
    said = d.said(mark)
    # The variant's sentence, then straight back to the rep: the setup is not re-read.
    assert said[:2] == [HARDER_BRIDGING, "Two. Lift your hips"]
    # The harder variant holds for five seconds.
    hold = said.index("Hold.")
    d.run_until(lambda: "And relax." in d.said(mark))
    assert d.said(mark)[hold:] == ["Hold.", "two", "three", "four", "five", "And relax."]
    assert HARDER_SETUP not in d.said(mark)
    assert said_after(d, "repeat")[0] == HARDER_SETUP  # the setup at the new level


def test_harder_steps_up_one_at_a_time_then_says_where_the_ceiling_is() -> None:
    d = in_bridging()
    _, highest = level_range(bridging())
    heard = [said_after(d, "harder")[0] for _ in range(highest + 1)]
    assert heard == [
        HARDER_BRIDGING,
        *(g.say for g in GENERIC_HARDER),
        "This is as far as this exercise goes: up to three sets of eight, holding for seven "
        "seconds. Keep it here; that is the most its guidance advises.",
    ]
    assert ceiling_sentence(bridging()) == heard[-1]


def test_an_exercise_without_variants_gets_generic_steps() -> None:
    d = driver_at("counting")
    assert d.engine.status().exercise == "Ankle pumps"
    assert said_after(d, "easier")[:2] == ["Let's do fewer this time.", "Two. Point your toes"]
    assert d.engine.status().rep_count == 3


def test_easier_then_harder_comes_back_to_the_usual_version() -> None:
    d = in_bridging()
    said_after(d, "easier")
    assert said_after(d, "harder")[0] == "Making it a little harder."
    assert d.engine.levels["Bridging"] == 0
    assert said_after(d, "back to normal")[0] == "This is already the usual version."


def test_back_to_normal_resets_the_level() -> None:
    d = in_bridging()
    said_after(d, "easier")
    said_after(d, "easier")
    mark = d.mark()
    d.hear("back to normal")
    d.run_until(lambda: d.said(mark)[-1:] == ["Rest for twenty seconds."])
    said = d.said(mark)
    assert said[0] == "Back to the usual version."
    assert "Four. Lift your hips" in said and "Last one. Lift your hips" in said
    assert d.engine.levels["Bridging"] == 0
    (change,) = d.logs("level_change", mark)
    assert change.detail["level"] == 0 and change.detail["from"] == -2


def test_a_level_change_only_changes_the_current_exercise() -> None:
    d = in_bridging()
    said_after(d, "easier")
    d.finish()
    assert d.engine.levels == {"Bridging": -1}
    said = d.said()
    assert (
        "Do six, changing sides each time, at your own pace. Roll your knees over. "
        "I'll count for you. Say slower if you need more time." in said
    )
    assert "Last one. Breathe in" in said


def test_easier_in_a_self_paced_exercise_asks_for_fewer() -> None:
    d = driver_at("waiting for done")
    assert said_after(d, "easier")[:2] == [
        "Let's do fewer this time.",
        "Do four, changing sides each time, at your own pace. Roll your knees over. "
        "I'll count for you. Say slower if you need more time.",
    ]


@pytest.mark.parametrize("word", ["easier", "harder", "back to normal"])
def test_no_change_before_an_exercise_has_started(word: str) -> None:
    d = driver_at("speaking intro")
    assert said_after(d, word)[0] == "We can change that once an exercise has started."
    assert d.engine.levels == {}


@pytest.mark.parametrize("moment", ["paused", "stopped", "waiting for ready", "taking a rest"])
def test_a_level_change_while_paused_is_announced_and_the_pause_goes_on(moment: str) -> None:
    d = driver_at(moment)
    state = d.state
    mark = d.mark()
    d.hear("easier")
    assert d.state is state
    d.advance(30)
    assert d.said(mark) == ["Let's do fewer this time."]
    d.advance(600)
    d.hear("continue")
    d.advance(20)
    said = d.said(mark)
    assert said[said.index("Carrying on.") + 1] == "Two. Point your toes"
    assert "Four. Point your toes" not in said  # three reps now


# ---------------------------------------------------------------- levels from history


def test_levels_passed_in_shape_the_plan() -> None:
    d = EngineDriver(sample_script(), levels={"Bridging": -1, "Ankle pumps": 1})
    d.start()
    d.finish()
    said = d.said()
    assert [s for s in said if s.endswith("Lift your hips")] == [
        "One. Lift your hips",
        "Two. Lift your hips",
        "Last one. Lift your hips",
    ] * 2
    assert "Four. Point your toes" in said  # ankle pumps one step harder: 5 reps
    assert "Last one. Point your toes" in said
    (started,) = d.logs("session_started")
    assert started.detail["levels"] == {"Bridging": -1, "Ankle pumps": 1}


def test_easier_from_a_remembered_level_takes_the_next_step() -> None:
    d = EngineDriver(sample_script(), levels={"Bridging": -1})
    d.start()
    d.cooperate_until(lambda: d.state is State.HOLDING and d.engine.status().exercise == "Bridging")
    assert said_after(d, "easier")[0] == GENERIC_EASIER[0].say
    (change,) = d.logs("level_change")
    assert (change.detail["from"], change.detail["level"]) == (-1, -2)


def test_a_remembered_level_past_the_easiest_is_taken_as_the_easiest() -> None:
    lowest, _ = level_range(bridging())
    d = EngineDriver(sample_script(), levels={"Bridging": lowest - 5})
    assert d.engine.levels["Bridging"] == lowest
    d.start()
    d.cooperate_until(lambda: d.state is State.HOLDING and d.engine.status().exercise == "Bridging")
    # One step harder is a real step, not a change that changes nothing.
    assert said_after(d, "harder")[0] == "Making it a little harder."
    assert d.engine.levels["Bridging"] == lowest + 1


def test_several_own_variants_are_taken_in_order() -> None:
    ex = ankle_pumps(
        easier=(
            Variant(say="Move only your toes.", reps=3),
            Variant(say="Just point your toes, lying still.", reps=2),
        )
    )
    script = sample_script(ex)
    d = EngineDriver(script)
    d.start()
    d.cooperate_until(lambda: d.state is State.COUNTING)
    assert said_after(d, "easier")[0] == "Move only your toes."
    assert said_after(d, "too hard")[0] == "Just point your toes, lying still."
    assert said_after(d, "make it easier")[0] == GENERIC_EASIER[0].say


def test_the_display_shows_the_level() -> None:
    d = in_bridging()
    said_after(d, "easier")
    status = d.engine.status()
    assert (status.exercise, status.level, status.rep_count) == ("Bridging", -1, 3)
