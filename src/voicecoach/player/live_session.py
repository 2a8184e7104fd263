"""Drive the session engine in real time: the loop shared by the text and voice players.

The loop waits for input (a heard phrase or a key) until the engine's next deadline, at most
one poll interval, then reports finished speech and ticks the engine. Everything it touches
comes in through small interfaces, so tests run it on a fake clock with fake input.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

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
from voicecoach.session.vocabulary import HeardWord

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


@dataclass(frozen=True)
class InputItem:
    """Something the person did: `kind` is "heard" (a phrase) or "key" (one key). A phrase
    from the listener carries its meaning in `word`; typed phrases are understood by the
    engine's vocabulary."""

    kind: str
    text: str
    word: HeardWord | None = None


InputWait = Callable[[float], InputItem | None]
"""Wait up to `timeout` seconds for the next input; None when nothing came."""


def queue_wait(inputs: queue.Queue[InputItem]) -> InputWait:
    def wait(timeout: float) -> InputItem | None:
        try:
            return inputs.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    return wait


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
        )

    def run(self, max_seconds: float | None = None) -> None:
        """Play the session to its end (or until `max_seconds` of clock time)."""
        start = self.clock()
        self.begin()
        while not self._over():
            now = self.clock()
            if max_seconds is not None and now - start >= max_seconds:
                return
            deadline = self.engine.next_deadline()
            timeout = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - now)
            item = self.wait_for_input(timeout)
            if item is not None and self.engine.finished:
                self.held.append(item)
            elif item is not None:
                self.feed(item)
            self.step()

    def begin(self) -> None:
        """Start the machine, and give it what came in before it was there."""
        self._perform(self.engine.start(self.clock()))
        while self.held and not self.engine.finished:
            self.feed(self.held.pop(0))

    def step(self) -> None:
        """One turn of the loop after waiting: speech that finished, then the clock."""
        for uid in self.output.finished():
            self._handle(SpeechFinished(self.clock(), uid))
        self._handle(Tick(self.clock()))

    def feed(self, item: InputItem) -> None:
        now = self.clock()
        if item.kind == "key":
            self._handle(KeyPressed(now, item.text))
        else:
            self._handle(Heard(now, item.text, item.word))

    def _over(self) -> bool:
        return self.engine.finished and not self.output.busy()

    def _handle(self, event: Event) -> None:
        self._perform(self.engine.handle(event))

    def _perform(self, actions: list[Action]) -> None:
        now = self.clock()
        for action in actions:
            if self.on_action is not None:
                self.on_action(action, now)
            if isinstance(action, StopSpeech):
                self.output.stop()
            elif isinstance(action, Say):
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
