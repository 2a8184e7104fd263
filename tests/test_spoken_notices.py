"""Notices that matter mid-session (the microphone lost and back, words heard late, the
speaker back) are shown and also said once, briefly, in a quiet moment: never over the
session's own sentences (issue 13)."""

from __future__ import annotations

import io
import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

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
from voicecoach.session.events import Status
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


# ---------------------------------------------------------------- no microphone at all


class NoSynthesis:
    def __init__(self, settings: object) -> None:
        pass

    def warm(self, texts: list[str]) -> None:
        pass

    def get(self, text: str) -> tuple[object, int]:
        import numpy as np

        return np.zeros(160, np.float32), 16000


def test_with_no_microphone_the_screen_shows_one_short_line_and_key_wording(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from voicecoach.audio import speaker as speaker_module
    from voicecoach.audio.speaker import PrintSpeaker
    from voicecoach.config.settings import Settings
    from voicecoach.errors import DeviceError
    from voicecoach.player import voice_player
    from voicecoach.player.listening import CleaningMicrophone

    def no_microphone(settings: Settings, speaker: object) -> Callable[[], CleaningMicrophone]:
        def open_it() -> CleaningMicrophone:
            raise DeviceError(
                "no input device: PortAudio says -9996 Invalid device\nFix: plug one in"
            )

        return open_it

    parts = voice_player.VoiceParts(voice_off_reason=lambda s: None, microphone=no_microphone)
    monkeypatch.setattr(speaker_module, "open_speaker", lambda *a, **k: PrintSpeaker(echo=False))
    monkeypatch.setattr(voice_player, "SpeechCache", NoSynthesis)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with voice_player.voice_session_io(Settings(), plain=True, parts=parts) as session:
        session_io, said_first = session.io, session.notices
        assert said_first == (
            "Voice commands are off, because I cannot find a microphone. Use the keyboard instead.",
        )
        assert session_io.display is not None
        session_io.display.show(waiting_for_ready())
    lines = capsys.readouterr().out.splitlines()
    notes = [line for line in lines if line.startswith("Note: ")]
    assert notes == [
        "Note: Voice commands are off, because I cannot find a microphone. Use the keys."
    ]
    assert "PortAudio" not in "\n".join(lines)
    assert "Press space when you are ready." in lines
    assert "Keys now: space continue, s stop, p pain, ? help." in lines
    assert not any(line.startswith("You can say") for line in lines)
    assert lines[0].startswith("Keys: space pause/continue")  # the legend, first


def waiting_for_ready() -> Status:
    return Status(
        state="waiting for ready",
        script_title="Chair gentle start",
        exercise="Seated march",
        exercise_number=1,
        exercise_count=4,
        side=None,
        set_number=1,
        set_count=2,
        rep_number=0,
        rep_count=8,
        countdown=None,
        countdown_label=None,
        can_say=("continue", "stop", "pain", "help"),
        level=0,
    )
