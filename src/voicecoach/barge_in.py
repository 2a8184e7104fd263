"""What may interrupt the player while it is speaking.

Over its own speech only stop, pain and pause act: whatever is left of the player's echo
after cancelling must never turn into "harder" or "skip". Other commands act in the gaps
between sentences. The live player also asks, for a word heard over its speech, that the
talk-over detector (echo_cancel.SelfSpeechGate) heard a person at that moment, so its own
"say pain if anything hurts" is never taken for a person saying pain. The live player
(voice_player) and the own-speech evaluation (eval_self) both follow the first rule.
"""

from __future__ import annotations

from voicecoach.vocabulary import Command, Meaning

BARGE_IN: frozenset[Meaning] = frozenset({Command.STOP, Command.PAIN, Command.PAUSE})


def acts_over_speech(meaning: Meaning) -> bool:
    return meaning in BARGE_IN
