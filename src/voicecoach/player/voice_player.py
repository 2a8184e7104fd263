"""The voice player: speech through the speaker, commands from the microphone and keys.

Threads (all owned by one threads.PlayerThreads): the main thread runs the session loop
(live_session.LiveSession); "listening" reads microphone blocks, removes the player's own
speech with the echo canceller (the speaker hands out what it played as the reference),
judges them (listening.own_voice) and feeds the recogniser, putting what it heard on the
same input queue as "keyboard"; "synthesis" synthesises ahead what will be said. If
anything on the voice side is missing (no microphone, no model), the session still plays
and the keys still work; the person is told why, out loud and on screen.

`play` and `start` assemble a session the same way: `player_session` gives the I/O (voice
or text), and `play_script` warms the speech cache with what the script will say, in
order, then plays it.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from voicecoach.audio.echo.canceller import EchoCancellingMicrophone
from voicecoach.audio.failover import FailoverSpeaker
from voicecoach.audio.speaker import Speaker
from voicecoach.audio.stream_health import StreamHealth
from voicecoach.config.settings import Settings
from voicecoach.errors import DeviceError
from voicecoach.listening.listener import CommandListener
from voicecoach.player import notices as said
from voicecoach.player.keys import KEY_HELP
from voicecoach.player.listening import CleaningMicrophone, Listening
from voicecoach.player.live_session import SessionIO, queue_wait
from voicecoach.player.notices import Notice
from voicecoach.player.runner import ScaledClock, play_session
from voicecoach.player.text_io import keyboard, text_session_io
from voicecoach.player.threads import PlayerThreads, Work
from voicecoach.player.voice_output import VoiceSpeech
from voicecoach.script.model import Script
from voicecoach.session.engine import SessionEngine
from voicecoach.session.preview import said_texts
from voicecoach.speech.synth import SpeechCache, count_words
from voicecoach.store.history import History

WARM_FIRST = ("Hold.", "And relax.", "Ten seconds.")
"""Said in every session: synthesised ahead with the count words."""


@dataclass
class PlayerSession:
    """A machine's I/O, the notices to say first, and a way to synthesise ahead."""

    io: SessionIO
    notices: tuple[str, ...] = ()
    warm: Callable[[Sequence[str]], None] = lambda texts: None
    """Synthesise these texts ahead, in this order (voice sessions only)."""


def voice_off_reason(settings: Settings) -> str | None:
    """Why voice commands cannot be on (no model), or None; the microphone is tried later."""
    from voicecoach.listening.factory import available_engines
    from voicecoach.store.models import describe_missing

    if available_engines(settings.recognition):
        return None
    missing = describe_missing("kws", settings.recognition.model_path)
    return (
        "Voice commands are off, because no speech model was found. "
        "Use the keyboard, and run voicecoach model download to turn them on. "
        f"({missing.splitlines()[0]})"
    )


def microphone_factory(settings: Settings, speaker: Speaker) -> Callable[[], CleaningMicrophone]:
    """Opens the configured microphone with the player's own speech taken out (the
    speaker's played samples are the reference, aligned by capture time)."""

    def open_cleaning() -> CleaningMicrophone:
        from voicecoach.audio.microphone import open_microphone

        return EchoCancellingMicrophone(open_microphone(settings.audio), speaker)

    return open_cleaning


def listener_factory(settings: Settings) -> Callable[[], CommandListener]:
    def new_listener() -> CommandListener:
        from voicecoach.listening.factory import create_recognizer
        from voicecoach.session.vocabulary import vocabulary_for

        recognizer = create_recognizer(settings.recognition, "spot")
        return CommandListener(recognizer, vocabulary_for(settings.recognition))

    return new_listener


@dataclass(frozen=True)
class VoiceParts:
    """How the voice session finds out whether voice can be on, opens the microphone and
    makes a listener: the real ones by default; tests hand in fakes."""

    voice_off_reason: Callable[[Settings], str | None] = voice_off_reason
    microphone: Callable[[Settings, Speaker], Callable[[], CleaningMicrophone]] = microphone_factory
    listener: Callable[[Settings], Callable[[], CommandListener]] = listener_factory


def start_listening(
    listening: Listening, threads: PlayerThreads, off: str | None = None
) -> str | None:
    """Open the microphone and start the listening thread; returns why voice commands
    are off, or None when they are on. The model loads in the thread, while the player
    starts talking."""
    if off is not None:
        return off
    try:
        first: list[CleaningMicrophone] = [listening.open_microphone()]
    except DeviceError as error:
        return (
            "Voice commands are off, because I cannot find a microphone. "
            f"Use the keyboard instead. ({str(error).splitlines()[0]})"
        )

    def work(stop: threading.Event) -> None:
        # A restarted thread opens the microphone afresh (the first one was closed).
        listening.run(stop, first.pop() if first else None)

    threads.start("listening", work)
    return None


def synthesis_work(cache: SpeechCache, wanted: queue.Queue[Sequence[str]]) -> Work:
    """Synthesise ahead whatever lists of texts arrive, until stopped."""

    def work(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                texts = wanted.get(timeout=0.2)
            except queue.Empty:
                continue
            for text in texts:
                if stop.is_set():
                    return
                cache.warm([text])

    return work


@contextlib.contextmanager
def voice_session_io(
    settings: Settings,
    *,
    plain: bool = False,
    time_scale: float = 1.0,
    parts: VoiceParts | None = None,
) -> Iterator[PlayerSession]:
    """Speaker, microphone, recogniser, keyboard and display, ready for a machine to use."""
    made = parts or VoiceParts()
    from voicecoach.audio.speaker import open_speaker
    from voicecoach.player.display import make_display

    display = make_display(plain, sys.stdout)
    notes: queue.Queue[Notice] = queue.Queue()
    speaker = FailoverSpeaker(
        open_speaker(settings.audio, settings.speech, echo=False),
        lambda: _reopen_speaker(settings),
        lambda text: notes.put(said.speaker_notice(text)),
    )
    threads = PlayerThreads(lambda text: notes.put(Notice(text)))
    cache = SpeechCache(settings.speech)
    wanted: queue.Queue[Sequence[str]] = queue.Queue()
    # Synthesise ahead in the order things will be said, so the first sentence is not
    # kept waiting and counts start on time.
    wanted.put([*count_words(), *WARM_FIRST])
    threads.start("synthesis", synthesis_work(cache, wanted))
    output = VoiceSpeech(speaker, cache, settings.speech.volume, on_said=display.said)
    clock = ScaledClock(time_scale)
    display.legend(KEY_HELP)
    listening_healths: list[object] = []
    try:
        with keyboard(sys.stdin, display.note, display.typing, start=threads.start) as inputs:
            listening = Listening(
                made.microphone(settings, speaker),
                made.listener(settings),
                inputs,
                notes.put,
                floor=output,
                healths=listening_healths,
            )
            off = start_listening(listening, threads, made.voice_off_reason(settings))
            notices: tuple[str, ...] = ()
            if off is not None:
                notices = (off.split(" (")[0],)  # said first, by the engine
                display.voice(False)
                display.note(said.short_reason(off))

            yield PlayerSession(
                SessionIO(
                    output,
                    clock.wait(queue_wait(inputs)),
                    clock.now,
                    display=display,
                    on_listen=listening.listen_for,
                    notices=lambda: said.drain(notes),
                ),
                notices,
                wanted.put,
            )
    finally:
        left = threads.stop()
        if left:
            print(f"voicecoach: still running at exit: {', '.join(left)}", file=sys.stderr)
        _report_stream_health(speaker, listening_healths)
        speaker.close()
        display.close()


@contextlib.contextmanager
def player_session(
    settings: Settings, *, text: bool = False, plain: bool = False, time_scale: float = 1.0
) -> Iterator[PlayerSession]:
    """The I/O of `play` and `start`: printed text and typed input, or the voice player."""
    if text:
        with text_session_io(settings.speech.rate, time_scale) as io:
            yield PlayerSession(io)
        return
    with voice_session_io(settings, plain=plain, time_scale=time_scale) as session:
        yield session


def play_script(
    script: Script,
    settings: Settings,
    session: PlayerSession,
    *,
    history: History | None = None,
) -> SessionEngine:
    """Play `script` in `session`, having asked for everything it will say to be
    synthesised ahead, in order."""
    session.warm(said_texts(script, settings))
    return play_session(script, settings, session.io, history=history, notices=session.notices)


def _report_stream_health(speaker: FailoverSpeaker, microphones: list[object]) -> None:
    """After a session, one line on stderr when PortAudio reported trouble (the computer
    was too busy for the sound card): what a person would otherwise hear as gaps."""
    troubles = [
        f"{name}: {health.describe()}"
        for name, health in [
            ("speaker", getattr(speaker.current, "health", None)),
            *(("microphone", h) for h in microphones),
        ]
        if isinstance(health, StreamHealth) and health.troubled
    ]
    if troubles:
        print(f"voicecoach: sound was interrupted ({'; '.join(troubles)})", file=sys.stderr)


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
        with player_session(settings, plain=plain, time_scale=time_scale) as session:
            play_script(script, settings, session, history=history)
    finally:
        history.close()
    return 0
