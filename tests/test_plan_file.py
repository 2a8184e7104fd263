"""The plan file a physiotherapist sets: checked with FILE:LINE:COL errors like scripts, shown
in words, and followed by sessions (exercises switched off, the affected side, level caps and
locked levels, the person's own pain zones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine_driver import EngineDriver
from sample_scripts import ankle_pumps, bridging, sample_script
from voicecoach.cli.main import main
from voicecoach.config.settings import SessionSettings
from voicecoach.script.library import load_library
from voicecoach.script.model import Exercise, Sides
from voicecoach.script.plan_file import Plan, PlanError, load_plan_text
from voicecoach.session.adaptation import level_range
from voicecoach.session.engine import State
from voicecoach.session.plan_following import apply_plan, followed_settings, planned_levels
from voicecoach.store.plan_store import library_exercise_names

KNOWN = ["Bridging", "Ankle pumps", "Knee rolling", "Slow breathing", "Seated sciatic nerve glide"]

GOOD = """\
affected_side: left
how_often: {times: 2, per: day}
pain_zones: {green_max: 2, amber_max: 4}
switched_off: [Knee rolling]
levels:
  Bridging: {highest: 1}
  ankle  PUMPS: {locked: -1}
"""


def plan_of(text: str) -> Plan:
    return load_plan_text(text, "plan.yaml", KNOWN)


def problems_of(text: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        plan_of(text)
    return caught.value.problems


def test_a_good_plan_loads_every_field() -> None:
    plan = plan_of(GOOD)
    assert plan.affected_side == "left"
    assert plan.how_often() == "twice a day"
    assert plan.pain_zones == (2, 4)
    assert plan.is_off("knee rolling") and not plan.is_off("Bridging")
    bridging_rule, ankle_rule = plan.rule("Bridging"), plan.rule("Ankle pumps")
    assert bridging_rule is not None and bridging_rule.cap == 1 and bridging_rule.locked is None
    assert ankle_rule is not None and ankle_rule.locked == -1


def test_an_empty_plan_sets_nothing() -> None:
    assert plan_of("# nothing yet\n") == Plan(path="plan.yaml")


def test_every_problem_is_reported_at_its_line_and_column() -> None:
    problems = problems_of(
        "afected_side: left\n"
        "how_often: {times: 9, per: month}\n"
        "pain_zones: {green_max: 5, amber_max: 4}\n"
        "switched_off: [Bridgin]\n"
        "levels:\n"
        "  Bridging: {highest: 1, locked: 0}\n"
        "  Ankle pumps: {lowest: 1}\n"
    )
    assert problems == [
        "plan.yaml:1:1: afected_side: unknown key (expected one of: affected_side, how_often, "
        'pain_zones, switched_off, levels; did you mean "affected_side"?)',
        "plan.yaml:2:20: how_often.times: 9 is not allowed here (expected a whole number from "
        "1 to 6)",
        'plan.yaml:2:28: how_often.per: "month" is not allowed here (expected day or week)',
        "plan.yaml:3:39: pain_zones.amber_max: 4 is not above green_max 5 (expected amber_max "
        "above green_max: scores above green_max and up to amber_max are amber)",
        'plan.yaml:4:16: switched_off[0]: "Bridgin" is not an exercise of the library (expected '
        'an exercise name as `voicecoach show` prints it; did you mean "Bridging"?)',
        "plan.yaml:6:13: levels.Bridging: gives highest and locked (expected {highest: N} or "
        "{locked: N}, one of the two)",
        "plan.yaml:7:17: levels.Ankle pumps.lowest: unknown key (expected one of: highest, locked)",
    ]


def test_a_wrong_side_and_yaml_syntax_are_reported() -> None:
    assert problems_of("affected_side: middle\n") == [
        'plan.yaml:1:16: affected_side: "middle" is not allowed here (expected one of: left, '
        "right, both)"
    ]
    (syntax,) = problems_of("levels:\n  Bridging: {highest: 1\n")
    assert syntax.startswith("plan.yaml:3:1: YAML syntax:")


def test_plan_validate_and_show_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path))
    assert main(["plan", "validate"]) == 2
    assert "there is no plan file here" in capsys.readouterr().err
    (tmp_path / "plan.yaml").write_text(
        "affected_side: right\nhow_often: {times: 1, per: day}\n"
        "levels:\n  Pelvic lift: {locked: -1}\n  Bridging: {highest: 2}\n"
        "switched_off: [Forward bend in sitting]\n"
    )
    assert main(["plan", "validate"]) == 0
    assert capsys.readouterr().out.strip().endswith("plan.yaml: ok")
    assert main(["plan", "show"]) == 0
    shown = capsys.readouterr().out
    assert "Affected side: right" in shown and "How often: once a day" in shown
    assert "Level of pelvic lift: locked at -1" in shown
    assert "Level of bridging: at most +2" in shown
    assert "Switched off: forward bend in sitting" in shown
    bad = tmp_path / "bad.yaml"
    bad.write_text("switched_off: [Forward bends]\n")
    assert main(["plan", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1:16: switched_off[0]:" in err and 'did you mean "Forward bend' in err


def test_the_library_names_are_the_ones_a_plan_may_use() -> None:
    names = library_exercise_names()
    assert "Seated sciatic nerve glide" in names and "Pelvic lift" in names
    assert len(names) == len({e.name for s in load_library() for e in s.all_exercises})


# ---------------------------------------------------------------- sessions follow the plan


def test_an_exercise_switched_off_is_not_played() -> None:
    script = apply_plan(sample_script(), plan_of("switched_off: [Knee rolling]\n"))
    d = EngineDriver(script)
    d.start()
    d.finish()
    assert not [s for s in d.said() if "Knee rolling" in s or "Roll your knees" in s]
    assert "Exercise 2 of 2: Bridging." in d.said()


def test_switching_off_every_exercise_is_an_error_not_an_empty_session() -> None:
    plan = plan_of("switched_off: [Ankle pumps, Bridging, Knee rolling]\n")
    with pytest.raises(PlanError, match="every exercise of sample-bed is switched off"):
        apply_plan(sample_script(), plan)


def _glide() -> Exercise:
    return ankle_pumps(name="Seated sciatic nerve glide", sides=Sides.AFFECTED, reps=2)


@pytest.mark.parametrize(
    ("side", "heard", "sides"),
    [
        ("left", ["Only the left side."], {"left"}),
        ("right", ["Only the right side."], {"right"}),
        ("both", ["Now the left side.", "Now the right side."], {"left", "right"}),
        (None, ["Only the side with the symptoms."], {None}),
    ],
)
def test_the_nerve_glide_goes_to_the_affected_side(
    side: str | None, heard: list[str], sides: set[str | None]
) -> None:
    plan = plan_of(f"affected_side: {side}\n") if side else Plan()
    script = apply_plan(sample_script(_glide()), plan)
    d = EngineDriver(script)
    d.start()
    seen: set[str | None] = set()
    while d.state is not State.ENDED:
        d.cooperate_until(lambda: d.state in {State.COUNTING, State.ENDED})
        if d.state is State.COUNTING:
            step = d.engine.step
            assert step is not None
            if d.engine.status().exercise == "Seated sciatic nerve glide":
                seen.add(step.place.side)
            d.step()
    said = d.said()
    assert [s for s in said if s.startswith(("Only the", "Now the"))] == heard
    assert seen == sides


def test_a_level_cap_stops_harder_at_the_cap_and_a_locked_level_starts_there() -> None:
    plan = plan_of("levels:\n  Bridging: {highest: 1}\n  Ankle pumps: {locked: -1}\n")
    script = apply_plan(sample_script(), plan)
    by_name = {e.name: e for e in script.all_exercises}
    assert level_range(by_name["Bridging"])[1] == 1 < level_range(bridging())[1]
    assert level_range(by_name["Ankle pumps"])[1] == -1
    levels = planned_levels(script, {"Bridging": 3, "Ankle pumps": 1}, plan)
    assert levels == {"Bridging": 1, "Ankle pumps": -1}
    d = EngineDriver(script, levels=levels)
    d.start()
    d.cooperate_until(lambda: d.state is State.COUNTING)
    assert d.engine.status().exercise == "Ankle pumps"
    assert d.engine.status().level == -1
    d.hear("harder")
    d.advance(6)
    assert d.engine.levels["Ankle pumps"] == -1  # locked: harder is not offered
    assert any(s.startswith("Your plan keeps this exercise at this level.") for s in d.said())


def test_the_plans_pain_zones_replace_the_settings_zones() -> None:
    settings = followed_settings(
        SessionSettings(), plan_of("pain_zones: {green_max: 1, amber_max: 3}\n")
    )
    assert (settings.pain_zones.green_max, settings.pain_zones.amber_max) == (1, 3)
    d = EngineDriver(sample_script(), settings)
    d.start()
    d.cooperate_until(lambda: d.state is State.COUNTING)
    d.hear("pain")
    d.quiet()
    d.answer("two")  # green by default (0-3), amber in this plan
    (score,) = d.logs("pain_score")
    assert score.detail["zone"] == "amber"


def test_preview_plays_a_session_as_a_plan_sets_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "affected_side: right\nswitched_off: [Sitting rocking]\n"
        "levels:\n  Forward bend in sitting: {locked: -1}\n"
    )
    assert main(["preview", "chair-back-mobility", "--plan", str(plan)]) == 0
    shown = capsys.readouterr().out
    assert "Sitting rocking" not in shown
    assert "Exercise 1 of 4: Forward bend in sitting." in shown
    assert "Slide your hands to your knees" in shown  # the locked easier level
    assert "Only the right side." in shown
