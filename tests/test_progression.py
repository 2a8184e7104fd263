"""Levels carried to the next session: easier at once, harder only after two sessions whose
pain was back to its start score by the end, one step back after a red score or a gap of two
weeks, and the introduction says so. Sessions are played by the engine on the injected clock
and recorded in a real history file."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine_driver import WAITING_FOR_PERSON, WILLING_ANSWERS, EngineDriver
from sample_scripts import sample_script
from voicecoach.config.settings import Settings
from voicecoach.player.runner import session_engine
from voicecoach.script.plan_file import load_plan_text
from voicecoach.session.engine import State
from voicecoach.session.events import Log
from voicecoach.session.progression import GAP_DAYS, PastSession, carry_over
from voicecoach.store.history import History

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)
NAMES = ["Ankle pumps", "Bridging", "Knee rolling"]


def past(days_ago: float = 1, **fields: object) -> PastSession:
    return PastSession(date=NOW - timedelta(days=days_ago), **fields)  # type: ignore[arg-type]


SETTLED = {"pain_start": 2, "pain_end": 2}
NOT_SETTLED = {"pain_start": 2, "pain_end": 4}


def test_no_history_starts_every_exercise_as_written() -> None:
    assert carry_over(NAMES, [], None, NOW).levels == {}


def test_easier_is_carried_over_at_once_and_said() -> None:
    carried = carry_over(
        NAMES, [past(end_levels={"Ankle pumps": -1}, **NOT_SETTLED)], NOW - timedelta(1), NOW
    )
    assert carried.levels == {"Ankle pumps": -1}
    assert carried.notes == ("Last time you made ankle pumps easier; we'll keep that.",)


def test_harder_waits_for_two_sessions_with_the_pain_back_at_its_start() -> None:
    harder = {"start_levels": {}, "end_levels": {"Bridging": 1}}
    one = carry_over(NAMES, [past(**harder, **SETTLED)], NOW - timedelta(1), NOW)
    assert one.levels == {}
    assert one.notes == (
        "Last time you made bridging harder. We'll stay at the earlier level until 2 sessions "
        "in a row end with your pain back where it started.",
    )
    unsettled_first = [past(2, **NOT_SETTLED), past(1, **harder, **SETTLED)]
    assert carry_over(NAMES, unsettled_first, NOW - timedelta(1), NOW).levels == {}
    no_scores = [past(2), past(1, **harder)]
    assert carry_over(NAMES, no_scores, NOW - timedelta(1), NOW).levels == {}
    two = carry_over(NAMES, [past(2, **SETTLED), past(1, **harder, **SETTLED)], NOW, NOW)
    assert two.levels == {"Bridging": 1}
    assert two.notes == ("Last time you made bridging harder; we'll keep that.",)


def test_a_red_score_steps_its_exercise_back_one_level() -> None:
    last = past(start_levels={"Bridging": 1}, red_exercises=frozenset({"Bridging"}), **SETTLED)
    carried = carry_over(NAMES, [past(2, **SETTLED), last], NOW, NOW)
    assert carried.levels == {}  # from level 1 back to the level as written
    assert carried.notes == ("After the pain last time, bridging is one step easier today.",)
    at_start_level = past(red_exercises=frozenset({"Knee rolling"}))
    assert carry_over(NAMES, [at_start_level], NOW, NOW).levels == {"Knee rolling": -1}


def test_a_red_score_outside_an_exercise_steps_every_exercise_back() -> None:
    carried = carry_over(NAMES, [past(red_elsewhere=True)], NOW, NOW)
    assert carried.levels == {name: -1 for name in NAMES}
    assert carried.notes == (
        "After the pain last time, ankle pumps, bridging and knee rolling are one step easier "
        "today.",
    )


def test_a_gap_of_two_weeks_steps_progress_back_one_level() -> None:
    levels = {"Bridging": 2, "Ankle pumps": -1}
    last = past(GAP_DAYS + 1, start_levels=levels, end_levels=levels)
    carried = carry_over(NAMES, [last], last.date, NOW)
    assert carried.levels == {"Bridging": 1, "Ankle pumps": -1}
    assert carried.notes == (
        "It has been more than two weeks since your last session, so bridging is one step "
        "easier today.",
    )
    recent = carry_over(NAMES, [last], NOW - timedelta(days=GAP_DAYS - 1), NOW)
    assert recent.levels == levels


# ---------------------------------------------------------------- through the history


def play_and_record(
    history: History, commands: list[tuple[str, str]], start: str, end: str
) -> EngineDriver:
    """One session of the sample script, made as the player makes it (plan file, carried
    levels) and recorded: pain scores `start` and `end`, and each (exercise, word) said once
    that exercise is counting; otherwise a willing person."""
    d = EngineDriver(sample_script())
    d.engine = session_engine(
        sample_script(), Settings(), history=history, now=datetime.now(timezone.utc)
    )
    d.start()
    pending = list(commands)
    answers = {**WILLING_ANSWERS, "pain_start": start, "pain_end": end}
    while d.state is not State.ENDED:
        question = d.engine.question
        if d.silent and question is not None and question.heard is None:
            d.answer(answers[question.kind])
        elif pending and d.state is State.COUNTING and d.engine.status().exercise == pending[0][0]:
            d.hear(pending.pop(0)[1])
        elif d.silent and d.state in WAITING_FOR_PERSON:
            d.hear("continue")
        elif d.silent and d.state is State.WAITING_FOR_DONE:
            d.hear("done")
        else:
            assert d.step(), d.state
    d.quiet()
    session = history.start_session("sample-bed", "Sample bed session", "bed", 0)
    for r in d.records:
        if isinstance(r.action, Log):
            history.record(session, r.action.kind, r.action.detail, r.t)
    return d


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> History:
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path))  # no plan file
    return History(tmp_path / "history.sqlite3")


def test_harder_is_kept_after_two_settled_sessions_and_the_intro_says_so(
    history: History,
) -> None:
    play_and_record(history, [("Bridging", "harder")], "two", "four")  # pain rose
    third = play_and_record(history, [], "two", "two")
    assert "Last time you made bridging harder. We'll stay at the earlier level" in " ".join(
        third.said()
    )
    assert third.engine.levels.get("Bridging", 0) == 0
    play_and_record(history, [("Bridging", "harder")], "two", "two")
    fourth = play_and_record(history, [], "two", "one")
    said = fourth.said()
    assert "Last time you made bridging harder; we'll keep that." in said
    assert said.index("Last time you made bridging harder; we'll keep that.") < said.index(
        "How is your pain right now, from zero to ten? Or say skip."
    )
    assert fourth.engine.levels["Bridging"] == 1


def test_easier_is_kept_next_time(history: History) -> None:
    play_and_record(history, [("Ankle pumps", "easier")], "three", "five")
    d = play_and_record(history, [], "two", "two")
    assert "Last time you made ankle pumps easier; we'll keep that." in d.said()
    (started,) = d.logs("session_started")
    assert started.detail["levels"] == {"Ankle pumps": -1}


def test_the_plan_file_is_followed_by_the_session(history: History, tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(
        "how_often: {times: 2, per: day}\nlevels:\n  Bridging: {locked: -1}\n"
        "switched_off: [Knee rolling]\n"
    )
    d = play_and_record(history, [], "skip", "skip")
    said = d.said()
    assert "Your plan is to exercise twice a day." in said
    assert not [s for s in said if "Knee rolling" in s]
    (started,) = d.logs("session_started")
    assert started.detail["levels"] == {"Bridging": -1}


def test_a_plan_given_directly_wins_over_the_file(history: History) -> None:
    plan = load_plan_text("pain_zones: {green_max: 1, amber_max: 2}\n", "p.yaml", ["Bridging"])
    engine = session_engine(sample_script(), Settings(), history=history, plan=plan, now=NOW)
    assert engine.settings.pain_zones.amber_max == 2
