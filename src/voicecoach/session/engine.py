"""The session engine: a pure state machine. No threads, no clock, no audio.

Events in (Tick, Heard, KeyPressed, SpeechFinished, each stamped with the time `t` of the
injected clock), actions out (Say, StopSpeech, Cue, ListenFor, StateChanged, Log, SetVolume).
`next_deadline()` tells a driver when the engine next wants a Tick, so a virtual clock can
jump straight there and a 60-minute session runs in milliseconds.

States and their transitions (any state -> PAUSED on "pause", -> STOPPED on "stop",
-> ASKING on "pain"; ENDED is final):

    SPEAKING --speech finished--> next step: SPEAKING | COUNTING | HOLDING | RESTING
                                  | WAITING_FOR_DONE | ASKING | ENDED
    COUNTING (a rep's beats) --beat over--> next step
    HOLDING  --"hold" ... whole-second counts ... "and relax"--> next step
    RESTING  --countdown over / "skip"--> next step
    WAITING_FOR_DONE --"done"/"continue"--> next step
    ASKING   --answer--> depends on the question (pain: green/amber/red flow)
             --no answer in answer_timeout--> ask once more, then the question's default
    PAUSED   --"continue"--> the interrupted rep/rest/sentence, from its start
    STOPPED  --"continue"--> as PAUSED; --"stop" again--> ending (pain check) -> ENDED
    TAKING_A_REST --time over--> WAITING_FOR_READY --"continue"--> resume; "more rest" adds time

"help", "how many left", "repeat", "easier", "harder", "back to normal" cut speech, say
their short answer, then resume the current rep from its start (while paused, stopped or
resting they are answered and the pause goes on). While the pain score is asked for
(ASKING "pain_now") only the score, stop, pain, help, repeat, louder and quieter count.
After red pain, anything that resumes goes on at the next exercise, never the painful one.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from voicecoach.config.settings import SessionSettings
from voicecoach.script.model import Exercise, Pace, Script
from voicecoach.session.adaptation import adapt, level_range
from voicecoach.session.events import (
    Action,
    Cue,
    Event,
    Heard,
    KeyPressed,
    ListenFor,
    Log,
    Say,
    SetVolume,
    SpeechFinished,
    StateChanged,
    Status,
    StopSpeech,
    Tick,
)
from voicecoach.session.plan import (
    NOT_MEDICAL_ADVICE,
    Phase,
    Place,
    Step,
    StepKind,
    build_plan,
    exercise_steps,
    number_steps,
    planned_sets,
)
from voicecoach.session.vocabulary import (
    DEFAULT_VOCABULARY,
    KEYS,
    PAUSE_TOGGLE_KEY,
    SCORE_ANSWERS,
    YES_NO_ANSWERS,
    Answer,
    Command,
    Meaning,
    Vocabulary,
    count_word,
)

EPSILON = 1e-6
SAME_STOP_SECONDS = 2.5
"""A spoken "stop" this soon after the one that stopped the session is the same one."""

PAIN_FIRST_WORDS = "Stopping now. Ease into a comfortable position, and breathe slowly."
PAIN_QUESTION = "How bad is it, from zero to ten?"
PAIN_ASK_AGAIN = "How bad is the pain, from zero to ten? Say a number."
END_FOR_PAIN = (
    "We will end the session here. Please rest in a comfortable position. "
    "Pain from exercise usually settles back to its usual level within about thirty minutes. "
    "If it does not, or it keeps getting worse, contact your GP or physiotherapist."
)


CLOSED = "closed"
"""The end reason when the person closes the player mid-session."""


class State(str, Enum):
    SPEAKING = "speaking"
    COUNTING = "counting"
    HOLDING = "holding"
    RESTING = "resting"
    WAITING_FOR_DONE = "waiting for done"
    ASKING = "asking"
    PAUSED = "paused"
    STOPPED = "stopped"
    TAKING_A_REST = "taking a rest"
    WAITING_FOR_READY = "waiting for ready"
    ENDED = "ended"


# States the person is in the middle of a movement or a rest of the plan.
_ACTIVE = {State.SPEAKING, State.COUNTING, State.HOLDING, State.RESTING, State.WAITING_FOR_DONE}
# States that wait for "continue" (or the end of a rest) before the plan goes on.
_WAITING = {State.PAUSED, State.STOPPED, State.WAITING_FOR_READY, State.TAKING_A_REST}


@dataclass
class Question:
    """A question waiting for an answer."""

    kind: str
    """"pain_start", "pain_end", "pain_now", "easier_offer", "move_on"."""
    prompt: str
    again: str
    answers: tuple[Answer, ...]
    on_answer: Callable[[Answer | None, float], list[Action]]
    """Called with the answer, or None for "skip" / no answer after asking twice."""
    asked: int = 1
    resume_at: int | None = None
    """Where pause, stop or rest pick up after this question, when not the current rep
    (after red pain: the next exercise, never the one stopped for pain)."""


@dataclass
class _Timer:
    at: float
    seq: int
    run: Callable[[float], list[Action]] = field(compare=False)

    def __lt__(self, other: _Timer) -> bool:
        return (self.at, self.seq) < (other.at, other.seq)


def hold_count_seconds(hold: int) -> list[int]:
    """Seconds (from the hold's start) that get a spoken count. "hold" is second zero and
    "and relax" second `hold`. Up to ten seconds every second is counted; longer holds are
    counted on every fifth second and on each of the last three."""
    if hold <= 10:
        return list(range(1, hold))
    return sorted(set(range(4, hold - 1, 5)) | set(range(hold - 3, hold)))


class SessionEngine:
    """Plays one session of a script. Feed events to `handle`; carry out the actions."""

    def __init__(
        self,
        script: Script,
        settings: SessionSettings | None = None,
        *,
        levels: dict[str, int] | None = None,
        vocabulary: Vocabulary = DEFAULT_VOCABULARY,
        notices: tuple[str, ...] = (),
    ) -> None:
        self.script = script
        self.settings = settings or SessionSettings()
        self.vocabulary = vocabulary
        self.levels: dict[str, int] = _clamped_levels(script, levels or {})
        self.plan: list[Step] = build_plan(
            script,
            self.levels,
            heat_note=self.settings.heat_note,
            ask_pain=self.settings.ask_pain_scores,
            extra_rest=self.settings.extra_rest_between_sets,
        )
        if notices:
            # Things the person must know first, e.g. that voice commands are off.
            notes = [Step(StepKind.SAY, Phase.INTRO, Place(-1), n) for n in notices]
            self.plan = number_steps(notes + self.plan)
        self.state = State.SPEAKING
        self.index = 0
        self.pace = self.settings.pace
        self.pain_start: int | None = None
        self.pain_end: int | None = None
        self.red_count = 0
        self.completed_sets = 0
        self.question: Question | None = None
        self._timers: list[_Timer] = []
        self._seq = 0
        self._utterance = 0
        self._speaking: int | None = None
        self._speech_queue: list[tuple[str, str]] = []
        self._after_speech: Callable[[float], list[Action]] | None = None
        self._last_sentence = ""
        self._countdown_end: float | None = None
        self._countdown_label: str | None = None
        self._now = 0.0
        self._beat_waiting = 0
        self._resume_to = 0
        self._stopped_at = -1e9
        self._end_reason = "completed"

    # ------------------------------------------------------------------ driving

    def start(self, t: float) -> list[Action]:
        self._now = t
        actions: list[Action] = [
            Log(
                "session_started",
                {
                    "script_id": self.script.id,
                    "title": self.script.title,
                    "position": self.script.position.value,
                    "planned_steps": planned_sets(self.plan),
                    "levels": dict(self.levels),
                },
            ),
            ListenFor("spot"),
            StateChanged(self.state.value),
        ]
        return actions + self._run_step(t)

    @property
    def finished(self) -> bool:
        return self.state is State.ENDED

    def next_deadline(self) -> float | None:
        return self._timers[0].at if self._timers else None

    def handle(self, event: Event) -> list[Action]:
        if self.state is State.ENDED:
            return []
        self._now = event.t
        before = self.state
        if isinstance(event, Tick):
            actions = self._on_tick(event.t)
        elif isinstance(event, SpeechFinished):
            actions = self._on_speech_finished(event)
        elif isinstance(event, Heard):
            word = event.word or self.vocabulary.understand(event.text)
            meaning = None if word is None else word.meaning
            if (
                meaning is Command.STOP
                and self.state is State.STOPPED
                and event.t - self._stopped_at < SAME_STOP_SECONDS
            ):
                # The same "stop" heard twice, or the player's own "Stopped." coming back:
                # only a second stop said after a pause ends the session.
                meaning = None
            actions = [] if meaning is None else self._on_meaning(meaning, event.t)
        elif isinstance(event, KeyPressed):
            meaning = self._key_meaning(event.key)
            actions = [] if meaning is None else self._on_meaning(meaning, event.t)
        else:  # pragma: no cover - Event is a closed union
            raise TypeError(event)
        if self.state is not before and not any(isinstance(a, StateChanged) for a in actions):
            actions.append(StateChanged(self.state.value))
        return actions

    # ------------------------------------------------------------------ time

    def _on_tick(self, t: float) -> list[Action]:
        actions: list[Action] = []
        while self._timers and self._timers[0].at <= t + EPSILON:
            timer = heapq.heappop(self._timers)
            # Run at the timer's own time so scheduling never drifts with late ticks.
            actions += timer.run(timer.at)
        return actions

    def _at(self, when: float, run: Callable[[float], list[Action]]) -> None:
        self._seq += 1
        heapq.heappush(self._timers, _Timer(when, self._seq, run))

    def _clear_timers(self) -> None:
        self._timers.clear()
        self._countdown_end = None
        self._countdown_label = None

    # ------------------------------------------------------------------ speech

    def _say(self, text: str, kind: str = "speech") -> Say:
        self._utterance += 1
        if kind == "speech":
            self._last_sentence = text
        return Say(self._utterance, text, kind)

    def _speak(self, texts: list[str], then: Callable[[float], list[Action]]) -> list[Action]:
        """Say sentences one after another, then call `then` after the sentence pause.
        The caller sets the state."""
        self._speech_queue = [(t, "speech") for t in texts if t]
        self._after_speech = then
        return self._next_sentence()

    def _next_sentence(self) -> list[Action]:
        if not self._speech_queue:
            then, self._after_speech = self._after_speech, None
            self._speaking = None
            if then is None:
                return []
            self._at(self._now + self.settings.sentence_pause, then)
            return []
        text, kind = self._speech_queue.pop(0)
        say = self._say(text, kind)
        self._speaking = say.utterance_id
        return [say]

    def _on_speech_finished(self, event: SpeechFinished) -> list[Action]:
        if event.utterance_id != self._speaking:
            return []  # a count word, or speech that was cut: nothing waits for it
        return self._next_sentence()

    def _cut(self) -> list[Action]:
        """Silence now and forget everything that was scheduled."""
        self._clear_timers()
        self._speech_queue = []
        self._after_speech = None
        self._speaking = None
        self._beat_waiting = 0
        return [StopSpeech()]

    # ------------------------------------------------------------------ steps

    @property
    def step(self) -> Step | None:
        return self.plan[self.index] if self.index < len(self.plan) else None

    def _advance(self, t: float) -> list[Action]:
        step = self.step
        actions: list[Action] = []
        if step is not None and step.ends_set:
            self.completed_sets += 1
            ex = self._exercise_at(step.place.exercise)
            actions.append(
                Log(
                    "step_completed",
                    {
                        "exercise": ex.name if ex else "",
                        "set": step.place.set,
                        "side": step.place.side,
                        "completed": self.completed_sets,
                    },
                )
            )
        self.index += 1
        return actions + self._run_step(t)

    def _run_step(self, t: float) -> list[Action]:
        step = self.step
        if step is None:
            return self._finish(t, self._end_reason)
        if step.kind is StepKind.SAY:
            self.state = State.SPEAKING
            return self._speak([step.text], self._advance)
        if step.kind is StepKind.BEAT:
            return self._start_beat(step, t)
        if step.kind is StepKind.HOLD:
            return self._start_hold(step, t)
        if step.kind is StepKind.REST:
            return self._start_rest(step, t)
        if step.kind is StepKind.WAIT_DONE:
            self.state = State.WAITING_FOR_DONE
            return [self._say(step.text), ListenFor("answer", (Answer.DONE.value,))]
        return self._ask_pain_score(step.text, t)

    def _start_beat(self, step: Step, t: float) -> list[Action]:
        """A rep's cue, spoken on a whole second; the next step waits for both the beat
        length (times the pace) and the end of the speech."""
        self.state = State.COUNTING
        start = math.ceil(t - EPSILON)
        self._beat_waiting = 2

        def spoken(at: float) -> list[Action]:
            say = self._say(step.text)
            self._speaking = say.utterance_id
            self._after_speech = done
            self._at(start + step.seconds * self.pace, done)
            return [say]

        def done(at: float) -> list[Action]:
            self._beat_waiting -= 1
            return self._advance(at) if self._beat_waiting == 0 else []

        if start <= t + EPSILON:
            return spoken(t)
        self._at(start, spoken)
        return []

    def _start_hold(self, step: Step, t: float) -> list[Action]:
        """ "hold" on a whole second, the counts on the whole seconds after it, "and relax"
        when the hold is over; every time is computed from the start, so nothing drifts."""
        self.state = State.HOLDING
        start = math.ceil(t - EPSILON)
        hold = round(step.seconds)
        beeps = self.settings.count_style == "beeps"

        def count(k: int) -> Callable[[float], list[Action]]:
            def run(at: float) -> list[Action]:
                return [Cue("beep")] if beeps else [self._say(count_word(k + 1), "count")]

            return run

        def begin(at: float) -> list[Action]:
            self._countdown_end, self._countdown_label = start + hold, "hold"
            return [self._say("Hold.", "count")]

        def relax(at: float) -> list[Action]:
            self._countdown_end = self._countdown_label = None
            say = self._say("And relax.")
            self._speaking = say.utterance_id
            self._after_speech = self._advance
            return [say]

        self._at(start, begin)
        for k in hold_count_seconds(hold):
            self._at(start + k, count(k))
        self._at(start + hold, relax)
        return self._on_tick(t)

    def _start_rest(self, step: Step, t: float) -> list[Action]:
        self.state = State.RESTING
        seconds = round(step.seconds)
        if seconds <= 0:
            return self._advance(t)
        end = t + seconds
        self._countdown_end, self._countdown_label = end, "rest"
        self._ten_seconds_before(end, seconds)

        def over(at: float) -> list[Action]:
            self._countdown_end = self._countdown_label = None
            return [Cue("rest over"), *self._advance(at)]

        self._at(end, over)
        return [self._say(f"Rest for {_seconds_phrase(seconds)}.")]

    def close(self, t: float) -> list[Action]:
        """The person closed the player (Ctrl-C, or the terminal was closed): the session
        ends now with nothing more said, and its record says so ("closed")."""
        if self.state is State.ENDED:
            return []
        return self._finish(t, CLOSED, say=False)

    def _finish(self, t: float, reason: str, words: str = "", *, say: bool = True) -> list[Action]:
        self._clear_timers()
        closing = words or (
            "That is the end of the session. Well done. "
            "Remember to move gently for the rest of the day."
        )
        self.state = State.ENDED
        return [
            *([self._say(closing)] if say else []),
            Log(
                "session_ended",
                {
                    "reason": reason,
                    "completed": self.completed_sets,
                    "planned": planned_sets(self.plan),
                    "pain_start": self.pain_start,
                    "pain_end": self.pain_end,
                },
            ),
            StateChanged(State.ENDED.value),
        ]

    # ------------------------------------------------------------------ questions

    def _ask(self, question: Question, t: float, before: list[str] | None = None) -> list[Action]:
        self.question = question
        self.state = State.ASKING
        words = [*(before or []), question.prompt]
        listen = ListenFor("answer", tuple(a.value for a in question.answers))

        def wait(at: float) -> list[Action]:
            self._at(at + self.settings.answer_timeout, self._no_answer)
            return []

        return [listen, *self._speak(words, wait)]

    def _no_answer(self, t: float) -> list[Action]:
        question = self.question
        if question is None:
            return []
        if question.asked < 2:
            question.asked += 1
            return self._speak([question.again], lambda at: self._wait_answer(at))
        return self._answered(None, t)

    def _wait_answer(self, t: float) -> list[Action]:
        self._at(t + self.settings.answer_timeout, self._no_answer)
        return []

    def _answered(self, answer: Answer | None, t: float) -> list[Action]:
        question, self.question = self.question, None
        actions: list[Action] = [StopSpeech()] if self._speaking is not None else []
        self._cut_quietly()
        actions.append(ListenFor("spot"))
        if question is not None:
            actions += question.on_answer(answer, t)
        return actions

    def _cut_quietly(self) -> None:
        self._clear_timers()
        self._speech_queue = []
        self._after_speech = None
        self._speaking = None

    def _ask_pain_score(
        self, moment: str, t: float, before: list[str] | None = None
    ) -> list[Action]:
        """The pain score at the start or end of a session (skippable)."""

        def answered(answer: Answer | None, at: float) -> list[Action]:
            score = _score(answer)
            logs: list[Action] = []
            if score is not None:
                if moment == "start":
                    self.pain_start = score
                else:
                    self.pain_end = score
                logs.append(
                    Log(
                        "pain_score",
                        {
                            "moment": moment,
                            "score": score,
                            "zone": self.settings.pain_zones.zone(score),
                        },
                    )
                )
            if moment == "end":
                words = "Thank you." if score is not None else "All right."
                if self._pain_rose_too_much(score):
                    words = f"Thank you. {END_FOR_PAIN}"
                return logs + self._finish_with(at, self._end_reason, words)
            reply = "Thank you." if score is not None else "That's fine."
            self.state = State.SPEAKING
            return logs + self._speak([reply], self._advance)

        if moment == "start":
            prompt = "How is your pain right now, from zero to ten? Or say skip."
        else:
            prompt = "How is your pain now, from zero to ten? Or say skip."
        return self._ask(
            Question(
                f"pain_{moment}",
                prompt,
                "Say a number from zero to ten, or skip.",
                SCORE_ANSWERS,
                answered,
            ),
            t,
            before=before,
        )

    def _finish_with(self, t: float, reason: str, words: str) -> list[Action]:
        closing = (
            f"{words} That is the end of the session. Well done for today. "
            "Remember, voicecoach is not medical advice."
        )
        return self._finish(t, reason, closing)

    def _pain_rose_too_much(self, score: int | None) -> bool:
        return score is not None and self.pain_start is not None and score >= self.pain_start + 3

    # ------------------------------------------------------------------ pain flow

    def _pain(self, t: float) -> list[Action]:
        actions = self._cut()
        resume_index = self._resume_index()
        exercise_index = self._current_exercise_index()

        def answered(answer: Answer | None, at: float) -> list[Action]:
            score = _score(answer)
            zone = "red" if score is None else self.settings.pain_zones.zone(score)
            logs: list[Action] = [
                Log(
                    "pain_score",
                    {
                        "moment": "during",
                        "score": score,
                        "zone": zone,
                        "exercise": self._exercise_name(exercise_index),
                    },
                )
            ]
            if zone == "red":
                self.red_count += 1
            self.pain_end = score if score is not None else self.pain_end
            if self.red_count >= 2 or self._pain_rose_too_much(score):
                return logs + self._finish(at, "pain", END_FOR_PAIN + " Well done for stopping.")
            if zone == "green":
                return logs + self._offer_easier(at, resume_index, exercise_index)
            if zone == "amber":
                return logs + self._amber(at, resume_index, exercise_index)
            return logs + self._red(at, resume_index, exercise_index, no_answer=score is None)

        question = Question("pain_now", PAIN_QUESTION, PAIN_ASK_AGAIN, SCORE_ANSWERS, answered)
        return [
            *actions,
            Log("command_heard", {"command": "pain", "state": self.state.value}),
            *self._ask(question, t, before=[PAIN_FIRST_WORDS]),
        ]

    def _offer_easier(
        self, t: float, resume_index: int, exercise_index: int | None
    ) -> list[Action]:
        if exercise_index is None:
            self.state = State.SPEAKING
            return self._speak(
                ["Thank you. Carry on gently, only if it feels all right."],
                lambda at: self._resume(at, resume_index),
            )

        def answered(answer: Answer | None, at: float) -> list[Action]:
            if answer is Answer.YES:
                return self._change_level(at, -1, exercise_index, resume_index)
            if answer is None:
                return self._pause(
                    at, "No problem. We are paused. Say continue when you are ready.", resume_index
                )
            self.state = State.SPEAKING
            return self._speak(
                ["All right. Carry on gently."], lambda a: self._resume(a, resume_index)
            )

        return self._ask(
            Question(
                "easier_offer",
                "Would you like the easier version? Say yes or no.",
                "Would you like the easier version? Yes or no.",
                tuple(YES_NO_ANSWERS),
                answered,
            ),
            t,
            before=["Thank you. It is fine to carry on gently, only if it feels all right."],
        )

    def _amber(self, t: float, resume_index: int, exercise_index: int | None) -> list[Action]:
        if exercise_index is None:
            return self._pause(
                t, "Thank you. Let's take it gently. Say continue when you are ready.", resume_index
            )
        return self._change_level(
            t, -1, exercise_index, resume_index, lead="Thank you. Let's make this exercise easier."
        )

    def _red(
        self, t: float, resume_index: int, exercise_index: int | None, no_answer: bool
    ) -> list[Action]:
        lead = (
            "I did not hear a number, so let's be careful."
            if no_answer
            else "Thank you for telling me."
        )
        # Outside an exercise (introduction, ending) there is nothing to stop: carry on from
        # where we were, never back to the first exercise.
        next_index = (
            resume_index if exercise_index is None else self._next_exercise_start(exercise_index)
        )
        actions: list[Action] = []
        if exercise_index is not None:
            actions.append(
                Log(
                    "exercise_stopped",
                    {
                        "exercise": self._exercise_name(exercise_index),
                        "reason": "pain",
                        "sets_skipped": sum(
                            1 for s in self.plan[self.index : next_index] if s.ends_set
                        ),
                    },
                )
            )

        def answered(answer: Answer | None, at: float) -> list[Action]:
            if answer is Answer.YES:
                self.index = next_index
                self.state = State.SPEAKING
                words = (
                    "All right. Moving on, gently."
                    if exercise_index is not None
                    else "All right. Carrying on, gently."
                )
                return self._speak([words], self._run_from_index)
            if answer is Answer.NO:
                return self._finish(at, "pain", END_FOR_PAIN + " Well done for today.")
            return self._pause(
                at,
                "We are paused. Say continue when you want to move on, or stop to finish.",
                next_index,
            )

        if exercise_index is None:
            prompt = "Would you like to carry on with the session? Say yes or no."
            again = "Shall we carry on with the session? Yes or no."
            before = [lead, "Stay comfortable and breathe."]
        else:
            prompt = "Would you like to move on to the next exercise? Say yes or no."
            again = "Shall we move on to the next exercise? Yes or no."
            before = [lead, "We will stop this exercise here. Stay comfortable and breathe."]
        return actions + self._ask(
            Question(
                "move_on", prompt, again, tuple(YES_NO_ANSWERS), answered, resume_at=next_index
            ),
            t,
            before=before,
        )

    # ------------------------------------------------------------------ commands

    def _key_meaning(self, key: str) -> Meaning | None:
        if key == PAUSE_TOGGLE_KEY:
            paused = self.state in {State.PAUSED, State.STOPPED, State.WAITING_FOR_READY}
            return Command.CONTINUE if paused else Command.PAUSE
        return KEYS.get(key.lower() if key.strip() else key)

    def _on_meaning(self, meaning: Meaning, t: float) -> list[Action]:
        if meaning is Command.PAIN:
            return self._pain(t)
        if meaning is Command.STOP:
            return self._stop(t)
        question = self.question
        if question is not None and isinstance(meaning, Answer) and meaning in question.answers:
            return [Log("command_heard", {"answer": meaning.value}), *self._answered(meaning, t)]
        if (
            question is not None
            and meaning is Command.SKIP
            and question.kind in ("pain_start", "pain_end")
        ):
            return self._answered(None, t)
        if question is not None and meaning is Command.SKIP and question.kind in _SKIP_MEANS:
            # "next" (or the n key) at "move on to the next exercise?" means yes; at the
            # easier offer it means "no thanks, carry on".
            return self._answered(_SKIP_MEANS[question.kind], t)
        if isinstance(meaning, Answer):
            return self._on_answer_word(meaning, t)
        if question is not None and question.kind == "pain_now" and meaning not in _ASIDES:
            # Nothing else moves the session on until we know how bad the pain is.
            return self._aside(t, ["First, let's check your pain."])
        log: list[Action] = [
            Log("command_heard", {"command": meaning.value, "state": self.state.value})
        ]
        handler = _COMMAND_HANDLERS.get(meaning)
        return log + (handler(self, t) if handler else [])

    def _on_answer_word(self, answer: Answer, t: float) -> list[Action]:
        """An answer word with no question that wants it: "done"/"ready" moves on."""
        if answer is Answer.DONE:
            if self.state is State.WAITING_FOR_DONE:
                return [Log("command_heard", {"answer": "done"}), *self._advance(t)]
            if self.state in _WAITING:
                return self._continue(t)
        return []

    def _stop(self, t: float) -> list[Action]:
        log: Action = Log("command_heard", {"command": "stop", "state": self.state.value})
        if self.state is State.STOPPED:
            self._cut()
            return [
                StopSpeech(),
                log,
                Log("ending_early", {"reason": "stopped"}),
                *self._end_early(t),
            ]
        resume_index = self._resume_index()
        actions = [*self._cut(), log]
        self._stopped_at = t
        self.question = None
        self.state = State.STOPPED
        self._resume_to = resume_index
        return [
            *actions,
            ListenFor("spot"),
            StateChanged(State.STOPPED.value),
            *self._speak(
                ["Stopped. Say continue to carry on, or stop again to finish."], lambda at: []
            ),
        ]

    def _end_early(self, t: float) -> list[Action]:
        """Straight to the end-of-session pain check, then the goodbye."""
        self.index = next(
            (
                i
                for i, s in enumerate(self.plan)
                if s.phase is Phase.ENDING and s.kind is StepKind.ASK_PAIN
            ),
            len(self.plan),
        )
        self._end_reason = "stopped"
        if self.index >= len(self.plan):
            return self._finish(
                t, "stopped", "We'll finish here. Well done for what you did today."
            )
        # The question is open while the first sentence is said, so an early answer counts.
        return self._ask_pain_score(
            "end", t, before=["We'll finish here. Well done for what you did today."]
        )

    def _pause(
        self,
        t: float,
        words: str = "Paused. Say continue when you are ready.",
        resume_index: int | None = None,
    ) -> list[Action]:
        resume = self._resume_index() if resume_index is None else resume_index
        actions = self._cut()
        self.question = None
        self.state = State.PAUSED
        self._resume_to = resume
        return [
            *actions,
            ListenFor("spot"),
            StateChanged(State.PAUSED.value),
            *self._speak([words], lambda at: []),
        ]

    def _continue(self, t: float) -> list[Action]:
        if self.state in {
            State.PAUSED,
            State.STOPPED,
            State.WAITING_FOR_READY,
            State.TAKING_A_REST,
        }:
            resume = self._resume_to
            actions = self._cut()
            self.state = State.SPEAKING
            return actions + self._speak(["Carrying on."], lambda at: self._resume(at, resume))
        if self.state is State.WAITING_FOR_DONE:
            return self._advance(t)
        return []

    def _resume(self, t: float, index: int) -> list[Action]:
        self.index = min(index, len(self.plan))
        return self._run_step(t)

    def _run_from_index(self, t: float) -> list[Action]:
        return self._run_step(t)

    def _resume_index(self) -> int:
        if self.state in {
            State.PAUSED,
            State.STOPPED,
            State.WAITING_FOR_READY,
            State.TAKING_A_REST,
        }:
            return self._resume_to
        if self.question is not None and self.question.resume_at is not None:
            return self.question.resume_at
        step = self.step
        return step.resume_at if step is not None else self.index

    def _aside(self, t: float, words: list[str]) -> list[Action]:
        """Cut, say something short, then pick up the current rep (or question) again."""
        if self.state in {State.PAUSED, State.STOPPED, State.WAITING_FOR_READY}:
            resume_to = self._resume_index()
            actions = self._cut()
            state = self.state
            result = actions + self._speak(words, lambda at: [])
            self.state = state
            self._resume_to = resume_to
            return result
        if self.state is State.TAKING_A_REST:
            return [self._say(" ".join(words))]
        question = self.question
        if question is not None:
            actions = self._cut()
            return actions + self._speak([*words, question.prompt], self._wait_answer)
        resume = self._resume_index()
        actions = self._cut()
        self.state = State.SPEAKING
        return actions + self._speak(words, lambda at: self._resume(at, resume))

    def _repeat(self, t: float) -> list[Action]:
        step = self.step
        if self.question is not None:
            return self._aside(t, [])  # the question is said again
        if self.state in _ACTIVE and step is not None and step.phase in (Phase.REP, Phase.REST):
            ex = self._played_exercise(step.place.exercise)
            if ex is not None:
                return self._aside(t, [ex.setup])
        if self.state is State.SPEAKING and step is not None and step.kind is StepKind.SAY:
            return self._aside(t, [])  # the sentence (an exercise's set-up from its title)
        return self._aside(t, [self._last_sentence or "Let's carry on."])

    def _skip(self, t: float) -> list[Action]:
        step = self.step
        if self.state is State.RESTING or self.state is State.TAKING_A_REST:
            actions = self._cut()
            if self.state is State.TAKING_A_REST:
                return actions + self._ready(t)
            return actions + self._advance(t)
        if step is None:
            return []
        if step.phase is Phase.INTRO:
            # The "not medical advice" line is never skipped; the rest of the intro is.
            target = next(
                (
                    i
                    for i, s in enumerate(self.plan)
                    # The line itself while it is being said: say it again, whole.
                    if (i > self.index or (i == self.index and s.text == NOT_MEDICAL_ADVICE))
                    and (
                        s.text == NOT_MEDICAL_ADVICE
                        or s.phase is not Phase.INTRO
                        or s.kind is StepKind.ASK_PAIN
                    )
                ),
                len(self.plan),
            )
            words = "Skipping the introduction."
        else:
            target = self._next_exercise_start(step.place.exercise)
            words = "Skipping to the next exercise." if target < len(self.plan) else "Skipping."
        actions = self._cut()
        self.question = None
        self.index = target
        self.state = State.SPEAKING
        return actions + self._speak([words], self._run_from_index)

    def _next_exercise_start(self, exercise_index: int | None) -> int:
        current = -1 if exercise_index is None else exercise_index
        return next(
            (i for i, s in enumerate(self.plan) if s.place.exercise > current), len(self.plan)
        )

    def _take_rest(self, t: float) -> list[Action]:
        if self.state is State.TAKING_A_REST:
            return self._more_rest(t)
        resume = self._resume_index()
        actions = self._cut()
        self.question = None
        self._resume_to = resume
        self.state = State.TAKING_A_REST
        seconds = self.settings.rest_seconds
        end = t + seconds
        self._countdown_end, self._countdown_label = end, "rest"
        self._ten_seconds_before(end, seconds)
        self._at(end, self._ready)
        return [
            *actions,
            StateChanged(State.TAKING_A_REST.value),
            self._say(
                f"Let's rest for {_seconds_phrase(seconds)}. Say more rest if you need longer."
            ),
        ]

    def _more_rest(self, t: float) -> list[Action]:
        if self.state is not State.TAKING_A_REST:
            return self._take_rest(t)
        end = (self._countdown_end or t) + self.settings.more_rest_seconds
        self._clear_timers()
        self._countdown_end, self._countdown_label = end, "rest"
        self._ten_seconds_before(end, end - t)
        self._at(end, self._ready)
        return [
            StopSpeech(),
            self._say(f"Another {_seconds_phrase(self.settings.more_rest_seconds)}."),
        ]

    def _ten_seconds_before(self, end: float, seconds: float) -> None:
        """A rest longer than 20 s says "Ten seconds." ten seconds before it ends, so a
        person with their eyes closed knows the rest is nearly over."""
        if seconds > 20:
            self._at(end - 10, lambda at: [self._say("Ten seconds.", "count")])

    def _ready(self, t: float) -> list[Action]:
        self._clear_timers()
        self.state = State.WAITING_FOR_READY
        return [
            Cue("rest over"),
            StateChanged(State.WAITING_FOR_READY.value),
            self._say("Ready when you are. Say continue to carry on."),
        ]

    def _change_level(
        self,
        t: float,
        direction: int,
        exercise_index: int | None = None,
        resume_index: int | None = None,
        lead: str = "",
    ) -> list[Action]:
        index = self._current_exercise_index() if exercise_index is None else exercise_index
        if index is None:
            return self._aside(t, ["We can change that once an exercise has started."])
        base = self.script.all_exercises[index]
        lowest, highest = level_range(base)
        old = self.levels.get(base.name, 0)
        new = 0 if direction == 0 else max(lowest, min(highest, old + direction))
        if new == old:
            edge = (
                "This is already the easiest version."
                if direction < 0
                else "This is already the hardest version."
                if direction > 0
                else "This is already the usual version."
            )
            return self._aside(t, [lead, edge] if lead else [edge])
        self.levels[base.name] = new
        adapted = adapt(base, new)
        if direction == 0:
            sentence = "Back to the usual version."
        else:
            word = "easier" if new < old else "harder"
            sentence = (
                adapted.sentence
                if adapted.sentence and abs(new) > abs(old)
                else f"Making it a little {word}."
            )
        words = [w for w in (lead, sentence) if w]
        # The rep the session goes back to (not the step it was cut at: after red pain
        # that is in the exercise stopped for pain).
        current_index = self._resume_index() if resume_index is None else resume_index
        current = self.plan[current_index] if current_index < len(self.plan) else None
        self._replan_exercise(index, adapted.exercise, current)
        resumes_with_setup = (
            self.index < len(self.plan) and self.plan[self.index].phase is Phase.SETUP
        )
        if adapted.exercise.setup != base.setup and abs(new) > abs(old) and not resumes_with_setup:
            words.append(adapted.exercise.setup)
        log = Log(
            "level_change",
            {
                "exercise": base.name,
                "level": new,
                "from": old,
                "direction": "easier" if new < old else "harder",
            },
        )
        resume = self.index
        if self.state in _WAITING:
            # Announced, and the pause or rest goes on; "continue" resumes at the new level.
            self._resume_to = resume
            if self.state is State.TAKING_A_REST:
                return [log, self._say(" ".join(words))]
            state = self.state
            actions = self._cut()
            result = [*actions, log, *self._speak(words, lambda at: [])]
            self.state = state
            return result
        actions = self._cut()
        self.question = None
        self.state = State.SPEAKING
        return [*actions, log, *self._speak(words, lambda at: self._resume(at, resume))]

    def _replan_exercise(self, index: int, exercise: Exercise, current: Step | None) -> None:
        """Swap in the exercise's steps at its new level and point at the same rep."""
        start = next(i for i, s in enumerate(self.plan) if s.place.exercise == index)
        end = self._next_exercise_start(index)
        main_count = len(self.script.exercises)
        new_steps = exercise_steps(
            exercise,
            index,
            main_count,
            cool_down=index >= main_count,
            extra_rest=self.settings.extra_rest_between_sets,
        )
        self.plan = number_steps(self.plan[:start] + new_steps + self.plan[end:])
        if current is None or current.phase is Phase.SETUP or current.place.set == 0:
            self.index = start
            return
        key = current.place.order()
        offset = next(
            (
                i
                for i, s in enumerate(new_steps)
                if s.place.order() >= key and s.phase is not Phase.SETUP
            ),
            len(new_steps),
        )
        self.index = (
            self.plan[start + offset].resume_at
            if start + offset < len(self.plan)
            else start + offset
        )

    def _help(self, t: float) -> list[Action]:
        if self.question is not None and self.question.kind.startswith("pain"):
            words = ["Say a number from zero to ten. Zero is no pain, ten is the worst."]
        elif self.question is not None:
            words = ["Say yes or no."]
        elif self.state is State.WAITING_FOR_DONE:
            words = ["Say done when you have finished, or pause, easier, or pain."]
        elif self.state in {State.PAUSED, State.STOPPED, State.WAITING_FOR_READY}:
            words = ["Say continue to carry on, or stop to finish."]
        else:
            words = ["You can say: " + ", ".join(self.vocabulary.advertised()) + "."]
        return self._aside(t, words)

    def _how_many_left(self, t: float) -> list[Action]:
        step = self.step
        if step is None or step.place.exercise < 0:
            return self._aside(
                t, [f"There are {len(self.script.all_exercises)} exercises in this session."]
            )
        index = step.place.exercise
        total = len(self.script.all_exercises)
        if index >= total:
            return self._aside(t, ["All the exercises are done. We are nearly finished."])
        left = total - index - 1
        parts = []
        ex = self._played_exercise(index)
        if ex is not None and step.place.set:
            parts.append(f"This is set {step.place.set} of {ex.sets}.")
            # A self-paced set is counted by the person, not by us.
            if step.place.rep and ex.pace is Pace.COUNTED:
                left_in_set = _plural(ex.reps - step.place.rep, "rep")
                parts.append(f"{left_in_set.capitalize()} left in this set.")
        else:
            parts.append(f"This is exercise {index + 1} of {total}.")
        parts.append(
            "This is the last exercise." if left == 0 else f"Then {_plural(left, 'more exercise')}."
        )
        return self._aside(t, parts)

    def _slower(self, t: float) -> list[Action]:
        self.pace = min(3.0, self.pace * 1.25)
        return [
            Log("level_change", {"pace": round(self.pace, 2)}),
            *self._aside(t, ["A little slower."]),
        ]

    def _faster(self, t: float) -> list[Action]:
        self.pace = max(0.5, self.pace / 1.25)
        return [
            Log("level_change", {"pace": round(self.pace, 2)}),
            *self._aside(t, ["A little quicker."]),
        ]

    # ------------------------------------------------------------------ status

    def _current_exercise_index(self) -> int | None:
        step = self.plan[self._resume_index()] if self._resume_index() < len(self.plan) else None
        if (
            step is None
            or step.place.exercise < 0
            or step.place.exercise >= len(self.script.all_exercises)
        ):
            return None
        return step.place.exercise

    def _exercise_at(self, index: int) -> Exercise | None:
        exercises = self.script.all_exercises
        return exercises[index] if 0 <= index < len(exercises) else None

    def _exercise_name(self, index: int | None) -> str | None:
        ex = self._exercise_at(index) if index is not None else None
        return ex.name if ex else None

    def _played_exercise(self, index: int) -> Exercise | None:
        base = self._exercise_at(index)
        return adapt(base, self.levels.get(base.name, 0)).exercise if base else None

    def status(self) -> Status:
        step = self.step
        index = step.place.exercise if step else len(self.script.all_exercises)
        ex = self._played_exercise(index)
        countdown = None
        if self._countdown_end is not None:
            countdown = max(0, math.ceil(self._countdown_end - self._now - EPSILON))
        if self.question is not None:
            can_say = (
                *tuple(
                    ["zero to ten", "skip"]
                    if self.question.kind.startswith("pain")
                    else ["yes", "no"]
                ),
                "stop",
                "pain",
            )
        elif self.state is State.ENDED:
            can_say = ()
        elif self.state in {State.PAUSED, State.STOPPED, State.WAITING_FOR_READY}:
            can_say = ("continue", "stop", "pain", "help")
        elif self.state is State.WAITING_FOR_DONE:
            can_say = ("done", "pause", "easier", "pain", "stop")
        else:
            can_say = (
                "pause",
                "stop",
                "pain",
                "easier",
                "harder",
                "rest",
                "repeat",
                "skip",
                "help",
            )
        return Status(
            state=self.state.value,
            script_title=self.script.title,
            exercise=ex.name if ex else None,
            exercise_number=index + 1 if ex else 0,
            exercise_count=len(self.script.all_exercises),
            side=step.place.side if step else None,
            set_number=step.place.set if step else 0,
            set_count=ex.sets if ex else 0,
            rep_number=step.place.rep if step else 0,
            rep_count=ex.reps if ex else 0,
            countdown=countdown,
            countdown_label=self._countdown_label if countdown is not None else None,
            can_say=can_say,
            level=self.levels.get(ex.name, 0) if ex else 0,
            last_said=self._last_sentence,
        )


def _clamped_levels(script: Script, levels: dict[str, int]) -> dict[str, int]:
    """Remembered levels within what each exercise can take now (a script may have been
    edited since): otherwise "harder" at a level below the easiest would change nothing."""
    out = dict(levels)
    for ex in script.all_exercises:
        if ex.name in out:
            lowest, highest = level_range(ex)
            out[ex.name] = max(lowest, min(highest, out[ex.name]))
    return out


def _score(answer: Answer | None) -> int | None:
    return int(answer.value) if answer is not None and answer.value.isdigit() else None


def _seconds_phrase(seconds: int) -> str:
    if seconds % 60 == 0 and seconds >= 60:
        minutes = seconds // 60
        return "a minute" if minutes == 1 else f"{count_word(minutes)} minutes"
    return f"{count_word(seconds)} seconds"


def _plural(n: int, noun: str) -> str:
    return f"{count_word(n)} {noun}" + ("" if n == 1 else "s")


# Commands that may interrupt a pain question without moving the session on.
_ASIDES = {Command.HELP, Command.REPEAT, Command.LOUDER, Command.QUIETER}

_SKIP_MEANS = {"move_on": Answer.YES, "easier_offer": Answer.NO}

_COMMAND_HANDLERS: dict[Meaning, Callable[[SessionEngine, float], list[Action]]] = {
    Command.PAUSE: lambda e, t: e._pause(t) if e.state is not State.PAUSED else [],
    Command.CONTINUE: SessionEngine._continue,
    Command.REPEAT: SessionEngine._repeat,
    Command.SKIP: SessionEngine._skip,
    Command.EASIER: lambda e, t: e._change_level(t, -1),
    Command.HARDER: lambda e, t: e._change_level(t, +1),
    Command.BACK_TO_NORMAL: lambda e, t: e._change_level(t, 0),
    Command.SLOWER: SessionEngine._slower,
    Command.FASTER: SessionEngine._faster,
    Command.REST: SessionEngine._take_rest,
    Command.MORE_REST: SessionEngine._more_rest,
    Command.HELP: SessionEngine._help,
    Command.HOW_MANY_LEFT: SessionEngine._how_many_left,
    Command.LOUDER: lambda e, t: [SetVolume(+1)],
    Command.QUIETER: lambda e, t: [SetVolume(-1)],
}
