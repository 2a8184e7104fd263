"""The session engine: a pure state machine. No threads, no clock, no audio.

Events in (Tick, Heard, KeyPressed, SpeechFinished, each stamped with the time `t` of the
injected clock), actions out (Say, StopSpeech, Cue, ListenFor, StateChanged, Log, SetVolume).
`next_deadline()` tells a driver when the engine next wants a Tick, so a virtual clock can
jump straight there and a 60-minute session runs in milliseconds.

States and their transitions (any state -> PAUSED on "pause", -> STOPPED on "stop",
-> ASKING on "pain", -> the pain dialogue on "tingling"; ENDED is final):

    SPEAKING --speech finished--> next step: SPEAKING | COUNTING | HOLDING | RESTING
                                  | WAITING_FOR_DONE | ASKING | ENDED
    COUNTING (a rep's beats) --beat over--> next step
    HOLDING  --"hold" ... whole-second counts ... "and relax"--> next step
    RESTING  --countdown over / "skip"--> next step
    WAITING_FOR_DONE --"done"/"continue"--> next step
    ASKING   --answer--> depends on the question (pain: the pain dialogue, pain.py);
             a score is said back first, and "no", "wrong" or another number right
             after replaces it
             --no answer in answer_timeout--> ask once more, then the question's default
    RESTING_AFTER_PAIN (red pain: a guided rest, counted down)
             --time over / "ready" / "pain"--> ASKING the score again
    PAUSED   --"continue"--> the interrupted rep/rest/sentence, from its start
    STOPPED  --"continue"--> as PAUSED; --"stop" again--> ending (pain check) -> ENDED
    TAKING_A_REST --time over--> WAITING_FOR_READY --"continue"--> resume; "more rest" adds time
    ENDED    --"stop"/"pain"--> the closing words are cut; nothing else

What a heard word or key does is decided by one handler per state (`_IN_STATE`), after
"stop", "pain" and "tingling", which act the same in every state. "help" and "safety"
pause first when a movement is under way, then say what can be said and the red flags.
"how many left", "repeat", "easier", "harder", "back to normal" cut speech, say their
short answer, then resume the current rep from its start (while on hold they are answered
and the hold goes on). While a pain score is asked for (QuestionKind.PAIN_NOW, PAIN_AGAIN)
only the score, stop, pain, help, repeat, safety, louder and quieter count. After red
pain, anything that resumes goes on at the next exercise, never the painful one.

The parts, each building on the one before: timeline.py (timers, sentences), steps.py
(walking the plan), asking.py (questions, start and end scores), commands.py,
level_change.py (easier/harder), pain.py (the pain dialogue), and this module (dispatch).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from voicecoach.session.events import (
    Action,
    Event,
    Heard,
    KeyPressed,
    ListenFor,
    ListenRole,
    Log,
    Say,
    SetVolume,
    SpeechFinished,
    StateChanged,
    Status,
    StopSpeech,
    Tick,
)
from voicecoach.session.level_change import LevelChanges
from voicecoach.session.pain import PainDialogue
from voicecoach.session.plan import planned_sets
from voicecoach.session.safety_words import (
    END_FOR_PAIN,
    FIRST_CHECK_PAIN,
    PAIN_ASK_AGAIN,
    PAIN_FIRST_WORDS,
    PAIN_QUESTION,
    TINGLING_ADVICE,
)
from voicecoach.session.states import (
    AWAITING_CONTINUE,
    MOVING,
    ON_HOLD,
    Question,
    QuestionKind,
    State,
)
from voicecoach.session.steps import CLOSED, hold_count_seconds
from voicecoach.session.timeline import EPSILON
from voicecoach.session.vocabulary import (
    KEYS,
    PAUSE_TOGGLE_KEY,
    SAFETY_COMMANDS,
    Answer,
    Command,
    Meaning,
)

__all__ = [
    "CLOSED",
    "END_FOR_PAIN",
    "PAIN_ASK_AGAIN",
    "PAIN_FIRST_WORDS",
    "PAIN_QUESTION",
    "SAME_STOP_SECONDS",
    "Question",
    "QuestionKind",
    "SessionEngine",
    "State",
    "hold_count_seconds",
]

SAME_STOP_SECONDS = 2.5
"""A spoken "stop" this soon after the one that stopped the session is the same one."""

Handler = Callable[["SessionEngine", Meaning, float], list[Action]]


class SessionEngine(LevelChanges):
    """Plays one session of a script. Feed events to `handle`; carry out the actions."""

    pain: PainDialogue | None = None
    """The pain dialogue of the last "pain", if any."""

    _stop_words: int | None = None
    """The utterance that says "Stopped." (heard back, it is not a new stop)."""

    _pain_on_hold: PainDialogue | None = None
    """A pain dialogue "stop" came in before its score was given (or asked again after the
    rest): "continue" (or ready, skip) comes back to its question, never to an exercise."""

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
            ListenFor(ListenRole.SPOT),
            StateChanged(self.state.value),
        ]
        return actions + self._run_step(t)

    def handle(self, event: Event) -> list[Action]:
        if self.state is State.ENDED and not isinstance(event, (Heard, KeyPressed)):
            return []
        self._now = event.t
        before = self.state
        if isinstance(event, Tick):
            actions = self._on_tick(event.t)
        elif isinstance(event, SpeechFinished):
            actions = self._on_speech_finished(event)
        elif isinstance(event, Heard):
            actions = []
            word = event.word or self.vocabulary.understand(event.text)
            meaning = None if word is None else word.meaning
            if (
                meaning is Command.STOP
                and self.state is State.STOPPED
                and event.t - self._stopped_at < SAME_STOP_SECONDS
            ):
                # The same "stop" heard twice, or the player's own "Stopped." coming back:
                # only a second stop said after a pause ends the session. Other words
                # said since (help, an answer) are cut all the same.
                meaning = None
                if self._speaking is not None and self._speaking != self._stop_words:
                    actions = self._cut()
            if meaning is not None:
                actions = self._on_meaning(meaning, event.t)
        elif isinstance(event, KeyPressed):
            meaning = self._key_meaning(event.key)
            actions = [] if meaning is None else self._on_meaning(meaning, event.t)
        else:  # pragma: no cover - Event is a closed union
            raise TypeError(event)
        if self.state is not before and not any(isinstance(a, StateChanged) for a in actions):
            actions.append(StateChanged(self.state.value))
        return actions

    def _key_meaning(self, key: str) -> Meaning | None:
        if key == PAUSE_TOGGLE_KEY:
            return Command.CONTINUE if self.state in AWAITING_CONTINUE else Command.PAUSE
        return KEYS.get(key.lower() if key.strip() else key)

    # ------------------------------------------------------------------ one handler per state

    def _on_meaning(self, meaning: Meaning, t: float) -> list[Action]:
        if self.state is State.ENDED:
            return self._while_ended(meaning, t)
        question = self.question
        if question is not None and question.heard is not None:
            # A score was just said back: "no", "wrong" or another number replace it;
            # anything else lets it stand, and then acts.
            if self._corrects(meaning):
                assert isinstance(meaning, Answer)
                return self._correct(meaning, t)
            if meaning in (Command.LOUDER, Command.QUIETER):
                return self._command(meaning, t)  # the moment for "no" goes on
            stands = self._score_stands(t)
            if self.finished:
                # The score ended the session: its closing words carry the advice (rest,
                # when to contact the GP), so they are said; a second stop or pain cuts them.
                return stands
            if meaning in _CUTS:
                # It stands, but its reply is not said: the word acts at once.
                stands = self._unsaid(stands)
            return stands + self._on_meaning(meaning, t)
        # Safety first: "pain", "stop" and "tingling" act the same in every state.
        if meaning is Command.PAIN:
            if self.state is State.RESTING_AFTER_PAIN and self.pain is not None:
                return self.pain.rest_over(t)  # ask the score again now
            owed = self._pain_owed()
            if owed is not None and owed.after_red:
                # Red pain is being followed up: its question again, so the first score
                # (8-10 ends the session) still counts.
                self._pain_on_hold = None
                return [*self._cut(), *owed.ask_after_stop(t)]
            return self._pain(t)
        if meaning is Command.STOP:
            owed = self._pain_owed()
            actions = self._stop(t)
            self._pain_on_hold = owed if self.state is State.STOPPED else None
            self._stop_words = self._speaking  # "Stopped. Say continue ..."
            return actions
        if meaning is Command.TINGLING:
            if self.state is State.RESTING_AFTER_PAIN:
                # The exercise has stopped already: the advice, and the rest goes on.
                log = Log("symptom", {"kind": "tingling", "exercise": None})
                self._speech_queue, self._after_speech = [], None  # the count-down goes on
                return [StopSpeech(), log, *self._aside(t, [TINGLING_ADVICE])]
            owed = self._pain_owed()
            if owed is None and self.question and self.question.kind is QuestionKind.MOVE_ON:
                owed = self.pain  # stopped already, and another exercise is being offered
            if owed is not None:
                # The exercise has stopped for pain not yet scored (or has stopped, and the
                # next is offered): the advice, then the question still waiting.
                name = self._exercise_name(owed.exercise_index)
                log = Log("symptom", {"kind": "tingling", "exercise": name})
                aside = self._aside(t, [TINGLING_ADVICE])
                cut = [] if any(isinstance(a, StopSpeech) for a in aside) else [StopSpeech()]
                return [*cut, log, *aside]
            self.pain, self._pain_on_hold = PainDialogue(self), None
            return self.pain.tingling(t)
        return _IN_STATE[self.state](self, meaning, t)

    def _unsaid(self, actions: list[Action]) -> list[Action]:
        """`actions` without their speech, as if each sentence had been said at once."""
        out: list[Action] = []
        pending = list(actions)
        while pending:
            action = pending.pop(0)
            if isinstance(action, Say):
                if action.utterance_id == self._speaking:
                    pending += self._on_speech_finished(
                        SpeechFinished(self._now, action.utterance_id)
                    )
            elif not isinstance(action, StopSpeech):
                out.append(action)
        return out

    def _while_moving(self, meaning: Meaning, t: float) -> list[Action]:
        """SPEAKING, COUNTING, HOLDING, RESTING: an answer word means nothing here, but
        "done" while a self-paced set is counted ends that set."""
        if meaning is Answer.DONE and self.state is State.COUNTING:
            return self._end_self_paced_set(t)
        return [] if isinstance(meaning, Answer) else self._command(meaning, t)

    def _while_waiting_for_done(self, meaning: Meaning, t: float) -> list[Action]:
        if meaning is Answer.DONE:
            return [Log("command_heard", {"answer": "done"}), *self._advance(t)]
        return [] if isinstance(meaning, Answer) else self._command(meaning, t)

    def _while_on_hold(self, meaning: Meaning, t: float) -> list[Action]:
        """PAUSED, STOPPED, WAITING_FOR_READY, TAKING_A_REST: "done"/"ready" carries on."""
        owed = self._pain_on_hold
        if owed is not None and meaning in (Answer.DONE, Command.CONTINUE, Command.SKIP):
            # Stopped before the pain was scored: its question first, then the session.
            self._pain_on_hold = None
            log = Log("command_heard", {"command": meaning.value, "state": self.state.value})
            return [log, *self._cut(), *owed.ask_after_stop(t)]
        if meaning is Answer.DONE:
            return self._continue(t)
        if meaning is Command.SKIP and self._kept_place_is_past_this_exercise():
            # The exercise was left already (red pain, tingling): "next" goes on to the
            # exercise offered, never to the next one for the same part of the body.
            log = Log("command_heard", {"command": meaning.value, "state": self.state.value})
            resume = self._resume_to
            actions = self._cut()
            self.state = State.SPEAKING
            words = ["Skipping to the next exercise."]
            return [log, *actions, *self._speak(words, lambda at: self._resume(at, resume))]
        return [] if isinstance(meaning, Answer) else self._command(meaning, t)

    def _kept_place_is_past_this_exercise(self) -> bool:
        step = self.step
        return (
            self.state in AWAITING_CONTINUE
            and step is not None
            and step.place.exercise >= 0
            and self._resume_to >= self._next_exercise_start(step.place.exercise)
        )

    def _while_resting_after_pain(self, meaning: Meaning, t: float) -> list[Action]:
        """The guided rest after red pain: "ready" (or continue, skip) asks the score again
        now, "rest" or "more rest" adds time; help and the like are answered over it."""
        pain = self.pain
        assert pain is not None
        if meaning in (Answer.DONE, Command.CONTINUE, Command.SKIP):
            log = Log("command_heard", {"command": "ready", "state": self.state.value})
            return [log, *pain.rest_over(t)]
        if meaning in (Command.REST, Command.MORE_REST):
            return pain.more_rest(t)
        if isinstance(meaning, Answer):
            return []
        if meaning in _ANSWERED_IN_A_REST:
            return self._command(meaning, t)
        return [self._say("We are resting now. Say ready when you want to go on.")]

    def _while_asking(self, meaning: Meaning, t: float) -> list[Action]:
        question = self.question
        if question is None:  # pragma: no cover - a question is pending exactly while asking
            return self._while_moving(meaning, t)
        if isinstance(meaning, Answer) and meaning in question.answers:
            return self._take_answer(meaning, t)
        if meaning is Command.SKIP and question.kind.skippable_score:
            return self._answered(None, t)
        if meaning is Command.SKIP and question.kind in _SKIP_MEANS:
            # "next" (or the n key) at "move on to the next exercise?" means yes; at the
            # easier offer it means "no thanks, carry on"; at a high start score "not today".
            return self._answered(_SKIP_MEANS[question.kind], t)
        if isinstance(meaning, Answer):
            return []
        if question.kind in _MUST_ANSWER_FIRST and meaning not in _ASIDES:
            # Nothing else moves the session on until we know how bad the pain is.
            return self._aside(t, [_MUST_ANSWER_FIRST[question.kind]])
        return self._command(meaning, t)

    def _while_ended(self, meaning: Meaning, t: float) -> list[Action]:
        """The closing words can still be cut by "stop", "pain" or "tingling"."""
        return [StopSpeech()] if meaning in SAFETY_COMMANDS else []

    def _command(self, meaning: Meaning, t: float) -> list[Action]:
        log: list[Action] = [
            Log("command_heard", {"command": meaning.value, "state": self.state.value})
        ]
        handler = _COMMAND_HANDLERS.get(meaning)
        return log + (handler(self, t) if handler else [])

    def _pain(self, t: float) -> list[Action]:
        self.pain, self._pain_on_hold = PainDialogue(self), None
        return self.pain.begin(t)

    def _pain_owed(self) -> PainDialogue | None:
        """The pain dialogue still waiting for a score, if any ("stop" may come in it)."""
        question = self.question
        asking = question is not None and question.kind in (
            QuestionKind.PAIN_NOW,
            QuestionKind.PAIN_AGAIN,
        )
        if asking or self.state is State.RESTING_AFTER_PAIN:
            return self.pain
        return self._pain_on_hold if self.state in ON_HOLD else None

    # ------------------------------------------------------------------ status

    def status(self) -> Status:
        step = self.step
        index = step.place.exercise if step else len(self.script.all_exercises)
        ex = self._played_exercise(index)
        countdown = None
        can_say: tuple[str, ...]
        if self._countdown_end is not None:
            countdown = max(0, math.ceil(self._countdown_end - self._now - EPSILON))
        if self.question is not None:
            can_say = (
                *(("no", "yes") if self.question.heard is not None else ()),
                *(("zero to ten", "skip") if self.question.kind.is_score else ("yes", "no")),
                "stop",
                "pain",
            )
        elif self.state is State.ENDED:
            can_say = ()
        elif self.state in AWAITING_CONTINUE:
            can_say = ("continue", "stop", "pain", "help")
        elif self.state is State.RESTING_AFTER_PAIN:
            can_say = ("ready", "more rest", "stop", "pain", "help")
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
            exercise_count=len(self.script.exercises),
            cool_down=ex is not None and index >= len(self.script.exercises),
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


_IN_STATE: dict[State, Handler] = {
    **dict.fromkeys(MOVING - {State.WAITING_FOR_DONE}, SessionEngine._while_moving),
    State.WAITING_FOR_DONE: SessionEngine._while_waiting_for_done,
    **dict.fromkeys(ON_HOLD, SessionEngine._while_on_hold),
    State.ASKING: SessionEngine._while_asking,
    State.RESTING_AFTER_PAIN: SessionEngine._while_resting_after_pain,
    State.ENDED: SessionEngine._while_ended,
}
"""What a heard word or key does, by state (every state has its handler)."""
assert set(_IN_STATE) == set(State)

# Commands that may interrupt a pain question without moving the session on.
_ASIDES = {Command.HELP, Command.REPEAT, Command.LOUDER, Command.QUIETER, Command.SAFETY}

# Words that cut speech when they act (so a score's reply they would cut is not said at
# all); "continue" and the answer words leave it to be said.
_CUTS = frozenset(Command) - {Command.CONTINUE, Command.LOUDER, Command.QUIETER}

# Questions nothing else may move past, with what is said if something tries.
_MUST_ANSWER_FIRST = {
    QuestionKind.PAIN_NOW: FIRST_CHECK_PAIN,
    QuestionKind.PAIN_AGAIN: FIRST_CHECK_PAIN,
    QuestionKind.START_OFFER: "First, let's decide about today.",
}

# Commands answered over the guided rest after red pain, without ending it.
_ANSWERED_IN_A_REST = {
    Command.HELP,
    Command.SAFETY,
    Command.REPEAT,
    Command.HOW_MANY_LEFT,
    Command.LOUDER,
    Command.QUIETER,
}

_SKIP_MEANS = {
    QuestionKind.MOVE_ON: Answer.YES,
    QuestionKind.EASIER_OFFER: Answer.NO,
    QuestionKind.SKIP_OFFER: Answer.YES,
    QuestionKind.START_OFFER: Answer.NO,
}

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
    Command.SAFETY: SessionEngine._safety,
    Command.HOW_MANY_LEFT: SessionEngine._how_many_left,
    Command.LOUDER: lambda e, t: [SetVolume(+1)],
    Command.QUIETER: lambda e, t: [SetVolume(-1)],
}
