"""Every command in every engine state: what the person hears, and which state follows.

The moments (tests/engine_driver.py MOMENTS) are points of a session of `sample_script()`:
ankle pumps (counted, 4 reps), bridging (3-second holds, 2 sets with a 20-second rest),
knee rolling (self-paced), and a slow-breathing cool-down.
"""

from __future__ import annotations

import pytest

from engine_driver import MOMENT_STATE, MOMENTS, EngineDriver, check_consistent, driver_at
from sample_scripts import sample_script
from voicecoach.session.engine import PAIN_FIRST_WORDS, PAIN_QUESTION, State
from voicecoach.session.events import Action, Cue, Say, SetVolume, StopSpeech
from voicecoach.session.plan import HEAT_NOTE, NOT_MEDICAL_ADVICE
from voicecoach.session.safety_words import RED_FLAGS
from voicecoach.session.states import MOVING
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, Command

PAUSED_WORDS = "Paused. Say continue when you are ready."
STOPPED_WORDS = "Stopped. Say continue to carry on, or stop again to finish."
REST_WORDS = "Let's rest for a minute. Say more rest if you need longer."
READY_WORDS = "Ready when you are. Say continue to carry on."
CHECK_PAIN_FIRST = "First, let's check your pain."
MOVE_ON_QUESTION = "Would you like to go on with the next exercise, Bridging? Say yes or no."
HELP_WORDS = "You can say: " + ", ".join(DEFAULT_VOCABULARY.advertised()) + "."
ALL_MOMENTS = list(MOMENTS)
PHRASES = [c.value for c in Command]
# Space toggles pause, the rest come from vocabulary.KEYS; "?", "l", "t", "+" and "-" are
# shown to act like their words in test_a_key_behaves_like_its_word.
KEYS = [" ", "p", "s", "e", "h", "r", "n", "3", "7", "\n", "y", "d"]

# What a rep interrupted at each moment starts again with.
RESUMES_WITH = {
    "speaking intro": "Welcome. This is Sample bed session.",
    "speaking set-up": "Exercise 2 of 3: Bridging.",
    "counting": "Two. Point your toes",
    "holding": "Two. Lift your hips",
    "resting": "Rest for twenty seconds.",
    "waiting for done": (
        "Do six, changing sides each time, at your own pace. Roll your knees over. "
        "I'll count for you. Say slower if you need more time."
    ),
    "asking pain start": "How is your pain right now, from zero to ten? Or say skip.",
}


def _stop_speech_first(actions: list[Action]) -> bool:
    """Speech is cut in this very call, before anything new is said."""
    kinds = [type(a) for a in actions]
    return StopSpeech in kinds and (Say not in kinds or kinds.index(StopSpeech) < kinds.index(Say))


def _press(d: EngineDriver, how: str) -> list[Action]:
    """`how` is "say:WORDS" or "key:K"."""
    kind, _, text = how.partition(":")
    return d.key(text) if kind == "key" else d.hear(text)


def _said_after_carrying_on(d: EngineDriver, mark: int) -> str:
    said = d.said(mark)
    assert "Carrying on." in said, said
    return said[said.index("Carrying on.") + 1]


# ---------------------------------------------------------------- the whole matrix


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize("moment", ALL_MOMENTS)
def test_every_spoken_command_in_every_state_leaves_a_session_that_can_end(
    moment: str, phrase: str
) -> None:
    d = driver_at(moment)
    d.hear(phrase)
    check_consistent(d)
    d.quiet()
    check_consistent(d)
    d.finish()
    assert d.state is State.ENDED
    assert len(d.logs("session_ended")) == 1


@pytest.mark.parametrize("key", KEYS, ids=repr)
@pytest.mark.parametrize("moment", ALL_MOMENTS)
def test_every_key_in_every_state_leaves_a_session_that_can_end(moment: str, key: str) -> None:
    d = driver_at(moment)
    d.key(key)
    check_consistent(d)
    d.quiet()
    check_consistent(d)
    d.finish()
    assert d.state is State.ENDED
    assert len(d.logs("session_ended")) == 1


# ---------------------------------------------------------------- stop


@pytest.mark.parametrize("how", ["say:stop", "key:s"])
@pytest.mark.parametrize("moment", [m for m in ALL_MOMENTS if m != "stopped"])
def test_stop_cuts_speech_at_once_and_waits_silently(moment: str, how: str) -> None:
    d = driver_at(moment)
    mark = d.mark()
    actions = _press(d, how)
    assert _stop_speech_first(actions)
    assert d.state is State.STOPPED
    d.advance(2 * 3600)
    assert d.said(mark) == [STOPPED_WORDS]
    assert d.state is State.STOPPED
    d.finish()


def test_stop_inside_a_longer_phrase_still_stops() -> None:
    d = driver_at("counting")
    actions = d.hear("please could you stop now")
    assert _stop_speech_first(actions)
    assert d.state is State.STOPPED


@pytest.mark.parametrize("how", ["say:stop", "key:s"])
def test_stop_when_stopped_asks_the_end_pain_score_then_ends(how: str) -> None:
    d = driver_at("stopped")
    mark = d.mark()
    actions = _press(d, how)
    assert _stop_speech_first(actions)
    assert d.state is State.ASKING
    d.quiet()
    assert d.said(mark)[-1] == "How is your pain now, from zero to ten? Or say skip."
    d.answer("three")
    assert d.engine.state is State.ENDED
    (ended,) = d.logs("session_ended")
    assert ended.detail["reason"] == "stopped"
    assert ended.detail["pain_end"] == 3
    assert d.engine.status().can_say == ()  # nothing left to say to an ended session


@pytest.mark.parametrize("how", ["say:continue", "say:go on", "key: ", "say:ready", "key:\n"])
def test_continue_after_stop_resumes_the_rep(how: str) -> None:
    d = driver_at("stopped")
    mark = d.mark()
    _press(d, how)
    d.advance(5)
    assert _said_after_carrying_on(d, mark) == "Two. Point your toes"


# ---------------------------------------------------------------- pain


@pytest.mark.parametrize("how", ["say:pain", "key:p"])
# Not here: the follow-up of red pain (the rest, the score asked again), where "pain" asks
# that score again now (test_engine_red.py, test_engine_pain_owed.py).
@pytest.mark.parametrize(
    "moment", [m for m in ALL_MOMENTS if m not in ("resting after pain", "asking pain again")]
)
def test_pain_cuts_speech_at_once_and_asks_zero_to_ten(moment: str, how: str) -> None:
    d = driver_at(moment)
    mark = d.mark()
    actions = _press(d, how)
    assert _stop_speech_first(actions)
    assert d.state is State.ASKING
    assert d.engine.question is not None and d.engine.question.kind == "pain_now"
    d.quiet()
    assert d.said(mark) == [PAIN_FIRST_WORDS, PAIN_QUESTION]
    d.finish()


def test_pain_wins_over_other_words_in_the_same_phrase() -> None:
    d = driver_at("counting")
    actions = d.hear("continue no wait it hurts")
    assert _stop_speech_first(actions)
    assert d.engine.question is not None and d.engine.question.kind == "pain_now"


# ---------------------------------------------------------------- pause and continue

# Not paused: what is paused already, the pain questions (the score comes first) and the
# guided rest after red pain (a rest already; "ready" asks the score again).
PAUSABLE = [
    m
    for m in ALL_MOMENTS
    if m not in ("paused", "asking pain now", "asking pain again", "resting after pain")
]


@pytest.mark.parametrize("how", ["say:pause", "say:hold on"])
@pytest.mark.parametrize("moment", PAUSABLE)
def test_pause_says_nothing_and_counts_nothing_until_continue(moment: str, how: str) -> None:
    d = driver_at(moment)
    mark = d.mark()
    actions = _press(d, how)
    assert _stop_speech_first(actions)
    assert d.state is State.PAUSED
    d.advance(3 * 3600)
    assert d.said(mark) == [PAUSED_WORDS]
    assert not [r for r in d.records[mark:] if isinstance(r.action, Cue)]
    assert d.state is State.PAUSED
    d.hear("continue")
    assert d.state is not State.PAUSED
    d.finish()


@pytest.mark.parametrize(
    "moment", [m for m in PAUSABLE if m not in ("stopped", "waiting for ready")]
)
def test_space_pauses_and_space_again_carries_on(moment: str) -> None:
    d = driver_at(moment)
    mark = d.mark()
    d.key(" ")
    assert d.state is State.PAUSED
    d.advance(600)
    assert d.said(mark) == [PAUSED_WORDS]
    d.key(" ")
    d.advance(1)
    assert d.said(mark)[:2] == [PAUSED_WORDS, "Carrying on."]


def test_pause_when_paused_changes_nothing() -> None:
    d = driver_at("paused")
    mark = d.mark()
    actions = d.hear("pause")
    assert not any(isinstance(a, (StopSpeech, Say)) for a in actions)
    assert d.state is State.PAUSED
    assert d.said(mark) == []


def test_pause_during_the_pain_check_keeps_asking_about_pain() -> None:
    d = driver_at("asking pain now")
    mark = d.mark()
    d.hear("hold on")
    assert d.state is State.ASKING
    d.quiet()
    assert d.said(mark) == [CHECK_PAIN_FIRST, PAIN_QUESTION]


@pytest.mark.parametrize("via", ["pause", "stop", "rest"])
@pytest.mark.parametrize("moment", list(RESUMES_WITH))
def test_continue_resumes_the_interrupted_rep_from_its_start(moment: str, via: str) -> None:
    d = driver_at(moment)
    mark = d.mark()
    d.hear(via)
    d.advance(120)  # a rest (60 seconds) is over by now
    d.hear("continue")
    d.quiet()
    assert _said_after_carrying_on(d, mark) == RESUMES_WITH[moment]


def test_a_hold_resumed_after_pause_counts_again_from_the_start_on_whole_seconds() -> None:
    d = driver_at("holding")
    d.hear("pause")
    d.advance(33.3)
    mark = d.mark()
    d.hear("continue")
    d.run_until(lambda: d.said(mark)[-1:] == ["And relax."])
    spoken = d.spoken(mark)
    assert [s.text for s in spoken] == [
        "Carrying on.",
        "Two. Lift your hips",
        "Hold.",
        "two",
        "three",
        "And relax.",
    ]
    hold = spoken[2].t
    assert hold == int(hold)
    assert [s.t - hold for s in spoken[2:]] == [0, 1, 2, 3]


def test_continue_while_moving_changes_nothing() -> None:
    d = driver_at("counting")
    mark = d.mark()
    actions = d.hear("continue")
    assert not any(isinstance(a, (StopSpeech, Say)) for a in actions)
    assert d.state is State.COUNTING
    d.advance(3)
    assert d.said(mark) == ["Two. Point your toes"]


@pytest.mark.parametrize("how", ["say:continue", "say:done", "say:finished", "key:\n", "key:d"])
def test_done_or_continue_ends_a_self_paced_set(how: str) -> None:
    d = driver_at("waiting for done")
    mark = d.mark()
    _press(d, how)
    d.run_until(lambda: "Cool-down: Slow breathing." in d.said(mark))
    assert d.said(mark)[:2] == ["Well done.", "Rest for thirty seconds."]
    assert d.logs("step_completed", mark)[0].detail["exercise"] == "Knee rolling"


# ---------------------------------------------------------------- help, how many left, repeat

HELP_ANSWERS = {
    "speaking intro": [HELP_WORDS],
    "speaking set-up": [HELP_WORDS],
    "counting": [HELP_WORDS],
    "holding": [HELP_WORDS],
    "resting": [HELP_WORDS],
    "waiting for done": ["Say done when you have finished, or pause, easier, or pain."],
    "asking pain start": [
        "Say a number from zero to ten. Zero is no pain, ten is the worst.",
        "How is your pain right now, from zero to ten? Or say skip.",
    ],
    "asking pain now": [
        "Say a number from zero to ten. Zero is no pain, ten is the worst.",
        PAIN_QUESTION,
    ],
    "asking easier offer": [
        "Say yes or no.",
        "Would you like the easier version? Say yes or no.",
    ],
    "asking move on": ["Say yes or no.", MOVE_ON_QUESTION],
    # "Two." stands (help is no correction), then help answers the easier offer.
    "correcting a score": ["Say yes or no.", "Would you like the easier version? Say yes or no."],
    "resting after pain": [
        " ".join(["Say ready when you want to go on, or more rest, or stop.", *RED_FLAGS])
    ],
    "asking pain again": [
        "Say a number from zero to ten. Zero is no pain, ten is the worst.",
        "How is the pain now, from zero to ten?",
    ],
    "paused": ["Say continue to carry on, or stop to finish.", *RED_FLAGS],
    "stopped": ["Say continue to carry on, or stop to finish.", *RED_FLAGS],
    "taking a rest": [" ".join([HELP_WORDS, *RED_FLAGS])],
    "waiting for ready": ["Say continue to carry on, or stop to finish.", *RED_FLAGS],
}
MOVING_MOMENTS = [m for m in ALL_MOMENTS if MOMENT_STATE[m] in MOVING]


@pytest.mark.parametrize("how", ["say:help", "key:?"])
@pytest.mark.parametrize("moment", ALL_MOMENTS)
def test_help_says_what_can_be_said_now_and_the_red_flags(moment: str, how: str) -> None:
    d = driver_at(moment)
    state = d.state
    mark = d.mark()
    _press(d, how)
    d.quiet()
    answer = HELP_ANSWERS[moment]
    if state in MOVING:
        # Help pauses first: nothing is counted while it is said.
        assert d.said(mark) == [
            "Paused.",
            *answer,
            *RED_FLAGS,
            "Say continue when you are ready.",
        ]
        assert d.state is State.PAUSED
        return
    assert d.said(mark)[: len(answer)] == answer
    if state is not State.ASKING or moment != "correcting a score":
        assert d.state is state
        assert d.said(mark) == answer


@pytest.mark.parametrize("moment", MOVING_MOMENTS)
def test_help_pauses_and_counts_nothing_until_continue(moment: str) -> None:
    d = driver_at(moment)
    mark = d.mark()
    d.hear("help")
    d.advance(600)
    said = d.said(mark)
    assert said[-1] == "Say continue when you are ready."  # nothing counted meanwhile
    assert d.state is State.PAUSED
    d.hear("continue")
    d.advance(20)
    assert _said_after_carrying_on(d, mark) == RESUMES_WITH[moment]


def test_safety_says_the_red_flags_and_the_wording_has_one_home() -> None:
    d = driver_at("paused")
    mark = d.mark()
    d.hear("safety")
    d.quiet()
    assert d.said(mark) == list(RED_FLAGS)
    assert d.state is State.PAUSED
    counting = driver_at("counting")
    mark = counting.mark()
    counting.hear("safety")
    counting.quiet()
    assert counting.said(mark) == ["Paused.", *RED_FLAGS, "Say continue when you are ready."]


def test_help_names_every_advertised_word() -> None:
    for word in ("stop", "pause", "continue", "easier", "harder", "pain", "how many left"):
        assert word in HELP_WORDS


# The rep under way starts again after the answer, so it counts as one left: at rep 2 of
# 4, "Three reps left" and three reps follow. Cool-downs are not counted as exercises,
# as the voice announces them ("Exercise 2 of 3", "Cool-down: ...").
HOW_MANY_LEFT = {
    "speaking intro": ["There are 3 exercises in this session, then a cool-down."],
    "speaking set-up": ["This is exercise 2 of 3.", "Then one more exercise, then a cool-down."],
    "counting": [
        "This is set 1 of 1.",
        "Three reps left in this set.",
        "Then two more exercises, then a cool-down.",
    ],
    "holding": [
        "This is set 1 of 2.",
        "Four reps left in this set.",
        "Then one more exercise, then a cool-down.",
    ],
    "resting": ["This is set 2 of 2.", "Then one more exercise, then a cool-down."],
    "waiting for done": ["This is set 1 of 1.", "This is the last exercise, then a cool-down."],
    "paused": [
        "This is set 1 of 1.",
        "Three reps left in this set.",
        "Then two more exercises, then a cool-down.",
    ],
}


@pytest.mark.parametrize("how", ["say:how many left", "say:how many more", "key:l"])
@pytest.mark.parametrize("moment", list(HOW_MANY_LEFT))
def test_how_many_left_answers_with_sets_reps_and_exercises(moment: str, how: str) -> None:
    d = driver_at(moment)
    state = d.state
    mark = d.mark()
    _press(d, how)
    d.advance(20)
    answer = HOW_MANY_LEFT[moment]
    assert d.said(mark)[: len(answer)] == answer
    if state is State.PAUSED:
        assert d.state is State.PAUSED
    else:
        assert d.said(mark)[len(answer)] == RESUMES_WITH[moment]


def test_how_many_left_in_the_closing_words_says_the_exercises_are_done() -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.cooperate_until(lambda: d.said()[-1:] == ["That was the last exercise."])
    mark = d.mark()
    d.hear("how many left")
    d.quiet()
    assert d.said(mark)[0] == "All the exercises are done. We are nearly finished."


@pytest.mark.parametrize(
    ("moment", "repeated"),
    [
        ("speaking intro", ["Welcome. This is Sample bed session."]),
        (
            "speaking set-up",
            ["Exercise 2 of 3: Bridging.", "Lie on your back with your knees bent and feet flat."],
        ),
        ("counting", ["Lie with your legs straight.", "Two. Point your toes"]),
        (
            "holding",
            ["Lie on your back with your knees bent and feet flat.", "Two. Lift your hips"],
        ),
        ("asking pain now", [PAIN_QUESTION]),
        ("asking move on", [MOVE_ON_QUESTION]),
    ],
)
def test_repeat_says_the_instruction_again_once(moment: str, repeated: list[str]) -> None:
    d = driver_at(moment)
    mark = d.mark()
    d.hear("say that again")
    d.advance(12)
    assert d.said(mark)[: len(repeated)] == repeated
    assert d.said(mark).count(repeated[0]) == 1


# ---------------------------------------------------------------- skip


@pytest.mark.parametrize("how", ["say:skip", "say:next", "key:n"])
def test_skip_in_a_rest_ends_the_rest_at_once(how: str) -> None:
    d = driver_at("resting")
    mark = d.mark()
    skipped_at = d.t
    _press(d, how)
    d.quiet()
    spoken = d.spoken(mark)
    assert spoken[0].text == "Set 2 of 2."
    assert spoken[0].t - skipped_at < 1.0  # not the 15 seconds left of the rest
    assert "Rest for twenty seconds." not in d.said(mark)


@pytest.mark.parametrize(
    ("moment", "next_exercise"),
    [
        ("counting", "Exercise 2 of 3: Bridging."),
        ("speaking set-up", "Exercise 3 of 3: Knee rolling."),
        ("holding", "Exercise 3 of 3: Knee rolling."),
        ("waiting for done", "Cool-down: Slow breathing."),
        ("paused", "Exercise 2 of 3: Bridging."),
    ],
)
@pytest.mark.parametrize("how", ["say:skip", "say:next", "key:n"])
def test_skip_in_an_exercise_moves_to_the_next_exercise(
    moment: str, next_exercise: str, how: str
) -> None:
    d = driver_at(moment)
    skipped = d.engine.status().exercise
    mark = d.mark()
    _press(d, how)
    d.cooperate_until(lambda: next_exercise in d.said(mark))
    assert d.said(mark) == ["Skipping to the next exercise.", next_exercise]
    assert not [log for log in d.logs("step_completed", mark) if log.detail["exercise"] == skipped]


@pytest.mark.parametrize("how", ["say:skip", "key:n"])
def test_skip_in_the_introduction_keeps_the_not_medical_advice_line(how: str) -> None:
    d = driver_at("speaking intro")
    mark = d.mark()
    _press(d, how)
    d.quiet()
    assert d.said(mark)[:3] == ["Skipping the introduction.", NOT_MEDICAL_ADVICE, HEAT_NOTE]
    assert "Move gently and only within comfort." not in d.said(mark)


def test_skip_while_the_not_medical_advice_line_is_said_says_it_again_whole() -> None:
    d = driver_at("speaking intro")
    d.run_until(lambda: d.speaking is not None and d.speaking[2] == NOT_MEDICAL_ADVICE)
    mark = d.mark()
    d.hear("skip")
    d.quiet()
    assert d.said(mark)[:2] == ["Skipping the introduction.", NOT_MEDICAL_ADVICE]


def test_skip_the_start_pain_score() -> None:
    d = driver_at("asking pain start")
    mark = d.mark()
    d.hear("skip")
    d.quiet()
    assert d.said(mark)[:2] == ["That's fine.", "Exercise 1 of 3: Ankle pumps."]
    assert d.engine.pain_start is None
    assert d.logs("pain_score") == []


def test_skip_during_the_pain_check_does_not_move_on() -> None:
    d = driver_at("asking pain now")
    mark = d.mark()
    d.hear("next")
    d.quiet()
    assert d.said(mark) == [CHECK_PAIN_FIRST, PAIN_QUESTION]
    assert d.engine.question is not None and d.engine.question.kind == "pain_now"


@pytest.mark.parametrize("how", ["say:skip", "key:n"])
def test_skip_in_a_rest_asked_for_ends_it_and_waits_for_ready(how: str) -> None:
    d = driver_at("taking a rest")
    mark = d.mark()
    _press(d, how)
    assert d.state is State.WAITING_FOR_READY
    d.advance(600)
    assert d.said(mark) == [READY_WORDS]


# ---------------------------------------------------------------- rest and more rest


@pytest.mark.parametrize("how", ["say:rest", "say:i'm tired", "say:take a break", "key:t"])
@pytest.mark.parametrize("moment", ["counting", "holding", "speaking set-up", "paused"])
def test_rest_gives_a_rest_then_waits_for_continue(moment: str, how: str) -> None:
    d = driver_at(moment)
    mark = d.mark()
    actions = _press(d, how)
    assert _stop_speech_first(actions)
    assert d.state is State.TAKING_A_REST
    start = d.t
    d.advance(59.9)
    assert d.said(mark) == [REST_WORDS, "Ten seconds."]
    assert d.spoken(mark)[-1].t == pytest.approx(start + 50)
    d.advance(0.2)
    assert d.engine.state is State.WAITING_FOR_READY
    ready = d.spoken(mark)[-1]
    assert ready.text == READY_WORDS
    assert ready.t == pytest.approx(start + 60)
    assert Cue("rest over") in [r.action for r in d.records[mark:]]
    d.advance(2 * 3600)
    assert d.said(mark) == [REST_WORDS, "Ten seconds.", READY_WORDS]
    d.hear("continue")
    d.quiet()
    assert _said_after_carrying_on(d, mark) == RESUMES_WITH.get(moment, "Two. Point your toes")


def test_more_rest_adds_thirty_seconds_to_the_rest() -> None:
    d = driver_at("counting")
    start = d.t
    d.hear("rest")
    d.advance(40)
    mark = d.mark()
    d.hear("more rest")
    assert d.said(mark) == ["Another thirty seconds."]
    assert d.state is State.TAKING_A_REST
    d.run_until(lambda: d.state is State.WAITING_FOR_READY)
    assert d.spoken(mark)[-1].text == READY_WORDS
    assert d.spoken(mark)[-1].t == pytest.approx(start + 90)


def test_rest_said_during_a_rest_also_adds_time() -> None:
    d = driver_at("taking a rest")
    mark = d.mark()
    d.hear("i'm tired")
    assert d.said(mark) == ["Another thirty seconds."]


def test_more_rest_when_moving_starts_a_rest() -> None:
    d = driver_at("counting")
    mark = d.mark()
    d.hear("more rest")
    assert d.state is State.TAKING_A_REST
    assert d.said(mark) == [REST_WORDS]


@pytest.mark.parametrize("how", ["say:ready", "key:\n", "say:continue"])
def test_ready_during_a_rest_carries_on(how: str) -> None:
    d = driver_at("taking a rest")
    mark = d.mark()
    _press(d, how)
    d.quiet()
    assert _said_after_carrying_on(d, mark) == "Two. Point your toes"


def test_rest_length_comes_from_the_settings() -> None:
    from voicecoach.config.settings import SessionSettings

    d = driver_at("counting", SessionSettings(rest_seconds=120, more_rest_seconds=45))
    mark = d.mark()
    start = d.t
    d.hear("rest")
    d.advance(10)
    d.hear("more rest")
    d.run_until(lambda: d.state is State.WAITING_FOR_READY)
    assert d.said(mark) == [
        "Let's rest for two minutes. Say more rest if you need longer.",
        "Another forty five seconds.",
        "Ten seconds.",
        READY_WORDS,
    ]
    assert d.spoken(mark)[-2].t == pytest.approx(start + 155)
    assert d.spoken(mark)[-1].t == pytest.approx(start + 165)


# ---------------------------------------------------------------- synonyms and keys

SAME_MEANING = [
    ("hold on", "pause"),
    ("wait", "pause"),
    ("ouch", "pain"),
    ("it hurts", "pain"),
    ("that hurts", "pain"),
    ("next", "skip"),
    ("skip this", "skip"),
    ("stop now", "stop"),
    ("carry on", "continue"),
    ("resume", "continue"),
    ("too hard", "easier"),
    ("too easy", "harder"),
    ("slow down", "slower"),
    ("speed up", "faster"),
    ("i'm tired", "rest"),
    ("say again", "repeat"),
    ("how long", "how many left"),
    ("ow", "pain"),
    ("that's enough", "stop"),
    ("what can i say", "help"),
    ("softer", "quieter"),
]
SYNONYM_MOMENTS = ["counting", "asking easier offer"]


def _after(moment: str, press: str) -> tuple[list[str], State]:
    d = driver_at(moment)
    mark = d.mark()
    _press(d, press)
    d.advance(40)
    return d.said(mark), d.state


@pytest.mark.parametrize("moment", SYNONYM_MOMENTS)
@pytest.mark.parametrize(("synonym", "main"), SAME_MEANING)
def test_a_synonym_behaves_like_its_main_word(synonym: str, main: str, moment: str) -> None:
    assert _after(moment, f"say:{synonym}") == _after(moment, f"say:{main}")


KEY_MEANS = [
    ("p", "pain"),
    ("s", "stop"),
    ("e", "easier"),
    ("h", "harder"),
    ("r", "repeat"),
    ("n", "skip"),
    ("?", "help"),
    ("l", "how many left"),
    ("t", "rest"),
    ("+", "louder"),
    ("-", "quieter"),
    ("P", "pain"),
    ("S", "stop"),
]


@pytest.mark.parametrize("moment", ["holding", "resting"])
@pytest.mark.parametrize(("key", "main"), KEY_MEANS)
def test_a_key_behaves_like_its_word(key: str, main: str, moment: str) -> None:
    assert _after(moment, f"key:{key}") == _after(moment, f"say:{main}")


@pytest.mark.parametrize(
    ("moment", "key", "word"),
    [
        ("asking pain now", "0", "zero"),
        ("asking pain now", "3", "three"),
        ("asking pain now", "5", "five"),
        ("asking pain now", "9", "nine"),
        ("asking pain start", "7", "seven"),
        ("asking easier offer", "y", "yes"),
        ("asking easier offer", "n", "no"),
        ("asking move on", "y", "yes"),
        # n is "next": moving on to the next exercise is a yes.
        ("asking move on", "n", "yes"),
        ("asking move on", "n", "next"),
        ("waiting for done", "\n", "done"),
        ("waiting for done", "d", "done"),
    ],
)
def test_answer_keys_answer_like_words(moment: str, key: str, word: str) -> None:
    assert _after(moment, f"key:{key}") == _after(moment, f"say:{word}")


@pytest.mark.parametrize("moment", ["counting", "paused", "speaking intro"])
@pytest.mark.parametrize("key", ["3", "y", "x"])
def test_an_answer_key_with_no_question_changes_nothing(moment: str, key: str) -> None:
    with_key = _after(moment, f"key:{key}")
    d = driver_at(moment)
    mark = d.mark()
    d.advance(40)
    assert with_key == (d.said(mark), d.state)


def test_words_that_mean_nothing_are_ignored() -> None:
    d = driver_at("counting")
    assert d.hear("the cat sat on the mat") == []
    assert d.hear("") == []
    assert d.state is State.COUNTING


# ---------------------------------------------------------------- volume


@pytest.mark.parametrize(("how", "step"), [("say:louder", 1), ("key:-", -1)])
@pytest.mark.parametrize("moment", ALL_MOMENTS)
def test_louder_and_quieter_change_the_volume_and_nothing_else(
    moment: str, how: str, step: int
) -> None:
    d = driver_at(moment)
    state = d.state
    actions = _press(d, how)
    assert SetVolume(step) in actions
    assert not any(isinstance(a, (StopSpeech, Say)) for a in actions)
    assert d.state is state


def test_after_the_end_only_stop_pain_and_tingling_do_anything_they_cut_the_words() -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.finish()
    for phrase in PHRASES:
        cuts = phrase in ("stop", "pain", "tingling")
        assert d.hear(phrase) == ([StopSpeech()] if cuts else [])
    assert d.key(" ") == []
    assert d.key("s") == [StopSpeech()]
    assert d.state is State.ENDED


@pytest.mark.parametrize("how", ["say:stop", "say:pain", "key:s", "key:p"])
def test_stop_or_pain_cut_the_closing_words_at_once(how: str) -> None:
    d = EngineDriver(sample_script())
    d.start()
    d.cooperate_until(lambda: d.state is State.ENDED)
    assert d.speaking is not None and "end of the session" in d.speaking[2]
    actions = _press(d, how)
    assert actions == [StopSpeech()]
    assert d.speaking is None
    assert d.state is State.ENDED
    assert len(d.logs("session_ended")) == 1


def test_a_stop_heard_twice_does_not_end_the_session() -> None:
    """One spoken "stop" detected twice (or the player's own "Stopped." heard back) stays
    stopped; a second stop said after a pause ends the session; a key always counts."""
    from sample_scripts import sample_script
    from voicecoach.session.engine import SessionEngine, State
    from voicecoach.session.events import Heard, KeyPressed

    engine = SessionEngine(sample_script())
    engine.start(0.0)
    engine.handle(Heard(10.0, "stop"))
    assert engine.state is State.STOPPED
    engine.handle(Heard(11.0, "stop"))
    assert engine.state is State.STOPPED
    engine.handle(Heard(14.0, "stop"))
    assert engine.state is not State.STOPPED

    keyed = SessionEngine(sample_script())
    keyed.start(0.0)
    keyed.handle(KeyPressed(10.0, "s"))
    keyed.handle(KeyPressed(10.1, "s"))
    assert keyed.state is not State.STOPPED
