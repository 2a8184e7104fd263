"""Saying out loud why a voice session cannot start.

A person using the player by voice alone may not see the screen. When `play` or `start`
stops before the session (a broken settings or plan file), the full message still goes to the
screen (and exit code 2), and one short sentence is said through the default speaker so
they know something is wrong and where to look. Best effort: with no speaker or no speech
engine, the printed message is all there is.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from voicecoach.audio.speaker import PrintSpeaker, Speaker
from voicecoach.config.settings import AudioSettings, SpeechSettings

SETTINGS_PROBLEM = (
    "I cannot start, because your settings file has a problem. "
    "The details are on the screen. Ask someone to help you fix it."
)
PLAN_PROBLEM = (
    "I cannot start, because your exercise plan file has a problem. "
    "The details are on the screen. Ask your physiotherapist or someone to help you fix it."
)
WAIT_LIMIT = 15.0


def say_aloud(
    text: str,
    open_speaker: Callable[[], Speaker] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Say `text` with default speech settings and wait (up to WAIT_LIMIT s) until it has
    been heard. Returns whether it was played on a speaker."""
    from voicecoach.speech.synth import synthesize

    try:
        speaker = (open_speaker or _default_speaker)()
    except Exception:  # nothing to say it with: the screen has the message
        return False
    try:
        if isinstance(speaker, PrintSpeaker):
            return False
        samples, rate = synthesize(text, SpeechSettings())
        speaker.say(1, samples, rate, text=text)
        deadline = clock() + min(WAIT_LIMIT, len(samples) / rate + 2.0)
        while 1 not in speaker.finished() and clock() < deadline:
            sleep(0.05)
        return True
    except Exception:  # a failing speech engine must not hide the real error
        return False
    finally:
        speaker.close()


def _default_speaker() -> Speaker:
    from voicecoach.audio.speaker import open_speaker

    return open_speaker(AudioSettings(), SpeechSettings(), note=io.StringIO(), echo=False)
