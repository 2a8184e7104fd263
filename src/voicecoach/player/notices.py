"""Notices: what the person should know mid-session that is not part of the script
(the microphone was lost, words are heard late), shown on screen and, when they matter to
someone lying with their eyes closed, also said once, briefly.

A notice travels from whoever noticed (the listening thread, the speaker failover) to the
live loop as a `Notice`. The loop shows it, switches the screen to key wording while voice
commands are off, and gives the spoken form to `NoticeVoice`, which says it in a quiet
moment so it never cuts the session's own sentences.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass

from voicecoach.audio.failover import BACK as SPEAKER_BACK
from voicecoach.session.events import Say
from voicecoach.session.preview import speech_seconds


@dataclass(frozen=True)
class Notice:
    text: str
    """Shown on screen."""
    spoken: str = ""
    """Said once, briefly; empty for notices that are only shown."""
    voice: bool | None = None
    """Voice commands work again (True), stopped working (False), or no change (None)."""


MICROPHONE_LOST = Notice(
    "The microphone was lost. I will keep trying; keys still work.",
    "The microphone was lost. Keys still work.",
    voice=False,
)
MICROPHONE_BACK = Notice("The microphone is back.", "The microphone is back.", voice=True)
HEARING_LATE = Notice(
    "The computer is busy, so I am hearing you late. Keys still act at once.",
    "I am hearing you late. Keys act at once.",
)
HEARING_ON_TIME = Notice("I am hearing you on time again.", "I am hearing you on time again.")
SPEAKER_BACK_SPOKEN = "The speaker is back. Some of what I said was only shown on screen."
"""A lost speaker cannot say that it is lost; it says so when it is back."""


def speaker_notice(text: str) -> Notice:
    """The speaker failover's note as a notice: said when the speaker is back."""
    return Notice(text, SPEAKER_BACK_SPOKEN if text == SPEAKER_BACK else "")


def short_reason(why_voice_is_off: str) -> str:
    """One short line for the screen: the first sentence of why voice commands are off
    (the device or model detail is for `voicecoach check`)."""
    first = why_voice_is_off.split(". ")[0].split(" (")[0].rstrip(".")
    return f"{first}. Use the keys."


def drain(notes: queue.Queue[Notice]) -> list[Notice]:
    """Every notice waiting on a queue, without blocking."""
    out: list[Notice] = []
    while True:
        try:
            out.append(notes.get_nowait())
        except queue.Empty:
            return out


def voice_off(reason: str) -> Notice:
    """Voice commands stopped working (the recogniser keeps failing, no model)."""
    return Notice(reason, "Voice commands are off. Use the keys.", voice=False)


NOTICE_UTTERANCE = -1
"""The utterance id of a spoken notice: the engine never waits for it."""
NOTICE_PATIENCE_SECONDS = 4.0
"""A notice waits for a gap long enough to say it in, at most this long; then it is said in
the next silence, and the session's next sentence waits for it (the live loop holds it)."""
NOTICE_RATE_WPM = 150


@dataclass
class _Waiting:
    words: str
    since: float
    tries: int = 0


class NoticeVoice:
    """Says spoken notices between the session's sentences."""

    def __init__(self, say: Callable[[Say], None], busy: Callable[[], bool]) -> None:
        self._say = say
        self._busy = busy
        self._waiting: list[_Waiting] = []
        self._playing: _Waiting | None = None

    @property
    def playing(self) -> bool:
        return self._playing is not None

    def add(self, words: str, now: float) -> None:
        if words:
            self._waiting.append(_Waiting(words, now))

    def finished(self) -> None:
        """The notice being said has finished (or was cut: see `cut`)."""
        self._playing = None

    def cut(self) -> None:
        """The session cuts in (a count on its second, or quiet for "stop"): a notice being
        said is cut, and said once more later."""
        playing, self._playing = self._playing, None
        if playing is not None and playing.tries < 2:
            self._waiting.insert(0, playing)

    def speak_if_quiet(self, now: float, next_deadline: float | None) -> None:
        """Say the next notice if nothing is being said and (the session's next event
        leaves time to say it, or it has waited long enough)."""
        if not self._waiting or self._playing is not None or self._busy():
            return
        notice = self._waiting[0]
        length = speech_seconds(notice.words, NOTICE_RATE_WPM)
        room = next_deadline is None or next_deadline - now >= length
        if not room and now - notice.since < NOTICE_PATIENCE_SECONDS:
            return
        self._waiting.pop(0)
        notice.tries += 1
        self._playing = notice
        self._say(Say(NOTICE_UTTERANCE, notice.words))
