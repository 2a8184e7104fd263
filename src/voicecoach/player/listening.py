"""The listening thread: microphone -> echo canceller -> own-voice decision -> recogniser.

Each block read is judged by listening.own_voice.OwnVoice (the player's voice, a person
talking over it), which the player's voice is told at once (`Floor.heard_block`: it gives
way), then fed to the CommandListener; what it hears and the own-voice decision lets act
goes on the input queue, with the word's time on the microphone's time line.

What the loop reads and makes comes in as factories (`open_microphone`, `new_listener`),
chosen once by voice_player.py, so tests hand it fakes. A lost microphone is reopened every
MIC_RETRY_SECONDS; a recogniser that fails is rebuilt RECOGNISER_RESTARTS times, then voice
is off. Keys work throughout.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from voicecoach.audio.echo.canceller import MicBlock
from voicecoach.errors import DeviceError
from voicecoach.listening.listener import CommandListener
from voicecoach.listening.own_voice import OwnVoice
from voicecoach.player import notices as said
from voicecoach.player.live_session import InputItem
from voicecoach.player.notices import Notice
from voicecoach.session.events import ListenFor, ListenRole
from voicecoach.session.vocabulary import HeardWord

# When the recogniser falls this far behind the microphone (a busy computer), the
# person is told that words are heard late and that keys act at once.
BEHIND_SECONDS = 2.0
MIC_RETRY_SECONDS = 2.0
READ_TIMEOUT = 0.1
RECOGNISER_RESTARTS = 3
"""A recogniser that fails is rebuilt this many times in a session, then voice is off."""


class CleaningMicrophone(Protocol):
    """A microphone whose blocks come with their echo-cancelled version and reference
    (audio.echo.canceller.EchoCancellingMicrophone)."""

    sample_rate: int

    def read_block(self, timeout: float) -> MicBlock | None: ...
    def close(self) -> None: ...
    @property
    def alive(self) -> bool: ...
    @property
    def backlog_seconds(self) -> float: ...


class Floor(Protocol):
    """The player's voice as the listening thread sees it."""

    def heard_block(self, person_talking: bool) -> None:
        """Whether a person talked over the player in the block just judged."""


@dataclass
class Listening:
    open_microphone: Callable[[], CleaningMicrophone]
    """Raises DeviceError when there is none."""
    new_listener: Callable[[], CommandListener]
    """Loads a recogniser (takes a moment); raises when none can be made."""
    inputs: queue.Queue[InputItem]
    note: Callable[[Notice], None]
    floor: Floor | None = None
    own_voice: OwnVoice = field(default_factory=OwnVoice)
    mic_retry_seconds: float = MIC_RETRY_SECONDS
    on_rejected: Callable[[HeardWord], None] | None = None
    """Told of each word the own-voice decision kept from acting (for the evaluations)."""
    _mode: ListenFor = field(default_factory=lambda: ListenFor(ListenRole.SPOT))
    _applied: ListenFor | None = None
    _listener: CommandListener | None = None
    _origin: float = 0.0  # the microphone time at which the current listener started
    _behind: bool = False
    healths: list[object] = field(default_factory=list)
    """The StreamHealth of each microphone opened (PortAudio's overflows, dropped blocks)."""

    def listen_for(self, action: ListenFor) -> None:
        self._mode = action  # read by the listening thread before its next block

    def run(self, stop: threading.Event, microphone: CleaningMicrophone | None = None) -> None:
        """Listen until `stop` is set (the listening thread's work). Opens the microphone
        itself when none is given (after a restart)."""
        if not self.start_listener():
            if microphone is not None:
                microphone.close()
            return
        current = microphone if microphone is not None else self._reopen(stop)
        failures = 0
        self._keep_health(current)
        try:
            while current is not None and not stop.is_set():
                block = current.read_block(timeout=READ_TIMEOUT)
                if block is None:
                    if not current.alive:
                        self.note(said.MICROPHONE_LOST)
                        current.close()
                        current = self._reopen(stop, wait_first=True)
                        if current is not None:
                            self.note(said.MICROPHONE_BACK)
                            self._keep_health(current)
                    continue
                self._note_lag(current.backlog_seconds)
                try:
                    heard = self.hear(block)
                except Exception as error:  # a recogniser fault must not end listening
                    failures += 1
                    if failures > RECOGNISER_RESTARTS:
                        self.note(
                            said.voice_off(
                                f"Voice commands are off: speech recognition keeps failing "
                                f"({error}). Keys still work."
                            )
                        )
                        return
                    self.note(
                        Notice(
                            f"Speech recognition failed ({error}); restarting it. Keys still work."
                        )
                    )
                    if not self.start_listener():
                        return
                    continue
                for item in heard:
                    self.inputs.put(item)
        finally:
            if current is not None:
                current.close()

    def hear(self, block: MicBlock) -> list[InputItem]:
        """Judge one block and feed it to the recogniser: what may act, as input items."""
        verdict = self.own_voice.hear(block.raw, block.cleaned, block.reference)
        if self.floor is not None:
            self.floor.heard_block(verdict.person_starting)
        listener = self._listener
        if listener is None:
            return []
        mode = self._mode
        if mode is not self._applied:
            self._applied = mode
            listener.listen_for(mode.role, mode.answers)
        items = []
        for phrase in listener.feed(block.cleaned):
            word = phrase.word(offset=self._origin)
            if self.own_voice.accepts(word):
                items.append(InputItem("heard", phrase.text, word))
            elif self.on_rejected is not None:
                self.on_rejected(word)
        return items

    def _keep_health(self, microphone: CleaningMicrophone | None) -> None:
        health = getattr(microphone, "health", None)
        if health is not None:
            self.healths.append(health)

    def start_listener(self) -> bool:
        """A new recogniser and listener (at the start, or after the old one failed);
        False, with a note, when none can be made (keys still work)."""
        try:
            listener = self.new_listener()
        except Exception as error:  # whatever broke the first one may break this too
            self.note(said.voice_off(f"Voice commands are off: {error} Keys still work."))
            return False
        self._listener, self._applied = listener, None
        self._origin = self.own_voice.now
        return True

    def _note_lag(self, backlog: float) -> None:
        if backlog > BEHIND_SECONDS and not self._behind:
            self._behind = True
            self.note(said.HEARING_LATE)
        elif backlog < BEHIND_SECONDS / 4 and self._behind:
            self._behind = False
            self.note(said.HEARING_ON_TIME)

    def _reopen(
        self, stop: threading.Event, *, wait_first: bool = False
    ) -> CleaningMicrophone | None:
        """The microphone opened again, trying every mic_retry_seconds; None when the
        session ended first."""
        if wait_first and stop.wait(self.mic_retry_seconds):
            return None
        while True:
            try:
                return self.open_microphone()
            except DeviceError:  # still gone; try again after the pause
                if stop.wait(self.mic_retry_seconds):
                    return None
