"""Notices that matter mid-session (the microphone lost and back, words heard late, the
speaker back) are shown and also said once, briefly, in a quiet moment: never over the
session's own sentences (issue 13)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from test_live_session import QUIET_START, Display, FakeClock, FakeSpeech, ListInput, small_script
from voicecoach.player.live_session import LiveSession
from voicecoach.player.notices import (
    HEARING_LATE,
    MICROPHONE_BACK,
    MICROPHONE_LOST,
    NOTICE_PATIENCE_SECONDS,
    Notice,
)
from voicecoach.session.engine import SessionEngine
from voicecoach.session.preview import speech_seconds


@dataclass
class TimedNotices:
    """Notices that arrive at given times on the fake clock (as the listening thread
    would put them on its queue)."""

    clock: FakeClock
    due: list[tuple[float, Notice]]
    taken: list[tuple[float, Notice]] = field(default_factory=list)

    def __call__(self) -> list[Notice]:
        ready = [n for t, n in self.due if t <= self.clock.now]
        self.due = [(t, n) for t, n in self.due if t > self.clock.now]
        self.taken += [(self.clock.now, n) for n in ready]
        return ready


def run_with(notices: list[tuple[float, Notice]], max_seconds: float = 200.0):  # type: ignore[no-untyped-def]
    clock = FakeClock()
    speech = FakeSpeech(clock)
    display = Display()
    engine = SessionEngine(small_script(), QUIET_START)
    session = LiveSession(
        engine,
        speech,
        ListInput(clock, []),
        clock,
        display=display,
        notices=TimedNotices(clock, notices),
    )
    session.run(max_seconds=max_seconds)
    return speech, display


def engine_sentences_whole(speech: FakeSpeech, notice_words: set[str]) -> bool:
    """No sentence of the session was cut short by a notice."""
    said = speech.said
    for (t, text), (t_next, text_next) in itertools.pairwise(said):
        ends = t + speech_seconds(text, speech.rate_wpm)
        if text_next in notice_words and t_next < ends - 1e-6:
            return False
    return True


def test_microphone_lost_and_back_are_shown_and_each_said_once() -> None:
    speech, display = run_with([(20.0, MICROPHONE_LOST), (34.0, MICROPHONE_BACK)])
    texts = speech.texts()
    assert texts.count(MICROPHONE_LOST.spoken) == 1
    assert texts.count(MICROPHONE_BACK.spoken) == 1
    assert MICROPHONE_LOST.text in display.notes and MICROPHONE_BACK.text in display.notes
    assert display.voices == [False, True]  # key wording while the microphone is gone
    lost_at = next(t for t, text in speech.said if text == MICROPHONE_LOST.spoken)
    assert 20.0 <= lost_at <= 20.0 + NOTICE_PATIENCE_SECONDS + 0.05
    assert engine_sentences_whole(speech, {MICROPHONE_LOST.spoken, MICROPHONE_BACK.spoken})


def test_a_notice_waits_for_a_gap_and_never_cuts_a_sentence() -> None:
    # At 31 s the reps are being counted: the notice waits for a pause long enough.
    speech, _ = run_with([(31.0, HEARING_LATE)])
    (at,) = [t for t, text in speech.said if text == HEARING_LATE.spoken]
    before = [(t, text) for t, text in speech.said if t <= at and text != HEARING_LATE.spoken]
    last_t, last_text = before[-1]
    assert at >= last_t + speech_seconds(last_text, speech.rate_wpm) - 1e-6
    assert engine_sentences_whole(speech, {HEARING_LATE.spoken})


def test_a_notice_that_is_only_shown_is_not_said() -> None:
    quiet = Notice("Speech recognition failed (error); restarting it. Keys still work.")
    speech, display = run_with([(20.0, quiet)])
    assert quiet.text in display.notes
    assert all("recognition" not in text for text in speech.texts())
