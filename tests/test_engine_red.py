"""Red pain followed up (a guided rest, then the score again), a high start score,
tingling and numbness, and the red flags: each rule driven through the engine on the
virtual clock.

The session is `sample_script()` (ankle pumps, bridging, knee rolling, slow breathing as
the cool-down); `with_areas()` gives its exercises the parts of the body they work.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine_driver import EngineDriver, driver_at
from sample_scripts import ankle_pumps, bridging, knee_rolls, sample_script
from voicecoach.config.settings import SessionSettings
from voicecoach.script.model import Script
from voicecoach.session.engine import END_FOR_PAIN, PAIN_QUESTION, State
from voicecoach.session.events import Cue, ListenFor, ListenRole
from voicecoach.session.pain import PainStage
from voicecoach.session.safety_words import (
    NO_OTHER_AREA,
    PAIN_AGAIN_QUESTION,
    PAIN_EASED_OTHER_AREA,
    PAIN_REST_SECONDS,
    PAIN_REST_WORDS,
    RED_FLAGS,
    RED_STOP,
    START_HIGH,
    START_TOO_HIGH,
    STOP_FOR_TODAY,
    TINGLING_WORDS,
)

THANKS_RED = "Thank you for telling me."
MOVE_ON_BREATHING = "Would you like to go on with the next exercise, Slow breathing? Say yes or no."


def with_areas() -> Script:
    """Bridging and knee rolling both work the lower back; the cool-down is breathing."""
    script = sample_script(
        ankle_pumps(area="feet and ankles"),
        bridging(area="lower back"),
        knee_rolls(area="lower back"),
    )
    return replace(script, cool_down=(replace(script.cool_down[0], area="breathing"),))


def red_in_bridging(score: str, script: Script | None = None) -> tuple[EngineDriver, int]:
    """Pain in a hold of Bridging, scored `score` (said back, and stood)."""
    d = EngineDriver(script or with_areas())
    d.start()
    d.cooperate_until(lambda: d.state is State.HOLDING and d.engine.status().exercise == "Bridging")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.answer(score)
    return d, mark


def rested(d: EngineDriver) -> int:
    """Let the guided rest run out and the score be asked again."""
    d.run_until(lambda: d.engine.question is not None)
    d.quiet()
    return d.mark()


# ---------------------------------------------------------------- red: stop, rest, ask again


@pytest.mark.parametrize("score", ["six", "seven", "eight", "ten"])
def test_red_stops_the_exercise_and_guides_a_rest(score: str) -> None:
    d, mark = red_in_bridging(score)
    assert d.said(mark)[1:] == [THANKS_RED, RED_STOP, PAIN_REST_WORDS]
    assert d.state is State.RESTING_AFTER_PAIN
    assert d.engine.pain is not None and d.engine.pain.stage is PainStage.RESTING
    (stopped,) = d.logs("exercise_stopped", mark)
    assert stopped.detail == {"exercise": "Bridging", "reason": "pain", "sets_skipped": 2}
    status = d.engine.status()
    assert status.countdown_label == "rest"
    assert status.countdown is not None and 60 < status.countdown <= PAIN_REST_SECONDS
    assert "ready" in status.can_say
    listens = [r.action for r in d.records[mark:] if isinstance(r.action, ListenFor)]
    assert listens[-1] == ListenFor(ListenRole.ANSWER, ("done",))  # "ready" is heard


def test_the_rest_is_counted_down_then_the_score_is_asked_again() -> None:
    d, mark = red_in_bridging("seven")
    rest_start = d.spoken(mark)[1].t  # "Thank you for telling me." starts the rest
    mark = rested(d)
    spoken = d.spoken()
    marks = {s.text: s.t - rest_start for s in spoken if s.kind == "count" and s.t > rest_start}
    assert marks == {
        "One minute left.": pytest.approx(PAIN_REST_SECONDS - 60, abs=0.01),
        "Thirty seconds.": pytest.approx(PAIN_REST_SECONDS - 30, abs=0.01),
        "Ten seconds.": pytest.approx(PAIN_REST_SECONDS - 10, abs=0.01),
    }
    assert d.said(mark) == []
    assert d.said()[-1] == PAIN_AGAIN_QUESTION
    asked = next(s.t for s in spoken if s.text == PAIN_AGAIN_QUESTION)
    assert asked - rest_start == pytest.approx(PAIN_REST_SECONDS, abs=0.01)
    assert any(isinstance(r.action, Cue) and r.action.name == "rest over" for r in d.records)
    # Nothing of the exercise was counted during the rest.
    assert not [s for s in d.said() if "Lift your hips" in s and s.startswith("Three")]


@pytest.mark.parametrize("first", ["six", "seven"])
@pytest.mark.parametrize("again", ["five", "two", "zero"])
def test_six_or_seven_falling_to_five_or_less_offers_the_next_exercise_for_another_area(
    first: str, again: str
) -> None:
    d, _ = red_in_bridging(first)
    rested(d)
    mark = d.mark()
    d.answer(again)
    # Knee rolling works the lower back too, so it is passed over: the cool-down is next.
    assert d.said(mark)[1:] == [PAIN_EASED_OTHER_AREA, MOVE_ON_BREATHING]
    assert d.engine.pain is not None and d.engine.pain.stage is PainStage.MOVE_ON
    scores = d.logs("pain_score")
    assert scores[-1].detail["after_rest"] is True
    assert scores[-1].detail["score"] == int(d.engine.pain_end or 0)


@pytest.mark.parametrize("how", ["say:yes", "key:y", "say:next", "key:n"])
def test_yes_goes_on_with_that_exercise_never_the_same_area(how: str) -> None:
    d, _ = red_in_bridging("seven")
    rested(d)
    d.answer("four")
    mark = d.mark()
    if how.startswith("key:"):
        d.key(how[4:])
    else:
        d.hear(how[4:])
    d.finish()
    said = d.said(mark)
    assert said[:2] == ["All right. Moving on, gently.", "Cool-down: Slow breathing."]
    assert not [s for s in said if "Lift your hips" in s or "Knee rolling" in s]


def test_without_areas_the_next_exercise_is_offered() -> None:
    d, _ = red_in_bridging("seven", sample_script())
    rested(d)
    mark = d.mark()
    d.answer("three")
    assert d.said(mark)[-1] == (
        "Would you like to go on with the next exercise, Knee rolling? Say yes or no."
    )


def test_no_to_going_on_ends_the_session_kindly() -> None:
    d, _ = red_in_bridging("six")
    rested(d)
    d.answer("three")
    mark = d.mark()
    d.hear("no")
    d.quiet()
    assert d.state is State.ENDED
    assert d.said(mark)[0].startswith(END_FOR_PAIN)
    (ended,) = d.logs("session_ended")
    assert ended.detail["reason"] == "pain"


def test_no_answer_to_going_on_pauses_and_continue_goes_to_that_exercise() -> None:
    d, _ = red_in_bridging("six")
    rested(d)
    d.answer("three")
    mark = d.mark()
    d.advance(3 * 3600)
    assert d.state is State.PAUSED
    d.hear("continue")
    d.advance(10)
    said = d.said(mark)
    assert said[said.index("Carrying on.") + 1] == "Cool-down: Slow breathing."


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("eight", "three"),  # 8-10: the session ends even when it eases
        ("ten", "five"),
        ("seven", "seven"),  # no fall
        ("six", "eight"),  # worse
        ("seven", "six"),  # a fall, but still red
    ],
)
def test_severe_pain_or_no_fall_out_of_red_ends_the_session_kindly(first: str, again: str) -> None:
    d, _ = red_in_bridging(first)
    rested(d)
    mark = d.mark()
    d.answer(again)
    assert d.state is State.ENDED
    goodbye = d.said(mark)[1]
    assert goodbye.startswith(END_FOR_PAIN)
    assert "within about thirty minutes" in goodbye
    assert "contact your GP or physiotherapist" in goodbye
    (ended,) = d.logs("session_ended")
    assert ended.detail["reason"] == "pain"


def test_no_answer_after_the_rest_ends_the_session_kindly() -> None:
    d, _ = red_in_bridging("six")
    rested(d)
    d.advance(200)
    assert d.state is State.ENDED
    assert END_FOR_PAIN in d.said()[-1]


def test_when_no_exercise_for_another_area_is_left_the_session_ends() -> None:
    script = with_areas()
    script = replace(script, cool_down=(replace(script.cool_down[0], area="lower back"),))
    d, _ = red_in_bridging("six", script)
    rested(d)
    mark = d.mark()
    d.answer("two")
    assert d.state is State.ENDED
    assert NO_OTHER_AREA in d.said(mark)[1]


@pytest.mark.parametrize("how", ["say:ready", "say:continue", "key:d", "say:pain", "key:p"])
def test_ready_or_pain_during_the_rest_asks_the_score_again_at_once(how: str) -> None:
    d, _ = red_in_bridging("six")
    d.advance(20)
    mark = d.mark()
    if how.startswith("key:"):
        d.key(how[4:])
    else:
        d.hear(how[4:])
    d.quiet()
    assert d.said(mark) == [PAIN_AGAIN_QUESTION]
    assert d.engine.question is not None and d.engine.question.kind == "pain_again"


def test_more_rest_adds_time_to_the_guided_rest() -> None:
    d, _ = red_in_bridging("six")
    d.advance(20)
    before = d.engine.status().countdown
    d.hear("more rest")
    d.quiet()
    after = d.engine.status().countdown
    assert before is not None and after is not None
    assert after > before + 20


@pytest.mark.parametrize("word", ["easier", "harder", "pause", "how many left"])
def test_other_words_during_the_rest_do_not_end_it(word: str) -> None:
    d, _ = red_in_bridging("six")
    d.advance(20)
    d.hear(word)
    d.quiet()
    assert d.state is State.RESTING_AFTER_PAIN
    assert d.logs("level_change") == []


def test_stop_then_continue_asks_again_and_never_goes_back_to_the_painful_exercise() -> None:
    d, _ = red_in_bridging("seven")
    d.advance(5)
    mark = d.mark()
    d.hear("stop")
    d.advance(100)
    d.hear("continue")
    d.finish()  # the score again: two; moving on: yes
    said = d.said(mark)
    # Knee rolling works the lower back too: passed over for the cool-down's breathing.
    assert said.index(PAIN_AGAIN_QUESTION) < said.index("Cool-down: Slow breathing.")
    assert not [s for s in said if "Lift your hips" in s or "Knee rolling" in s]


def test_stop_then_continue_after_a_severe_score_ends_the_session() -> None:
    d, _ = red_in_bridging("eight")
    d.advance(5)
    mark = d.mark()
    d.hear("stop")
    d.advance(100)
    d.hear("continue")
    d.finish()
    said = d.said(mark)
    assert PAIN_AGAIN_QUESTION in said
    assert "Exercise 3 of 3: Knee rolling." not in said
    assert d.logs("session_ended")[-1].detail["reason"] == "pain"


def test_rest_during_the_guided_rest_adds_time_and_keeps_resting() -> None:
    d, _ = red_in_bridging("eight")
    d.advance(5)
    before = d.engine.status().countdown
    d.hear("rest")
    assert d.state is State.RESTING_AFTER_PAIN
    after = d.engine.status().countdown
    assert before is not None and after is not None and after > before


def test_a_second_red_ends_the_session_with_rest_and_gp_advice() -> None:
    d, _ = red_in_bridging("six", sample_script())
    rested(d)
    d.answer("three")
    d.hear("yes")
    d.cooperate_until(lambda: d.state is State.WAITING_FOR_DONE)
    d.hear("ouch")
    d.quiet()
    mark = d.mark()
    d.answer("eight")
    assert d.engine.state is State.ENDED
    (_, goodbye) = d.said(mark)
    assert goodbye.startswith(END_FOR_PAIN)
    (ended,) = d.logs("session_ended")
    assert ended.detail["reason"] == "pain"


# ---------------------------------------------------------------- red outside an exercise


def test_red_pain_in_the_introduction_rests_then_asks_to_carry_on() -> None:
    d = driver_at("speaking intro")
    d.hear("pain")
    d.quiet()
    mark = d.mark()
    d.answer("seven")
    assert d.said(mark)[1:] == [THANKS_RED, PAIN_REST_WORDS]
    assert d.logs("exercise_stopped", mark) == []
    rested(d)
    d.answer("four")
    assert d.said()[-1] == "Would you like to carry on with the session? Say yes or no."
    d.hear("yes")
    d.finish()
    said = d.said(mark)
    assert "All right. Carrying on, gently." in said
    assert said.count("Exercise 1 of 3: Ankle pumps.") == 1


def test_red_pain_in_the_closing_words_goes_on_to_the_end_not_back_to_the_start() -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.cooperate_until(lambda: d.said()[-1:] == ["That was the last exercise."])
    d.hear("pain")
    d.quiet()
    d.answer("seven")
    rested(d)
    d.answer("three")
    mark = d.mark()
    d.hear("yes")
    d.quiet()
    assert d.said(mark)[-1] == "How is your pain now, from zero to ten? Or say skip."
    assert "Exercise 1 of 3: Ankle pumps." not in d.said(mark)


# ---------------------------------------------------------------- a high start score


def start_scored(score: str, gentlest: Script | None = None) -> tuple[EngineDriver, int]:
    d = EngineDriver(sample_script())
    d.engine.gentlest = gentlest
    d.start()
    d.run_until(lambda: d.engine.question is not None)
    d.quiet()
    mark = d.mark()
    d.answer(score)
    return d, mark


@pytest.mark.parametrize("score", ["eight", "nine", "ten"])
def test_a_start_score_of_eight_or_more_does_not_start(score: str) -> None:
    d, mark = start_scored(score)
    assert d.state is State.ENDED
    (goodbye,) = d.said(mark)[1:]
    assert goodbye.startswith(f"Thank you. {START_TOO_HIGH}")
    assert d.logs("step_completed") == []
    assert not [s for s in d.said() if s.startswith("Exercise 1")]
    (ended,) = d.logs("session_ended")
    assert (ended.detail["reason"], ended.detail["pain_start"]) == (
        "pain",
        int(d.engine.pain_start or 0),
    )


def gentle() -> Script:
    return replace(
        sample_script(knee_rolls()), id="sample-gentle-start", title="Sample gentle start"
    )


@pytest.mark.parametrize("score", ["six", "seven"])
def test_a_start_score_of_six_or_seven_offers_the_gentlest_session(score: str) -> None:
    d, mark = start_scored(score, gentle())
    assert d.said(mark)[1:] == [
        f"Thank you. {START_HIGH}",
        "Would you like the gentlest session instead, Sample gentle start? "
        "Say yes, or no to stop for today.",
    ]


@pytest.mark.parametrize("how", ["say:yes", "key:y"])
def test_yes_plays_the_gentlest_session_instead(how: str) -> None:
    d, _ = start_scored("six", gentle())
    mark = d.mark()
    if how.startswith("key:"):
        d.key(how[4:])
    else:
        d.hear(how[4:])
    d.finish()
    said = d.said(mark)
    assert said[:2] == [
        "All right. We will do Sample gentle start instead.",
        "Welcome. This is Sample gentle start.",
    ]
    assert "Exercise 1 of 1: Knee rolling." in said
    assert not [s for s in said if "Ankle pumps" in s or "Bridging" in s]
    assert "How is your pain right now, from zero to ten? Or say skip." not in said
    (changed,) = d.logs("script_changed")
    assert changed.detail == {"from": "sample-bed", "to": "sample-gentle-start", "reason": "pain"}


@pytest.mark.parametrize("how", ["say:no", "say:skip", "key:n"])
def test_no_stops_for_today(how: str) -> None:
    d, _ = start_scored("seven", gentle())
    mark = d.mark()
    if how.startswith("key:"):
        d.key(how[4:])
    else:
        d.hear(how[4:])
    d.quiet()
    assert d.state is State.ENDED
    assert d.said(mark)[0].startswith(STOP_FOR_TODAY)


def test_when_this_is_the_gentlest_session_it_offers_to_go_on_gently() -> None:
    d, mark = start_scored("six", None)
    assert d.said(mark)[-1] == "Would you like to go on, gently? Say yes, or no to stop for today."
    mark = d.mark()
    d.hear("yes")
    d.finish()
    assert d.said(mark)[0] == "All right. We will go gently."
    assert "Exercise 1 of 3: Ankle pumps." in d.said()


def test_nothing_else_moves_past_the_high_start_question() -> None:
    d, _ = start_scored("six", gentle())
    mark = d.mark()
    d.hear("skip this")  # "skip" is "no" here
    d.quiet()
    assert d.state is State.ENDED
    d2, _ = start_scored("six", gentle())
    mark = d2.mark()
    d2.hear("continue")
    d2.quiet()
    assert d2.said(mark)[0] == "First, let's decide about today."


def test_a_start_score_of_five_starts_as_usual() -> None:
    d, mark = start_scored("five", gentle())
    assert d.said(mark)[1] == "Thank you."


# ---------------------------------------------------------------- tingling and numbness


@pytest.mark.parametrize("how", ["say:tingling", "say:numb", "say:pins and needles", "key:i"])
def test_tingling_stops_the_exercise_with_advice_and_no_score(how: str) -> None:
    d = EngineDriver(with_areas())
    d.start()
    d.cooperate_until(lambda: d.state is State.HOLDING and d.engine.status().exercise == "Bridging")
    mark = d.mark()
    actions = d.key(how[4:]) if how.startswith("key:") else d.hear(how[4:])
    assert type(actions[0]).__name__ == "StopSpeech"
    d.quiet()
    assert d.said(mark) == [TINGLING_WORDS, MOVE_ON_BREATHING]
    assert PAIN_QUESTION not in d.said(mark)
    assert d.logs("pain_score", mark) == []
    (symptom,) = d.logs("symptom", mark)
    assert symptom.detail == {"kind": "tingling", "exercise": "Bridging"}
    (stopped,) = d.logs("exercise_stopped", mark)
    assert stopped.detail["exercise"] == "Bridging"


def test_tingling_in_the_introduction_gives_the_advice_and_pauses() -> None:
    d = driver_at("speaking intro")
    mark = d.mark()
    d.hear("numbness")
    d.quiet()
    assert d.said(mark) == [TINGLING_WORDS, "Say continue when you are ready."]
    assert d.state is State.PAUSED


# ---------------------------------------------------------------- the red flags


def test_the_red_flags_are_said_once_in_the_first_session_after_the_advice_line() -> None:
    from voicecoach.session.engine import SessionEngine
    from voicecoach.session.plan import NOT_MEDICAL_ADVICE

    d = EngineDriver(sample_script())
    d.engine = SessionEngine(sample_script(), first_use=True)
    d.start()
    d.finish()
    said = d.said()
    at = said.index(NOT_MEDICAL_ADVICE)
    assert said[at + 1 : at + 1 + len(RED_FLAGS)] == list(RED_FLAGS)
    assert all(said.count(flag) == 1 for flag in RED_FLAGS)
    plain = EngineDriver(sample_script())
    plain.start()
    plain.finish()
    assert not set(RED_FLAGS) & set(plain.said())


def test_skipping_the_introduction_never_skips_the_red_flags() -> None:
    from voicecoach.session.engine import SessionEngine

    d = EngineDriver(sample_script())
    d.engine = SessionEngine(sample_script(), first_use=True)
    d.start()
    d.hear("skip")
    d.quiet()
    d.run_until(lambda: d.engine.question is not None)
    said = d.said()
    assert all(flag in said for flag in RED_FLAGS)


def test_the_red_flags_cover_the_seeds_and_the_urgent_signs() -> None:
    text = " ".join(RED_FLAGS).lower()
    for sign in (
        "constant",
        "wakes you at night",
        "spreads into a leg",
        "injury",
        "suddenly or sharply",
        "much worse",
        "bladder or bowel",
        "numbness between your legs",
        "chest pain",
        "breathlessness",
        "dizziness or fainting",
        "more than a day",
    ):
        assert sign in text, sign
    assert all(len(flag.split()) <= 35 for flag in RED_FLAGS)  # brief: one sentence each


# ---------------------------------------------------------------- screen and voice agree


def test_the_screen_counts_exercises_as_the_voice_does() -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.cooperate_until(lambda: d.said()[-1:] == ["Exercise 2 of 3: Bridging."])
    status = d.engine.status()
    assert (status.exercise_number, status.exercise_count, status.cool_down) == (2, 3, False)
    d.cooperate_until(lambda: d.said()[-1:] == ["Cool-down: Slow breathing."])
    status = d.engine.status()
    assert (status.exercise, status.exercise_count, status.cool_down) == ("Slow breathing", 3, True)


def test_how_many_left_says_as_many_reps_as_then_follow() -> None:
    d = EngineDriver(sample_script(ankle_pumps(reps=10), bridging(), knee_rolls()))
    d.start()
    d.cooperate_until(lambda: d.said()[-1:] == ["Two. Point your toes"])
    mark = d.mark()
    d.hear("how many left")
    d.run_until(lambda: d.said()[-1:] == ["Exercise 2 of 3: Bridging."])
    said = d.said(mark)
    assert said[1] == "Nine reps left in this set."
    reps = [s for s in said if s.endswith("Point your toes")]
    assert len(reps) == 9


def test_settings_zones_move_the_severe_line_up_with_red() -> None:
    from voicecoach.config.settings import PainZones

    d = EngineDriver(
        sample_script(), SessionSettings(pain_zones=PainZones(green_max=6, amber_max=8))
    )
    d.start()
    d.run_until(lambda: d.engine.question is not None)
    d.quiet()
    d.answer("eight")  # amber with these zones: the session starts
    assert d.state is not State.ENDED


def test_in_bed_back_release_red_in_a_push_pull_never_offers_the_other_push_pull() -> None:
    """The case the review found: the next exercise after "Push-pull, knee away" is the
    other push-pull, loading the same side."""
    from voicecoach.script.library import find_script

    script = find_script("bed-back-release")
    d = EngineDriver(script)
    d.start()
    d.cooperate_until(
        lambda: d.state is State.HOLDING and d.engine.status().exercise == "Push-pull, knee away"
    )
    d.hear("pain")
    d.quiet()
    d.answer("seven")
    rested(d)
    mark = d.mark()
    d.answer("four")
    assert d.said(mark)[-1] == (
        "Would you like to go on with the next exercise, Lying back twist? Say yes or no."
    )
    d.hear("yes")
    d.cooperate_until(lambda: d.engine.status().exercise == "Lying back twist")
    assert not [s for s in d.said(mark) if "Push-pull" in s]


def test_tingling_during_the_rest_after_pain_gives_the_advice_and_the_rest_goes_on() -> None:
    from voicecoach.session.safety_words import TINGLING_ADVICE

    d, _ = red_in_bridging("six")
    d.advance(20)
    mark = d.mark()
    actions = d.hear("pins and needles")
    assert type(actions[0]).__name__ == "StopSpeech"
    d.quiet()
    assert d.said(mark)[0] == TINGLING_ADVICE
    assert d.state is State.RESTING_AFTER_PAIN
    rested(d)
    assert d.said()[-1] == PAIN_AGAIN_QUESTION


def test_how_many_left_during_the_rest_after_pain_says_how_long_the_rest_has_left() -> None:
    import math

    from voicecoach.session.vocabulary import count_word

    d, _ = red_in_bridging("six")
    d.advance(30)
    end = d.engine._countdown_end
    assert end is not None
    left = count_word(math.ceil(end - d.t)).capitalize()
    mark = d.mark()
    d.hear("how many left")
    d.quiet()
    assert d.said(mark) == [f"{left} seconds of rest left. Then I will ask again."]
    assert d.state is State.RESTING_AFTER_PAIN


def test_next_when_paused_at_the_offer_after_red_pain_passes_over_the_same_area() -> None:
    """No answer to "go on with the next exercise?" pauses; "next" (or n) then goes on
    to the exercise offered, never Knee rolling (the lower back again, as Bridging)."""
    for how in ("say", "key"):
        d, _ = red_in_bridging("seven")
        rested(d)
        d.answer("three")
        d.quiet()
        d.advance(60)
        assert d.state is State.PAUSED
        mark = d.mark()
        d.hear("next") if how == "say" else d.key("n")
        d.quiet()
        assert d.said(mark)[:2] == ["Skipping to the next exercise.", "Cool-down: Slow breathing."]
