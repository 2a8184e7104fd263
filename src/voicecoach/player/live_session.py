"""Drive the session engine in real time: the loop shared by the text and voice players.

The loop waits for input (a heard phrase or a key) until the engine's next deadline, at most
one poll interval, then reports finished speech and ticks the engine. Keys go through the
key composer first (keys.py: a pain score of 10, Enter to skip a score); notices from the
devices are shown, and said in a quiet moment when they matter (notices.py). Everything it
touches comes in through small interfaces, so tests run it on a fake clock with fake input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from voicecoach.player.inputs import InputItem, InputWait, queue_wait
from voicecoach.player.keys import ENTER, KeyComposer, unused_enter
from voicecoach.player.notices import NOTICE_UTTERANCE, Notice, NoticeVoice
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
    Status,
    StopSpeech,
    Tick,
)

POLL_SECONDS = 0.02


class SpeechOutput(Protocol):
    """Where the engine's words go: a speaker, or printed lines."""

    def say(self, say: Say) -> None: ...
    def stop(self) -> None: ...
    def finished(self) -> list[int]: ...
    def busy(self) -> bool: ...
    def cue(self, name: str) -> None: ...
    def change_volume(self, step: int) -> None: ...


class Machine(Protocol):
    """What the loop drives: the session engine, or the script chooser."""

    @property
    def finished(self) -> bool: ...
    def start(self, t: float) -> list[Action]: ...
    def handle(self, event: Event) -> list[Action]: ...
    def next_deadline(self) -> float | None: ...
    def status(self) -> Status | None: ...


class StatusDisplay(Protocol):
    def show(self, status: Status) -> None: ...
    def note(self, text: str) -> None: ...
    def voice(self, on: bool) -> None:
        """Voice commands work (True) or not (False): the screen words things for keys."""

    def legend(self, text: str) -> None:
        """The list of all keys, shown before the first status."""


Notices = Callable[[], list[Notice]]
"""Notices that came since the last call (from the devices' threads)."""


@dataclass
class SessionIO:
    """How a machine meets the person: speech or text out, voice and/or keys in."""

    output: SpeechOutput
    wait_for_input: InputWait
    clock: Callable[[], float]
    display: StatusDisplay | None = None
    on_listen: Callable[[ListenFor], None] | None = None
    on_action: Callable[[Action, float], None] | None = None
    held: list[InputItem] = field(default_factory=list)
    """Input that came after one machine finished, kept for the next one."""
    notices: Notices | None = None
    echo: Callable[[str], None] | None = None
    """Where short key feedback goes when there is no display (printed text)."""


@dataclass
class LiveSession:
    engine: Machine
    output: SpeechOutput
    wait_for_input: InputWait
    clock: Callable[[], float]
    display: StatusDisplay | None = None
    on_log: Callable[[Log, float], None] | None = None
    on_listen: Callable[[ListenFor], None] | None = None
    on_action: Callable[[Action, float], None] | None = None
    held: list[InputItem] = field(default_factory=list)
    notices: Notices | None = None
    echo: Callable[[str], None] | None = None
    keys: KeyComposer = field(init=False)
    voice_notices: NoticeVoice = field(init=False)
    _held_sentences: list[Say] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.keys = KeyComposer(self._tell)
        self.voice_notices = NoticeVoice(self.output.say, self.output.busy)

    @classmethod
    def over(
        cls, machine: Machine, io: SessionIO, on_log: Callable[[Log, float], None] | None = None
    ) -> LiveSession:
        return cls(
            machine,
            io.output,
            io.wait_for_input,
            io.clock,
            display=io.display,
            on_log=on_log,
            on_listen=io.on_listen,
            on_action=io.on_action,
            held=io.held,
            notices=io.notices,
            echo=io.echo,
        )

    def run(self, max_seconds: float | None = None) -> None:
        """Play the session to its end (or until `max_seconds` of clock time)."""
        start = self.clock()
        self.begin()
        while not self._over():
            now = self.clock()
            if max_seconds is not None and now - start >= max_seconds:
                return
            deadline = self._next_deadline()
            timeout = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - now)
            item = self.wait_for_input(timeout)
            if item is not None and self.engine.finished:
                # Only "stop" or "pain" act now (they cut the goodbye); anything else is
                # kept for what comes next.
                if not self._handled(item):
                    self.held.append(item)
            elif item is not None and item.kind == "key":
                for composed in self.keys.key(item.text, self.clock(), self.engine.status()):
                    self.feed(composed)
            elif item is not None:
                self.feed(item)
            self.step()

    def begin(self) -> None:
        """Start the machine, and give it what came in before it was there."""
        self._perform(self.engine.start(self.clock()))
        while self.held and not self.engine.finished:
            self.feed(self.held.pop(0))

    def step(self) -> None:
        """One turn of the loop after waiting: keys due, speech that finished, the clock,
        then notices."""
        for composed in self.keys.due(self.clock()):
            self.feed(composed)
        for uid in self.output.finished():
            if uid == NOTICE_UTTERANCE:
                self.voice_notices.finished()
                self._say_held_sentences()
            else:
                self._handle(SpeechFinished(self.clock(), uid))
        self._handle(Tick(self.clock()))
        self._take_notices()
        self.voice_notices.speak_if_quiet(self.clock(), self.engine.next_deadline())

    def feed(self, item: InputItem) -> None:
        """Hand one input to the engine. An Enter that does nothing is not lost in silence:
        the person is told it came too early."""
        now = self.clock()
        if item.kind == "key":
            status = self.engine.status()
            acted = self._handle(KeyPressed(now, item.text))
            if item.text == ENTER and not acted:
                self.notice(unused_enter(status))
        else:
            self._handle(Heard(now, item.text, item.word))

    def _handled(self, item: InputItem) -> bool:
        """Feed `item` as it is; whether the machine did anything with it."""
        now = self.clock()
        if item.kind == "key":
            return self._handle(KeyPressed(now, item.text))
        return self._handle(Heard(now, item.text, item.word))

    def notice(self, notice: Notice) -> None:
        """Show a notice, switch the screen's wording, and say it when it has words to say
        (printed text has no voice: the notice is printed once)."""
        self._tell(notice.text)
        if self.display is None:
            return
        if notice.voice is not None:
            self.display.voice(notice.voice)
        self.voice_notices.add(notice.spoken, self.clock())

    def _tell(self, text: str) -> None:
        if self.display is not None:
            self.display.note(text)
        elif self.echo is not None:
            self.echo(text)

    def _say_held_sentences(self) -> None:
        held, self._held_sentences = self._held_sentences, []
        for say in held:
            self.output.say(say)

    def _take_notices(self) -> None:
        if self.notices is not None:
            for notice in self.notices():
                self.notice(notice)

    def _next_deadline(self) -> float | None:
        deadlines = [
            d for d in (self.engine.next_deadline(), self.keys.deadline()) if d is not None
        ]
        return min(deadlines) if deadlines else None

    def _over(self) -> bool:
        return self.engine.finished and not self.output.busy()

    def _handle(self, event: Event) -> bool:
        """Hand the engine an event; True when it did something."""
        actions = self.engine.handle(event)
        self._perform(actions)
        return bool(actions)

    def _perform(self, actions: list[Action]) -> None:
        now = self.clock()
        for action in actions:
            if self.on_action is not None:
                self.on_action(action, now)
            if isinstance(action, StopSpeech):
                self._held_sentences.clear()
                self.voice_notices.cut()
                self.output.stop()
            elif isinstance(action, Say) and action.kind == "speech" and self.voice_notices.playing:
                # A notice is being said: the sentence follows it (the engine waits for
                # the sentence to finish, so nothing is lost, only a moment later).
                self._held_sentences.append(action)
            elif isinstance(action, Say):
                self.voice_notices.cut()
                self.output.say(action)
            elif isinstance(action, Cue):
                self.output.cue(action.name)
            elif isinstance(action, SetVolume):
                self.output.change_volume(action.step)
            elif isinstance(action, Log) and self.on_log is not None:
                self.on_log(action, now)
            elif isinstance(action, ListenFor) and self.on_listen is not None:
                self.on_listen(action)
        status = self.engine.status()
        if self.display is not None and status is not None:
            self.display.show(status)


__all__ = [
    "InputItem",
    "InputWait",
    "LiveSession",
    "Notices",
    "SessionIO",
    "SpeechOutput",
    "StatusDisplay",
    "queue_wait",
]
