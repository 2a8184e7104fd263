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
    ASKING   --answer--> depends on the question (pain: the pain dialogue, pain.py)
             --no answer in answer_timeout--> ask once more, then the question's default
    PAUSED   --"continue"--> the interrupted rep/rest/sentence, from its start
    STOPPED  --"continue"--> as PAUSED; --"stop" again--> ending (pain check) -> ENDED
    TAKING_A_REST --time over--> WAITING_FOR_READY --"continue"--> resume; "more rest" adds time

What a heard word or key does is decided by one handler per state (`_IN_STATE`), after
"stop" and "pain", which act the same in every state. "help", "how many left", "repeat",
"easier", "harder", "back to normal" cut speech, say their short answer, then resume the
current rep from its start (while on hold they are answered and the hold goes on). While
the pain score is asked for (QuestionKind.PAIN_NOW) only the score, stop, pain, help,
repeat, louder and quieter count. After red pain, anything that resumes goes on at the next
exercise, never the painful one.

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
    SetVolume,
    SpeechFinished,
    StateChanged,
    Status,
    Tick,
)
from voicecoach.session.level_change import LevelChanges
from voicecoach.session.pain import PainDialogue
from voicecoach.session.plan import planned_sets
from voicecoach.session.safety_words import (
    END_FOR_PAIN,
    PAIN_ASK_AGAIN,
    PAIN_FIRST_WORDS,
    PAIN_QUESTION,
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
from voicecoach.session.vocabulary import KEYS, PAUSE_TOGGLE_KEY, Answer, Command, Meaning

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

    def _key_meaning(self, key: str) -> Meaning | None:
        if key == PAUSE_TOGGLE_KEY:
            return Command.CONTINUE if self.state in AWAITING_CONTINUE else Command.PAUSE
        return KEYS.get(key.lower() if key.strip() else key)

    # ------------------------------------------------------------------ one handler per state

    def _on_meaning(self, meaning: Meaning, t: float) -> list[Action]:
        # Safety first: "pain" and "stop" act the same in every state.
        if meaning is Command.PAIN:
            return self._pain(t)
        if meaning is Command.STOP:
            return self._stop(t)
        return _IN_STATE[self.state](self, meaning, t)

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
        if meaning is Answer.DONE:
            return self._continue(t)
        return [] if isinstance(meaning, Answer) else self._command(meaning, t)

    def _while_asking(self, meaning: Meaning, t: float) -> list[Action]:
        question = self.question
        if question is None:  # pragma: no cover - a question is pending exactly while asking
            return self._while_moving(meaning, t)
        if isinstance(meaning, Answer) and meaning in question.answers:
            return [Log("command_heard", {"answer": meaning.value}), *self._answered(meaning, t)]
        if meaning is Command.SKIP and question.kind.skippable_score:
            return self._answered(None, t)
        if meaning is Command.SKIP and question.kind in _SKIP_MEANS:
            # "next" (or the n key) at "move on to the next exercise?" means yes; at the
            # easier offer it means "no thanks, carry on".
            return self._answered(_SKIP_MEANS[question.kind], t)
        if isinstance(meaning, Answer):
            return []
        if question.kind is QuestionKind.PAIN_NOW and meaning not in _ASIDES:
            # Nothing else moves the session on until we know how bad the pain is.
            return self._aside(t, ["First, let's check your pain."])
        return self._command(meaning, t)

    def _while_ended(self, meaning: Meaning, t: float) -> list[Action]:
        return []

    def _command(self, meaning: Meaning, t: float) -> list[Action]:
        log: list[Action] = [
            Log("command_heard", {"command": meaning.value, "state": self.state.value})
        ]
        handler = _COMMAND_HANDLERS.get(meaning)
        return log + (handler(self, t) if handler else [])

    def _pain(self, t: float) -> list[Action]:
        self.pain = PainDialogue(self)
        return self.pain.begin(t)

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
                *(("zero to ten", "skip") if self.question.kind.is_score else ("yes", "no")),
                "stop",
                "pain",
            )
        elif self.state is State.ENDED:
            can_say = ()
        elif self.state in AWAITING_CONTINUE:
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


_IN_STATE: dict[State, Handler] = {
    **dict.fromkeys(MOVING - {State.WAITING_FOR_DONE}, SessionEngine._while_moving),
    State.WAITING_FOR_DONE: SessionEngine._while_waiting_for_done,
    **dict.fromkeys(ON_HOLD, SessionEngine._while_on_hold),
    State.ASKING: SessionEngine._while_asking,
    State.ENDED: SessionEngine._while_ended,
}
"""What a heard word or key does, by state (every state has its handler)."""
assert set(_IN_STATE) == set(State)

# Commands that may interrupt a pain question without moving the session on.
_ASIDES = {Command.HELP, Command.REPEAT, Command.LOUDER, Command.QUIETER}

_SKIP_MEANS = {QuestionKind.MOVE_ON: Answer.YES, QuestionKind.EASIER_OFFER: Answer.NO}

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
