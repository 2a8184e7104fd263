"""The hands-free start: choose a script by voice or keys, one question at a time.

A pure machine like the session engine (events in, actions out, no clock of its own):

    SAME_AS_LAST? --yes--> chosen          --no--> POSITION? (or OFFERING when known)
                  --bed/chair--> OFFERING for that position
    POSITION?     --bed/chair--> OFFERING
    OFFERING      --yes/done--> chosen     --next/no/skip--> the next script (wrapping round)
                  --bed/chair--> OFFERING for that position, from its first script
    any question  --stop--> ended, nothing chosen
    no answer     --> asked once more, then it waits quietly for an answer

Keys: b bed, c chair, y or Enter yes, n next, s stop (CHOOSER_KEY_HELP).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from voicecoach.config.settings import Settings
from voicecoach.script.model import Script
from voicecoach.session.events import (
    Action,
    Event,
    Heard,
    KeyPressed,
    ListenFor,
    ListenRole,
    Say,
    SpeechFinished,
    StateChanged,
    Status,
    StopSpeech,
    Tick,
)
from voicecoach.session.preview import estimated_seconds
from voicecoach.session.vocabulary import (
    DEFAULT_VOCABULARY,
    POSITION_ANSWERS,
    YES_NO_ANSWERS,
    Answer,
    Command,
    Meaning,
    Vocabulary,
    count_word,
)

CHOOSER_KEYS: dict[str, Meaning] = {
    "b": Answer.BED,
    "c": Answer.CHAIR,
    "y": Answer.YES,
    "\n": Answer.YES,
    " ": Answer.YES,
    "n": Command.SKIP,
    "s": Command.STOP,
    "p": Command.PAIN,
}

CHOOSER_KEY_HELP = "Keys now: b bed, c chair, y or Enter yes, n next, s stop."

CAN_SAY = {
    "same": ("yes", "no", "bed", "chair", "stop"),
    "position": ("bed", "chair", "stop"),
    "offer": ("yes", "next", "bed", "chair", "stop"),
}


@dataclass
class ScriptChooser:
    library: list[Script]
    settings: Settings
    last_script_id: str | None = None
    vocabulary: Vocabulary = DEFAULT_VOCABULARY
    chosen: Script | None = None
    finished: bool = False
    question: str = ""
    _position: str | None = None
    _offer: int = 0
    _asked: int = 0
    _utterance: int = 0
    _speaking: int | None = None
    _timers: list[float] = field(default_factory=list)
    _minutes: dict[str, int] = field(default_factory=dict)

    def start(self, t: float) -> list[Action]:
        last = self._script(self.last_script_id)
        if last is not None:
            return self._ask(
                "same", t, f"Welcome back. Same as last time, {last.title}? Say yes, or no."
            )
        return self._ask_position(t, "Welcome.")

    def next_deadline(self) -> float | None:
        return self._timers[0] if self._timers else None

    def status(self) -> Status:
        """For the display: the question's words, as the session's status line shows them."""
        return Status(
            state="chosen" if self.chosen else "ended" if self.finished else "choosing",
            script_title="Choosing a session",
            exercise=None,
            exercise_number=0,
            exercise_count=0,
            side=None,
            set_number=0,
            set_count=0,
            rep_number=0,
            rep_count=0,
            countdown=None,
            countdown_label=None,
            can_say=() if self.finished else CAN_SAY.get(self.question, ()),
            level=0,
        )

    # ------------------------------------------------------------------ events

    def handle(self, event: Event) -> list[Action]:
        if self.finished and not isinstance(event, (Heard, KeyPressed)):
            return []
        if isinstance(event, Tick):
            return self._on_tick(event.t)
        if isinstance(event, SpeechFinished):
            if event.utterance_id == self._speaking:
                self._speaking = None
                heapq.heappush(self._timers, event.t + self.settings.session.answer_timeout)
            return []
        if isinstance(event, KeyPressed):
            meaning = CHOOSER_KEYS.get(event.key.lower())
        elif isinstance(event, Heard):
            # Typed text is understood as the session engine understands it, so "please
            # stop" or "it really hurts" act here too.
            word = event.word or self.vocabulary.understand(event.text)
            meaning = None if word is None else word.meaning
        else:  # pragma: no cover - Event is a closed union
            raise TypeError(event)
        if self.finished:
            return [] if meaning is None else self._after_the_end(meaning, event.t)
        return [] if meaning is None else self._on_meaning(meaning, event.t)

    def _after_the_end(self, meaning: Meaning, t: float) -> list[Action]:
        """Once chosen or ended, "stop" and "pain" still cut the speech at once: while
        "Starting ..." is said the session has not begun, so they end the start without
        one; the goodbye they simply cut. Anything else is left for the session."""
        if meaning not in (Command.STOP, Command.PAIN):
            return []
        if self.chosen is not None:
            self.chosen = None
            return self._on_meaning(meaning, t)
        return [StopSpeech()]

    def _on_tick(self, t: float) -> list[Action]:
        if not self._timers or self._timers[0] > t:
            return []
        self._timers.clear()
        self._asked += 1
        if self._asked == 1:
            return self._say_question(t, again=True)
        return [self._say("I will wait. Answer whenever you are ready.")]

    def _on_meaning(self, meaning: Meaning, t: float) -> list[Action]:
        if meaning in (Command.STOP, Command.PAIN):
            self.finished = True
            words = "All right. No session today. Rest well."
            if meaning is Command.PAIN:
                words = (
                    "All right. No exercise today. Rest in a comfortable position. "
                    "If pain does not settle, contact your GP or physiotherapist."
                )
            return [StopSpeech(), self._say(words), StateChanged("ended")]
        if meaning is Command.HELP or meaning is Command.REPEAT:
            return [StopSpeech(), *self._say_question(t, again=False)]
        if meaning in POSITION_ANSWERS:
            # Bed or chair answers the position question, and at any other question
            # means "not that one: something for where I am".
            self._position = meaning.value
            self._offer = 0
            return self._ask_offer(t, "" if self.question == "position" else "All right.")
        if self.question == "same":
            if meaning is Answer.YES:
                return self._choose(self._script(self.last_script_id), t)
            if meaning in (Answer.NO, Command.SKIP):
                return self._ask_position(t, "All right.")
        elif self.question == "offer":
            if meaning in (Answer.YES, Answer.DONE, Command.CONTINUE):
                return self._choose(self._offered(), t)
            if meaning in (Answer.NO, Command.SKIP):
                self._offer += 1
                return self._ask_offer(t)
        return []

    # ------------------------------------------------------------------ questions

    def _ask_position(self, t: float, lead: str) -> list[Action]:
        position = self.settings.default_position
        if position in ("bed", "chair"):
            self._position = position
            return self._ask_offer(t, lead)
        return self._ask("position", t, f"{lead} Are you in bed, or in a chair?")

    def _scripts(self) -> list[Script]:
        """This position's scripts: the gentle first-time one first, then shortest first."""
        scripts = [s for s in self.library if s.position.value == self._position]
        return sorted(scripts, key=lambda s: (not s.id.endswith("gentle-start"), self._length(s)))

    def _length(self, script: Script) -> int:
        minutes = self._minutes.get(script.id)
        if minutes is None:
            seconds = estimated_seconds(script, self.settings)
            minutes = self._minutes[script.id] = max(1, round(seconds / 60))
        return minutes

    def _offered(self) -> Script:
        scripts = self._scripts()
        return scripts[self._offer % len(scripts)]

    def _ask_offer(self, t: float, lead: str = "") -> list[Action]:
        scripts = self._scripts()
        if self._offer and self._offer % len(scripts) == 0:
            lead = "That was all of them. Here they are again."
        script = self._offered()
        minutes = self._length(script)
        text = f"{script.title}, about {count_word(minutes)} minutes. Say yes, or next."
        return self._ask("offer", t, f"{lead} {text}".strip())

    def _ask(self, question: str, t: float, text: str) -> list[Action]:
        self.question = question
        self._asked = 0
        self._prompt = text
        answers = {
            "same": YES_NO_ANSWERS | POSITION_ANSWERS,
            "position": POSITION_ANSWERS,
            "offer": YES_NO_ANSWERS | POSITION_ANSWERS,
        }[question]
        return [
            StopSpeech(),
            ListenFor(ListenRole.ANSWER, tuple(sorted(a.value for a in answers))),
            *self._say_question(t, again=False),
        ]

    def _say_question(self, t: float, again: bool) -> list[Action]:
        self._timers.clear()
        say = self._say(self._prompt)
        self._speaking = say.utterance_id
        return [say]

    def _say(self, text: str) -> Say:
        self._utterance += 1
        return Say(self._utterance, text)

    def _choose(self, script: Script | None, t: float) -> list[Action]:
        if script is None:
            return self._ask_position(t, "I could not find that one.")
        self.chosen = script
        self.finished = True
        return [StopSpeech(), self._say(f"Starting {script.title}."), StateChanged("chosen")]

    def _script(self, script_id: str | None) -> Script | None:
        return next((s for s in self.library if s.id == script_id), None)
