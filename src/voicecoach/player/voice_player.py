"""The voice player: speech through the speaker, commands from the microphone and keys.

Threads: the main thread runs the session loop (live_session.LiveSession); a listening
thread reads microphone blocks, removes the player's own speech with the echo canceller
(the speaker hands out what it played as the reference), feeds the recogniser and puts
what it heard on the same input queue as the keyboard. If anything on the voice side is
missing (no microphone, no model), the session still plays and the keys still work; the
person is told why, out loud and on screen.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from voicecoach.audio.failover import FailoverSpeaker
from voicecoach.audio.microphone import Microphone
from voicecoach.audio.speaker import Speaker
from voicecoach.config.settings import AudioSettings, Settings
from voicecoach.errors import DeviceError
from voicecoach.listening.listener import CommandListener
from voicecoach.listening.own_voice import OwnSpeechGuard
from voicecoach.player import notices as said
from voicecoach.player.keys import KEY_HELP
from voicecoach.player.live_session import InputItem, SessionIO, queue_wait
from voicecoach.player.notices import Notice
from voicecoach.player.runner import ScaledClock, play_session
from voicecoach.player.text_io import keyboard
from voicecoach.script.model import Script
from voicecoach.session.events import ListenFor, ListenRole, Say
from voicecoach.session.preview import said_texts
from voicecoach.speech.synth import SpeechCache, count_words
from voicecoach.store.history import History

VOLUME_STEP = 0.15
DUCK_FACTOR = 0.1  # -20 dB while a person talks over the player
DUCK_SECONDS = 1.5
# When the recogniser falls this far behind the microphone (a busy computer), the
# person is told that words are heard late and that keys act at once.
BEHIND_SECONDS = 2.0
MIC_RETRY_SECONDS = 2.0
RECOGNISER_RESTARTS = 3
"""A recogniser that fails is rebuilt this many times in a session, then voice is off."""


def cue_samples(name: str, rate: int = 16000) -> np.ndarray:
    """A soft sine tone: one short beep, or a falling two-note chime for the others."""
    notes = [(880.0, 0.12)] if name == "beep" else [(660.0, 0.18), (520.0, 0.25)]
    parts = []
    for freq, seconds in notes:
        t = np.arange(int(rate * seconds)) / rate
        envelope = np.minimum(1.0, np.minimum(t, seconds - t) * 40)
        parts.append(0.25 * np.sin(2 * np.pi * freq * t) * envelope)
    return np.concatenate(parts).astype(np.float32)


@dataclass
class VoiceSpeech:
    """live_session.SpeechOutput over a real Speaker, with cached synthesis."""

    speaker: Speaker
    cache: SpeechCache
    volume: float
    on_said: Any = None

    def say(self, say: Say) -> None:
        self.unduck()  # each new sentence is heard at the person's chosen volume
        samples, rate = self.cache.get(say.text)
        self.speaker.say(say.utterance_id, samples, rate, text=say.text)
        if self.on_said is not None:
            self.on_said(say.text)

    def stop(self) -> None:
        self.speaker.stop()

    def finished(self) -> list[int]:
        return self.speaker.finished()

    def busy(self) -> bool:
        return self.speaker.is_speaking()

    def cue(self, name: str) -> None:
        # Cues use utterance id 0, which the engine never waits for.
        self.speaker.say(0, cue_samples(name), 16000, text=f"({name})")

    def change_volume(self, step: int) -> None:
        self.volume = float(np.clip(self.volume + step * VOLUME_STEP, 0.1, 1.0))
        self.speaker.set_volume(self.volume)

    def duck(self) -> None:
        """Someone is talking over the player: drop its voice at once so their word (a
        "stop", perhaps) reaches the recogniser clean. Called from the listening thread."""
        self.speaker.set_volume(self.volume * DUCK_FACTOR)

    def unduck(self) -> None:
        self.speaker.set_volume(self.volume)


@dataclass
class Listening:
    """The listening thread: microphone -> echo canceller -> recogniser -> input queue."""

    settings: Settings
    output: VoiceSpeech
    inputs: queue.Queue[InputItem]
    notes: queue.Queue[Notice]
    _mode: ListenFor = field(default_factory=lambda: ListenFor(ListenRole.SPOT))
    _ducked_until: float = 0.0
    _guard: OwnSpeechGuard = field(default_factory=OwnSpeechGuard)
    _behind: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def listen_for(self, action: ListenFor) -> None:
        self._mode = action  # read by the listening thread before its next block

    def start(self) -> str | None:
        """Start listening; returns why voice commands are off, or None when they are on.

        The model is only looked for here; loading it takes a moment, so the listening
        thread does that while the player starts talking."""
        from voicecoach.audio.microphone import open_microphone
        from voicecoach.listening.factory import available_engines
        from voicecoach.store.models import describe_missing

        if not available_engines(self.settings.recognition):
            missing = describe_missing("kws", self.settings.recognition.model_path)
            return (
                "Voice commands are off, because no speech model was found. "
                "Use the keyboard, and run voicecoach model download to turn them on. "
                f"({missing.splitlines()[0]})"
            )
        try:
            microphone = open_microphone(self.settings.audio)
        except DeviceError as error:
            return (
                "Voice commands are off, because I cannot find a microphone. "
                f"Use the keyboard instead. ({str(error).splitlines()[0]})"
            )
        self._thread = threading.Thread(
            target=self._load_and_run,
            args=(self._cancelling(microphone),),
            name="listening",
            daemon=True,
        )
        self._thread.start()
        return None

    def _load_and_run(self, microphone: Microphone) -> None:
        listener = self._new_listener()
        if listener is None:
            microphone.close()
            return
        self._run(microphone, listener)

    def _new_listener(self) -> CommandListener | None:
        """A recogniser and listener (at the start, or after the old one failed); None,
        with a note, when none can be made (keys still work)."""
        from voicecoach.listening.factory import create_recognizer
        from voicecoach.session.vocabulary import vocabulary_for

        try:
            recognizer = create_recognizer(self.settings.recognition, "spot")
        except Exception as error:  # whatever broke the first one may break this too
            self.notes.put(said.voice_off(f"Voice commands are off: {error} Keys still work."))
            return None
        return CommandListener(recognizer, vocabulary_for(self.settings.recognition))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def _cancelling(self, microphone: Microphone) -> Microphone:
        """The microphone with the player's own speech taken out (the speaker's played
        samples are the reference, aligned by capture time)."""
        from voicecoach.audio.echo.canceller import EchoCancellingMicrophone, SelfSpeechGate
        from voicecoach.audio.echo.talk_over import LouderThanEcho

        # The gate only detects a person talking over the player (to duck its voice and
        # let stop/pain/pause act); it never mutes what the recogniser hears. The raw
        # level check keeps a canceller that has lost step from hearing a person.
        return EchoCancellingMicrophone(
            microphone,
            self.output.speaker,
            gate=SelfSpeechGate(),
            gate_output=False,
            on_talk_over=self._talk_over,
            louder=LouderThanEcho(),
        )

    def _talk_over(self) -> None:
        if self._ducked_until == 0.0:
            self.output.duck()
        self._ducked_until = time.monotonic() + DUCK_SECONDS

    def _run(self, microphone: Microphone, listener: CommandListener) -> None:
        from voicecoach.audio.microphone import open_microphone

        mode: ListenFor | None = None
        current: Microphone | None = microphone
        failures = 0
        try:
            while current is not None and not self._stop.is_set():
                if self._mode is not mode:
                    mode = self._mode
                    listener.listen_for(mode.role, mode.answers)
                block = current.read(timeout=0.1)
                if self._ducked_until and time.monotonic() > self._ducked_until:
                    self._ducked_until = 0.0
                    self.output.unduck()
                if block is None:
                    if not current.alive:
                        self.notes.put(said.MICROPHONE_LOST)
                        current.close()
                        current = self._reopen(open_microphone)
                        if current is not None:
                            self.notes.put(said.MICROPHONE_BACK)
                    continue
                self._guard.block(
                    len(block) / current.sample_rate,
                    player_sounding=getattr(current, "player_sounding", self.output.busy()),
                    person_talking=getattr(current, "person_talking", False),
                )
                self._note_lag(getattr(current, "backlog_seconds", 0.0))
                try:
                    heard_now = listener.feed(block)
                except Exception as error:  # a recogniser fault must not end listening
                    failures += 1
                    if failures > RECOGNISER_RESTARTS:
                        self.notes.put(
                            said.voice_off(
                                f"Voice commands are off: speech recognition keeps failing "
                                f"({error}). Keys still work."
                            )
                        )
                        return
                    self.notes.put(
                        Notice(
                            f"Speech recognition failed ({error}); restarting it. Keys still work."
                        )
                    )
                    fresh = self._new_listener()
                    if fresh is None:
                        return
                    listener, mode = fresh, None
                    continue
                for heard in heard_now:
                    if self._guard.accepts(heard.meaning):  # see barge_in.py
                        self.inputs.put(InputItem("heard", heard.text, heard.word()))
        finally:
            if current is not None:
                current.close()

    def _note_lag(self, backlog: float) -> None:
        if backlog > BEHIND_SECONDS and not self._behind:
            self._behind = True
            self.notes.put(said.HEARING_LATE)
        elif backlog < BEHIND_SECONDS / 4 and self._behind:
            self._behind = False
            self.notes.put(said.HEARING_ON_TIME)

    def _reopen(self, open_microphone: Callable[[AudioSettings], Microphone]) -> Microphone | None:
        while not self._stop.wait(MIC_RETRY_SECONDS):
            try:
                return self._cancelling(open_microphone(self.settings.audio))
            except DeviceError:
                continue  # still gone; try again after the pause
        return None


@contextlib.contextmanager
def voice_session_io(
    settings: Settings,
    *,
    plain: bool = False,
    time_scale: float = 1.0,
    warm: list[str] | None = None,
) -> Iterator[tuple[SessionIO, tuple[str, ...]]]:
    """Speaker, microphone, recogniser, keyboard and display, ready for a machine to use.
    Yields the I/O and the notices to say first (e.g. that voice commands are off)."""
    from voicecoach.audio.speaker import open_speaker
    from voicecoach.player.display import make_display

    display = make_display(plain, sys.stdout)
    notes: queue.Queue[Notice] = queue.Queue()
    speaker = FailoverSpeaker(
        open_speaker(settings.audio, settings.speech, echo=False),
        lambda: _reopen_speaker(settings),
        lambda text: notes.put(said.speaker_notice(text)),
    )
    cache = SpeechCache(settings.speech)
    # Synthesise ahead in the background, in the order things will be said (count words
    # included), so the first sentence is not kept waiting and counts start on time.
    ahead = [*(warm or []), *count_words(), "Hold.", "And relax.", "Ten seconds."]
    threading.Thread(target=cache.warm, args=(ahead,), name="synthesis", daemon=True).start()
    output = VoiceSpeech(speaker, cache, settings.speech.volume, on_said=display.said)
    clock = ScaledClock(time_scale)
    display.legend(KEY_HELP)
    try:
        with keyboard(sys.stdin, display.note, display.typing) as inputs:
            listening = Listening(settings, output, inputs, notes)
            off = listening.start()
            notices: tuple[str, ...] = ()
            if off is not None:
                notices = (off.split(" (")[0],)  # said first, by the engine
                display.voice(False)
                display.note(said.short_reason(off))

            try:
                yield (
                    SessionIO(
                        output,
                        clock.wait(queue_wait(inputs)),
                        clock.now,
                        display=display,
                        on_listen=listening.listen_for,
                        notices=lambda: said.drain(notes),
                    ),
                    notices,
                )
            finally:
                listening.stop()
    finally:
        speaker.close()
        display.close()


def _reopen_speaker(settings: Settings) -> Speaker | None:
    """The configured speaker if it can be opened now, else None (quietly: the person
    has been told once that it was lost)."""
    import io

    from voicecoach.audio.speaker import SoundDeviceSpeaker, open_speaker

    speaker = open_speaker(settings.audio, settings.speech, note=io.StringIO())
    if isinstance(speaker, SoundDeviceSpeaker):
        return speaker
    speaker.close()
    return None


def play_voice(
    script: Script, settings: Settings, *, plain: bool = False, time_scale: float = 1.0
) -> int:
    history = History()
    try:
        with voice_session_io(
            settings, plain=plain, time_scale=time_scale, warm=said_texts(script, settings)
        ) as (io, notices):
            play_session(script, settings, io, history=history, notices=notices)
    finally:
        history.close()
    return 0
