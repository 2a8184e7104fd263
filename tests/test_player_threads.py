"""The player's threads have one owner: started together, a failed one restarted with a
note, all stopped and joined with a timeout at the end."""

from __future__ import annotations

import threading

from voicecoach.player.threads import PlayerThreads

WAIT = 5.0  # seconds: every wait in these tests ends by then


def test_a_thread_that_fails_is_started_again_and_the_person_told() -> None:
    notes: list[str] = []
    threads = PlayerThreads(notes.append)
    runs: list[int] = []
    done = threading.Event()

    def work(stop: threading.Event) -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("device busy")
        done.set()
        stop.wait(WAIT)

    threads.start("listening", work)
    assert done.wait(WAIT)
    assert threads.stop() == []
    assert len(runs) == 2
    assert notes == ["The listening part failed (device busy); starting it again."]


def test_a_thread_that_keeps_failing_is_given_up_with_a_note() -> None:
    notes: list[str] = []
    threads = PlayerThreads(notes.append, restarts=1)

    def work(stop: threading.Event) -> None:
        raise RuntimeError("broken")

    threads.start("synthesis", work)
    for _ in range(100):  # the retry pause is half a second
        if not threads.alive("synthesis"):
            break
        threading.Event().wait(0.05)
    assert notes == [
        "The synthesis part failed (broken); starting it again.",
        "The synthesis part stopped working (broken). Keys still work.",
    ]
    assert threads.stop() == []


def test_stop_joins_every_thread_and_names_one_that_would_not_end() -> None:
    threads = PlayerThreads(lambda text: None, join_seconds=0.05)
    release = threading.Event()
    threads.start("listening", lambda stop: stop.wait(WAIT))
    threads.start("synthesis", lambda stop: release.wait(WAIT))  # ignores the stop
    threads.start("keyboard", lambda stop: release.wait(WAIT), joinable=False)
    try:
        assert threads.stop() == ["synthesis"]  # the keyboard is not waited for
        assert not threads.alive("listening")
    finally:
        release.set()


def test_play_and_start_warm_the_speech_cache_with_the_chosen_script_before_it_plays() -> None:
    import pytest

    from voicecoach.config.settings import Settings
    from voicecoach.player.live_session import InputItem, SessionIO
    from voicecoach.player.text_io import TextSpeech
    from voicecoach.player.voice_player import PlayerSession, play_script
    from voicecoach.script.library import find_script
    from voicecoach.session.preview import said_texts

    script = find_script("chair-gentle-start")
    warmed: list[str] = []
    printed: list[str] = []

    def closed_at_once(timeout: float) -> InputItem | None:
        assert warmed, "the cache is asked to warm before anything waits"
        raise KeyboardInterrupt  # the person closes the player

    io = SessionIO(TextSpeech(lambda: 0.0, 150, printed.append), closed_at_once, lambda: 0.0)
    with pytest.raises(KeyboardInterrupt):
        play_script(script, Settings(), PlayerSession(io, warm=warmed.extend))
    assert warmed == said_texts(script, Settings())
    assert printed  # the session had begun: the first sentence was on its way
