"""Timing a person can hear: holds counted on whole seconds, beats spaced by tempo and pace,
rests of their length, and none of it drifting over an hour."""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import replace

import pytest

from engine_driver import EngineDriver, Spoken
from voicecoach.config.settings import SessionSettings, Settings
from voicecoach.script.model import Exercise, Position, Script
from voicecoach.session.engine import hold_count_seconds
from voicecoach.session.events import Cue, Tick
from voicecoach.session.preview import preview
from voicecoach.session.vocabulary import count_word

QUIET_START = SessionSettings(ask_pain_scores=False, heat_note=False)


def knee_hug(**changes: object) -> Exercise:
    ex = Exercise(
        name="Knee hug",
        source="seed-003",
        setup="Lie on your back.",
        cues=("Hug one knee", "let go"),
        reps=2,
        sets=1,
        hold=5,
        rest=30,
        tempo=3.0,
    )
    return replace(ex, **changes)  # type: ignore[arg-type]


def script_of(*exercises: Exercise) -> Script:
    return Script(
        id="timing",
        title="Timing",
        position=Position.BED,
        description="Exercises for timing tests.",
        safety="Go gently.",
        exercises=exercises,
        cool_down=(),
    )


def long_script() -> Script:
    """Four exercises with 20-second holds, three sets of ten: over an hour."""
    return script_of(
        *(
            knee_hug(name=f"Hold {n}", reps=10, sets=3, hold=20, rest=60, tempo=3.0)
            for n in range(1, 5)
        )
    )


def played(script: Script, settings: SessionSettings = QUIET_START) -> EngineDriver:
    d = EngineDriver(script, settings)
    d.start()
    d.finish()
    return d


def holds(spoken: list[Spoken]) -> list[list[Spoken]]:
    """Each hold, from "Hold." to "And relax."."""
    found: list[list[Spoken]] = []
    for s in spoken:
        if s.text == "Hold.":
            found.append([s])
        elif found and found[-1][-1].text != "And relax.":
            found[-1].append(s)
    return found


def expected_hold(hold: int) -> list[tuple[str, int]]:
    counts = [(count_word(k + 1), k) for k in hold_count_seconds(hold)]
    return [("Hold.", 0), *counts, ("And relax.", hold)]


def as_offsets(one_hold: list[Spoken]) -> list[tuple[str, float]]:
    start = one_hold[0].t
    return [(s.text, s.t - start) for s in one_hold]


# ---------------------------------------------------------------- holds


def test_a_five_second_hold_counts_every_whole_second() -> None:
    d = played(script_of(knee_hug(hold=5)))
    found = holds(d.spoken())
    assert len(found) == 2
    for one in found:
        assert one[0].t == int(one[0].t)
        assert as_offsets(one) == [
            ("Hold.", 0),
            ("two", 1),
            ("three", 2),
            ("four", 3),
            ("five", 4),
            ("And relax.", 5),
        ]


def test_a_thirty_second_hold_counts_every_fifth_second_and_the_last_three() -> None:
    d = played(script_of(knee_hug(hold=30, reps=1)))
    (one,) = holds(d.spoken())
    assert one[0].t == int(one[0].t)
    assert as_offsets(one) == [
        ("Hold.", 0),
        ("five", 4),
        ("ten", 9),
        ("fifteen", 14),
        ("twenty", 19),
        ("twenty five", 24),
        ("twenty eight", 27),
        ("twenty nine", 28),
        ("thirty", 29),
        ("And relax.", 30),
    ]


@pytest.mark.parametrize("hold", [1, 2, 3, 7, 10, 11, 12, 15, 16, 45, 60])
def test_every_hold_length_is_counted_on_its_whole_seconds(hold: int) -> None:
    d = played(script_of(knee_hug(hold=hold, reps=1)))
    (one,) = holds(d.spoken())
    assert one[0].t == int(one[0].t)
    assert as_offsets(one) == expected_hold(hold)


@pytest.mark.parametrize("hold", range(1, 121))
def test_hold_count_seconds_rule(hold: int) -> None:
    seconds = hold_count_seconds(hold)
    assert seconds == sorted(set(seconds))
    assert all(0 < s < hold for s in seconds)
    if hold <= 10:
        assert seconds == list(range(1, hold))
    else:
        # Every fifth second (counted "five", "ten", ...) and the last three.
        assert set(seconds) == {s for s in range(1, hold) if (s + 1) % 5 == 0 and s < hold - 1} | {
            hold - 3,
            hold - 2,
            hold - 1,
        }


def test_beep_style_beeps_on_the_same_seconds() -> None:
    d = played(script_of(knee_hug(hold=5, reps=1)), replace(QUIET_START, count_style="beeps"))
    (one,) = holds(d.spoken())
    assert [s.text for s in one] == ["Hold.", "And relax."]
    start = one[0].t
    beeps = [r.t - start for r in d.records if r.action == Cue("beep")]
    assert beeps == [1, 2, 3, 4]


def test_late_ticks_do_not_move_the_counts() -> None:
    d = EngineDriver(script_of(knee_hug(hold=5, reps=1)), QUIET_START)
    d.start()
    d.run_until(lambda: d.said()[-1:] == ["Hold."])
    start = d.t
    # The driver is late: it wakes a second and a half after "Hold.".
    late = d.send(Tick(start + 1.5))
    assert [getattr(a, "text", None) for a in late] == ["two"]
    assert d.engine.next_deadline() == start + 2
    late = d.send(Tick(start + 3.9))
    assert [getattr(a, "text", None) for a in late] == ["three", "four"]
    assert d.engine.next_deadline() == start + 4


# ---------------------------------------------------------------- beats


def beat_times(d: EngineDriver, cue_texts: tuple[str, ...], since: int = 0) -> list[float]:
    return [s.t for s in d.spoken(since) if s.kind == "speech" and s.text.endswith(cue_texts)]


@pytest.mark.parametrize(("pace", "spacing"), [(1.0, 5), (1.5, 8), (0.8, 4)])
def test_counted_beats_start_on_whole_seconds_spaced_by_tempo_times_pace(
    pace: float, spacing: int
) -> None:
    ex = knee_hug(hold=0, reps=3, tempo=5.0, cues=("Up", "down"))
    d = played(script_of(ex), replace(QUIET_START, pace=pace))
    times = beat_times(d, ("Up", "down"))
    assert len(times) == 6
    assert all(t == int(t) for t in times)
    # The next beat starts on the first whole second after tempo x pace.
    assert {b - a for a, b in itertools.pairwise(times)} == {spacing}
    assert spacing == math.ceil(5.0 * pace)


@pytest.mark.parametrize(("word", "spacing"), [("slower", 7), ("faster", 4), ("slow down", 7)])
def test_slower_and_faster_change_the_spacing_of_beats(word: str, spacing: int) -> None:
    ex = knee_hug(hold=0, reps=4, tempo=5.0, cues=("Up", "down"))
    d = EngineDriver(script_of(ex), QUIET_START)
    d.start()
    d.run_until(lambda: d.said()[-1:] == ["One. Up"])
    mark = d.mark()
    d.hear(word)
    d.finish()
    said = d.said(mark)
    assert said[0] == ("A little slower." if spacing > 5 else "A little quicker.")
    assert said[1] == "One. Up"  # the rep starts again, at the new pace
    times = beat_times(d, ("Up", "down"), mark)
    assert all(t == int(t) for t in times)
    assert {b - a for a, b in itertools.pairwise(times)} == {spacing}
    (change,) = d.logs("level_change", mark)
    assert change.detail["pace"] == (1.25 if spacing > 5 else 0.8)


# ---------------------------------------------------------------- rests


@pytest.mark.parametrize(
    ("rest", "words"),
    [
        (30, "Rest for thirty seconds."),
        (60, "Rest for a minute."),
        (90, "Rest for ninety seconds."),
    ],
)
def test_a_rest_lasts_its_length_with_a_warning_ten_seconds_before_the_end(
    rest: int, words: str
) -> None:
    d = played(script_of(knee_hug(sets=2, rest=rest)))
    spoken = d.spoken()
    start = next(s for s in spoken if s.text == words)
    warning = next(s for s in spoken if s.text == "Ten seconds.")
    after = spoken[spoken.index(start) + 2]
    assert warning.t - start.t == pytest.approx(rest - 10)
    assert after.text == "Set 2 of 2."
    assert after.t - start.t == pytest.approx(rest)
    over = [r.t for r in d.records if r.action == Cue("rest over")]
    assert over == [pytest.approx(start.t + rest)]


def test_a_short_rest_has_no_ten_second_warning() -> None:
    d = played(script_of(knee_hug(sets=2, rest=20)))
    assert "Ten seconds." not in d.said()
    start = next(s for s in d.spoken() if s.text == "Rest for twenty seconds.")
    after = next(s for s in d.spoken() if s.text == "Set 2 of 2.")
    assert after.t - start.t == pytest.approx(20)


def test_extra_rest_between_sets_lengthens_every_rest() -> None:
    d = played(
        script_of(knee_hug(sets=3, rest=30)), replace(QUIET_START, extra_rest_between_sets=15)
    )
    assert d.said().count("Rest for forty five seconds.") == 2


def test_sentences_follow_each_other_after_the_sentence_pause() -> None:
    d = EngineDriver(script_of(knee_hug()), replace(QUIET_START, sentence_pause=1.5))
    d.start()
    d.run_until(lambda: len(d.said()) >= 3)
    first, second, third = d.spoken()[:3]
    from voicecoach.session.preview import speech_seconds

    assert second.t - first.t == pytest.approx(speech_seconds(first.text, 140) + 1.5)
    assert third.t - second.t == pytest.approx(speech_seconds(second.text, 140) + 1.5)


# ---------------------------------------------------------------- an hour


def test_an_hour_long_session_counts_every_hold_on_whole_seconds_with_zero_drift() -> None:
    d = played(long_script())
    spoken = d.spoken()
    assert spoken[-1].t > 3600
    found = holds(spoken)
    assert len(found) == 4 * 3 * 10
    for one in found:
        assert one[0].t == int(one[0].t)  # exactly, not approximately
        assert as_offsets(one) == expected_hold(20)
    # Hold counts on whole seconds; a rest's "Ten seconds." follows its own start.
    assert all(s.t == int(s.t) for s in spoken if s.kind == "count" and s.text != "Ten seconds.")
    beats = beat_times(d, ("Hug one knee", "let go"))
    assert len(beats) == 2 * 4 * 3 * 10
    assert all(t == int(t) for t in beats)


def test_an_hour_long_session_previews_quickly_and_on_whole_seconds() -> None:
    began = time.perf_counter()
    lines = preview(long_script(), Settings(session=QUIET_START))
    took = time.perf_counter() - began
    assert took < 2.0, f"preview of an hour took {took:.2f} s"
    assert lines[-1].t > 3600
    counts = [line for line in lines if line.kind == "say" and line.detail["style"] == "count"]
    warnings = [line for line in counts if line.text == "Ten seconds."]
    assert len(warnings) == 4 * 2 + 3  # the rests between sets, and between the exercises
    holding = [line for line in counts if line not in warnings]
    assert len(holding) == 4 * 3 * 10 * (1 + len(hold_count_seconds(20)))
    assert all(line.t == int(line.t) for line in holding)
    states = [line.state for line in lines if line.kind == "state"]
    assert states[-1] == "ended"
