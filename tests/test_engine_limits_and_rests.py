"""Limits that hold and rests that MS needs, driven through the engine on the injected clock:
"harder" stops at the seed's ceiling and says so, a variant's sentence replaces the setup line
it changes, rests between exercises and between holds, "Last one." and "Well done.", and
self-paced sets counted for the person."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from engine_driver import EngineDriver, Spoken
from sample_scripts import ankle_pumps, bridging, knee_rolls, sample_script
from voicecoach.config.settings import SessionSettings
from voicecoach.script.library import find_script
from voicecoach.script.model import Exercise, Script
from voicecoach.session.engine import State
from voicecoach.session.plan import HEAT_NOTE, HOLD_REST_SECONDS

QUIET = SessionSettings(ask_pain_scores=False, heat_note=False)


def only(*exercises: Exercise) -> Script:
    return replace(sample_script(*exercises), cool_down=())


def played(script: Script, settings: SessionSettings = QUIET) -> EngineDriver:
    d = EngineDriver(script, settings)
    d.start()
    d.finish()
    return d


def at_exercise(d: EngineDriver, name: str, state: State = State.HOLDING) -> None:
    d.cooperate_until(lambda: d.state is state and d.engine.status().exercise == name)


# ---------------------------------------------------------------- limits that hold


def test_harder_on_a_push_pull_stops_at_seed_000s_maximum_and_says_so() -> None:
    script = find_script("chair-gentle-start")
    d = EngineDriver(script, QUIET)
    d.start()
    at_exercise(d, "Seated push-pull, leg down")
    heard = []
    for _ in range(6):
        mark = d.mark()
        d.hear("harder")
        d.advance(8)
        heard.append(d.said(mark)[0])
    played_now = d.engine.status()
    assert (played_now.rep_count, played_now.set_count) == (10, 1)
    assert d.engine._played_exercise(3) is not None
    assert d.engine._played_exercise(3).hold == 5  # type: ignore[union-attr]
    assert heard[:3] == [
        "Press a little harder, up to about half your strength.",
        "Do a few more on each leg.",
        "Do a few more again on each leg.",
    ]
    assert (
        heard[3:]
        == [
            "This is as far as this exercise goes: up to ten, holding for five seconds. "
            "Keep it here; that is the most its guidance advises."
        ]
        * 3
    )


@pytest.mark.parametrize(
    ("script_id", "name", "most"),
    [
        ("chair-strength", "Sit to stand", (15, 3)),  # seed 003: 3 x 15
        ("bed-core-strength", "Bridging", (15, 3)),  # seed 003: 3 x 15
        ("bed-front-lying", "Back lift", (20, 3)),  # seed 004: 3 x 20
        ("bed-pelvic-lift", "Pelvic lift", (10, 1)),  # seed 004: 10 x 10 s
    ],
)
def test_harder_stops_at_the_seeds_reps_and_sets(
    script_id: str, name: str, most: tuple[int, int]
) -> None:
    d = EngineDriver(find_script(script_id), QUIET)
    d.start()
    d.cooperate_until(lambda: d.engine.status().exercise == name and d.state is not State.SPEAKING)
    for _ in range(8):
        d.hear("harder")
        d.advance(3)
    status = d.engine.status()
    assert (status.rep_count, status.set_count) == most
    played_now = d.engine._played_exercise(status.exercise_number - 1)
    assert played_now is not None and played_now.hold <= (10 if name == "Pelvic lift" else 3)
    assert any(s.startswith("This is as far as this exercise goes") for s in d.said())


def test_the_setup_read_after_harder_says_half_strength_not_a_quarter() -> None:
    script = find_script("chair-gentle-start")
    d = EngineDriver(script, QUIET)
    d.start()
    d.cooperate_until(
        lambda: d.speaking is not None and d.speaking[2].startswith("Sit with both knees bent")
    )
    mark = d.mark()
    d.hear("harder")  # during the push-pull's own setup: it is read again, at the new level
    d.cooperate_until(lambda: d.state is State.HOLDING)
    said = d.said(mark)
    assert said[0] == "Press a little harder, up to about half your strength."
    setup = next(s for s in said if s.startswith("Sit with both knees bent"))
    assert "half your strength" in setup and "quarter" not in setup
    assert not [s for s in said if "quarter" in s]


# ---------------------------------------------------------------- rests that MS needs


def _rest_after(spoken: list[Spoken], title: str) -> tuple[Spoken, Spoken]:
    """The spoken rest before the exercise `title`, and the title itself."""
    at = next(i for i, s in enumerate(spoken) if s.text == title)
    rest = next(s for s in reversed(spoken[:at]) if s.text.startswith("Rest for"))
    return rest, spoken[at]


@pytest.mark.parametrize(
    ("settings", "words", "seconds"),
    [
        (QUIET, "Rest for thirty seconds.", 30),
        (replace(QUIET, rest_between_exercises=60), "Rest for a minute.", 60),
        (replace(QUIET, extra_rest_between_sets=15), "Rest for forty five seconds.", 45),
    ],
)
def test_a_rest_between_exercises_follows_well_done(
    settings: SessionSettings, words: str, seconds: int
) -> None:
    d = played(only(ankle_pumps(), knee_rolls()), settings)
    spoken = d.spoken()
    rest, title = _rest_after(spoken, "Exercise 2 of 2: Knee rolling.")
    assert rest.text == words
    assert spoken[spoken.index(rest) - 1].text == "Well done."
    assert title.t - rest.t == pytest.approx(seconds)
    assert d.said().count("Well done.") == 2  # after each exercise
    assert not [s for s in d.said()[d.said().index("Exercise 2 of 2: Knee rolling.") :] if
                s.startswith("Rest for")]  # fmt: skip


def test_no_rest_between_exercises_when_set_to_zero() -> None:
    d = played(only(ankle_pumps(), knee_rolls()), replace(QUIET, rest_between_exercises=0))
    said = d.said()
    assert said[said.index("Well done.") + 1] == "Exercise 2 of 2: Knee rolling."


def _gaps_between_holds(d: EngineDriver) -> list[float]:
    spoken = d.spoken()
    relaxes = [s.t for s in spoken if s.text == "And relax."]
    holds = [s.t for s in spoken if s.text == "Hold."]
    return [next(h for h in holds if h > r) - r for r in relaxes[:-1] if any(h > r for h in holds)]


@pytest.mark.parametrize(("extra", "least"), [(0, HOLD_REST_SECONDS), (10, HOLD_REST_SECONDS + 10)])
def test_holds_are_at_least_five_seconds_apart_plus_the_extra_rest(extra: int, least: int) -> None:
    push_pull = bridging(cues=("Push your knee into your hands",), sets=1, reps=5, hold=5)
    d = played(only(push_pull), replace(QUIET, extra_rest_between_sets=extra))
    gaps = _gaps_between_holds(d)
    assert len(gaps) == 4
    assert all(gap >= least for gap in gaps), gaps
    # The rest between holds is quiet: nothing is said between "And relax." and the next rep.
    said = d.said()
    assert "Rest for five seconds." not in said
    after_relax = said[said.index("And relax.") + 1]
    assert after_relax == "Two. Push your knee into your hands"


def test_last_one_is_said_before_the_last_rep_of_every_set() -> None:
    d = played(only(bridging(sets=2, reps=3)))
    reps = [s for s in d.said() if s.endswith("Lift your hips")]
    assert reps == ["One. Lift your hips", "Two. Lift your hips", "Last one. Lift your hips"] * 2


def test_well_done_says_the_seeds_frequency_at_the_end_of_the_exercise() -> None:
    d = played(only(ankle_pumps(frequency="three to four times a day")))
    assert "Well done. You can do this one three to four times a day." in d.said()


def test_the_heat_note_says_to_stop_and_cool_down() -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.run_until(lambda: HEAT_NOTE in d.said())
    assert "stop and cool down" in HEAT_NOTE and "settle" in HEAT_NOTE


# ---------------------------------------------------------------- self-paced sets


def sit_to_stand() -> Exercise:
    return knee_rolls(name="Sit to stand", sides=knee_rolls().sides.NONE, reps=4, tempo=6.0)


def test_a_self_paced_set_is_counted_for_the_person_at_its_pace() -> None:
    d = EngineDriver(only(sit_to_stand()), QUIET)
    d.start()
    d.cooperate_until(lambda: d.state is State.WAITING_FOR_DONE)
    counts = [s for s in d.spoken() if s.text in ("One.", "Two.", "Three.", "Last one.")]
    assert [s.text for s in counts] == ["One.", "Two.", "Three.", "Last one."]
    assert [b.t - a.t for a, b in itertools.pairwise(counts)] == [6.0, 6.0, 6.0]


def test_slower_gives_more_time_between_counts() -> None:
    d = EngineDriver(only(sit_to_stand()), QUIET)
    d.start()
    d.cooperate_until(lambda: "One." in d.said())
    d.hear("slower")
    d.cooperate_until(lambda: d.state is State.WAITING_FOR_DONE)
    counts = [s for s in d.spoken() if s.text in ("Two.", "Three.")]
    assert counts[1].t - counts[0].t >= 6.0 * 1.25  # counts fall on whole seconds


def test_done_during_the_count_ends_the_set_at_once() -> None:
    d = EngineDriver(only(sit_to_stand()), QUIET)
    d.start()
    d.cooperate_until(lambda: "Two." in d.said())
    mark = d.mark()
    d.hear("done")
    d.quiet()
    assert d.said(mark)[0] == "Well done."
    (done,) = d.logs("step_completed", mark)
    assert done.detail["exercise"] == "Sit to stand"


def test_how_many_left_during_a_self_paced_count() -> None:
    d = EngineDriver(only(sit_to_stand()), QUIET)
    d.start()
    d.cooperate_until(lambda: d.said()[-1:] == ["One."] and d.state is State.COUNTING)
    mark = d.mark()
    d.hear("how many left")
    d.advance(10)
    # The count under way ("One.") starts again after the answer, so it is one of those left.
    assert d.said(mark)[:2] == ["This is set 1 of 1.", "Four reps left in this set."]
