"""What may interrupt the player while it is speaking.

Over its own speech only stop, pain and pause act: whatever is left of the player's echo
after cancelling must never turn into "harder" or "skip". Other commands act in the gaps
between sentences. The live player also asks, for a word heard over its speech, that the
talk-over detector (echo_cancel.SelfSpeechGate) heard a person at that moment, so its own
"say pain if anything hurts" is never taken for a person saying pain. The live player
(voice_player) and the own-speech evaluation (eval_self) both follow the first rule.

A word reported up to RECOGNITION_LAG after the player fell quiet may still be the
player's own last word, so it is judged as if said over the speech.

`OwnSpeechGuard` applies these rules on the microphone's own time line (seconds of audio
heard), not the wall clock: when a busy computer makes the recogniser fall behind, a word
is still judged by whether the player was sounding when that audio was captured.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.session.vocabulary import Command, Meaning

BARGE_IN: frozenset[Meaning] = frozenset({Command.STOP, Command.PAIN, Command.PAUSE})

# A word is reported up to this long after it was said: a detection this soon after the
# player sounded may be its own echo.
RECOGNITION_LAG = 0.8
# Over the player's speech, stop/pain/pause act only if the talk-over detector heard a
# person this recently (the player's own echo never trips it; a person does).
TALK_OVER_WINDOW = 2.0


def acts_over_speech(meaning: Meaning) -> bool:
    return meaning in BARGE_IN


@dataclass
class OwnSpeechGuard:
    """Tells a person's word from the player's own echo, block by block of microphone audio."""

    recognition_lag: float = RECOGNITION_LAG
    talk_over_window: float = TALK_OVER_WINDOW
    _heard: float = 0.0  # seconds of microphone audio so far
    _sounding_at: float = -1e9
    _person_at: float = -1e9

    def block(self, seconds: float, *, player_sounding: bool, person_talking: bool) -> None:
        """Record one microphone block: was the player's voice in it, did a person talk over it."""
        self._heard += seconds
        if player_sounding:
            self._sounding_at = self._heard
        if person_talking:
            self._person_at = self._heard

    def accepts(self, meaning: Meaning) -> bool:
        """May a word heard at the end of the latest block act?"""
        if self._heard - self._sounding_at >= self.recognition_lag:
            return True  # the player was quiet: anything goes
        person = self._heard - self._person_at < self.talk_over_window
        return acts_over_speech(meaning) and person
