"""A spoken "stop" heard again within moments of the one that stopped the session is the
same stop (or the player's own "Stopped." coming back): it does not end the session. But
if other words have started since, it still cuts them at once."""

from __future__ import annotations

from engine_driver import driver_at
from voicecoach.session.engine import State
from voicecoach.session.events import StopSpeech


def test_stop_heard_again_over_other_words_cuts_them_and_stays_stopped() -> None:
    d = driver_at("counting")
    d.hear("stop")
    d.hear("back to normal")  # answered while stopped: "We can change that ..." or similar
    assert d.speaking is not None and not d.speaking[2].startswith("Stopped.")
    actions = d.hear("stop")
    assert actions == [StopSpeech()]
    assert d.speaking is None
    assert d.state is State.STOPPED
    assert d.logs("ending_early") == []


def test_stop_heard_again_over_its_own_stopped_sentence_leaves_it_to_be_said() -> None:
    d = driver_at("counting")
    d.hear("stop")
    assert d.speaking is not None and d.speaking[2].startswith("Stopped.")
    assert d.hear("stop") == []
    assert d.speaking is not None and d.speaking[2].startswith("Stopped.")
    assert d.state is State.STOPPED
