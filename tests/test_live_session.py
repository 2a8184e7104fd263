"""The real-time loop (LiveSession) on a fake clock, and the text input/output it uses.

The input source's wait(timeout) moves the fake clock on instead of blocking, so a whole
session runs in a moment and every time is exact.
"""

from __future__ import annotations

import io
import queue
from dataclasses import dataclass, field, replace

import pytest

from sample_scripts import ankle_pumps, sample_script
from voicecoach.config.settings import SessionSettings
from voicecoach.player.live_session import InputItem, LiveSession, queue_wait
from voicecoach.player.text_io import TextSpeech, TypedEcho, read_keys, read_lines, wrapped
from voicecoach.script.model import Script
from voicecoach.session.engine import PAIN_QUESTION, SessionEngine, State
from voicecoach.session.events import Action, ListenFor, Log, Say, Status
from voicecoach.session.preview import speech_seconds

QUIET_START = SessionSettings(ask_pain_scores=False, heat_note=False)


@dataclass
class FakeClock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class ListInput:
    """Things the person does at given times; waiting moves the clock on."""

    clock: FakeClock
    items: list[tuple[float, InputItem]]
    waits: int = 0

    def __post_init__(self) -> None:
        self.items.sort(key=lambda item: item[0])

    def __call__(self, timeout: float) -> InputItem | None:
        self.waits += 1
        if self.items and self.items[0][0] <= self.clock.now + timeout:
            when, item = self.items.pop(0)
            self.clock.now = max(self.clock.now, when)
            return item
        self.clock.now += max(0.0, timeout)
        return None


@dataclass
class FakeSpeech:
    """A SpeechOutput that keeps what it was asked to do, with the time."""

    clock: FakeClock
    rate_wpm: int = 140
    said: list[tuple[float, str]] = field(default_factory=list)
    stops: list[float] = field(default_factory=list)
    cues: list[tuple[float, str]] = field(default_factory=list)
    volume: int = 0
    current: tuple[int, float] | None = None
    done: list[int] = field(default_factory=list)

    def say(self, say: Say) -> None:
        self.stop_quietly()
        self.said.append((self.clock.now, say.text))
        self.current = (say.utterance_id, self.clock.now + speech_seconds(say.text, self.rate_wpm))

    def stop(self) -> None:
        self.stops.append(self.clock.now)
        self.stop_quietly()

    def stop_quietly(self) -> None:
        if self.current is not None:
            self.done.append(self.current[0])
            self.current = None

    def finished(self) -> list[int]:
        if self.current is not None and self.clock.now >= self.current[1]:
            self.done.append(self.current[0])
            self.current = None
        done, self.done = self.done, []
        return done

    def busy(self) -> bool:
        return self.current is not None and self.clock.now < self.current[1]

    def cue(self, name: str) -> None:
        self.cues.append((self.clock.now, name))

    def change_volume(self, step: int) -> None:
        self.volume += step

    def texts(self, after: float = 0.0, before: float = float("inf")) -> list[str]:
        return [text for t, text in self.said if after <= t < before]


@dataclass
class Display:
    shown: list[Status] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    voices: list[bool] = field(default_factory=list)

    def show(self, status: Status) -> None:
        self.shown.append(status)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def voice(self, on: bool) -> None:
        self.voices.append(on)

    def legend(self, text: str) -> None:
        self.notes.append(text)


def small_script() -> Script:
    return replace(sample_script(ankle_pumps(reps=2)), cool_down=())


@dataclass
class Run:
    engine: SessionEngine
    speech: FakeSpeech
    clock: FakeClock
    inputs: ListInput
    logs: list[tuple[float, Log]]
    session: LiveSession


def live(
    items: list[tuple[float, InputItem]],
    script: Script | None = None,
    settings: SessionSettings = QUIET_START,
    max_seconds: float | None = 4 * 3600.0,
) -> Run:
    clock = FakeClock()
    engine = SessionEngine(script or small_script(), settings)
    speech = FakeSpeech(clock)
    inputs = ListInput(clock, items)
    logs: list[tuple[float, Log]] = []
    session = LiveSession(
        engine, speech, inputs, clock, on_log=lambda log, t: logs.append((t, log))
    )
    session.run(max_seconds=max_seconds)
    return Run(engine, speech, clock, inputs, logs, session)


def heard(t: float, text: str) -> tuple[float, InputItem]:
    return (t, InputItem("heard", text))


def key(t: float, text: str) -> tuple[float, InputItem]:
    return (t, InputItem("key", text))


# ---------------------------------------------------------------- the loop


def test_a_session_plays_to_its_end_on_a_fake_clock() -> None:
    run = live([])
    assert run.engine.state is State.ENDED
    assert not run.speech.busy()
    texts = run.speech.texts()
    assert texts[0] == "Welcome. This is Sample bed session."
    assert "One. Point your toes" in texts and "Last one. Point your toes" in texts
    assert texts[-1].startswith("That is the end of the session.")
    kinds = [log.kind for _, log in run.logs]
    assert kinds[0] == "session_started"
    assert kinds[-1] == "session_ended"
    assert "step_completed" in kinds
    times = [t for t, _ in run.logs]
    assert times == sorted(times)
    assert times[-1] == pytest.approx(run.speech.said[-1][0])


def test_the_loop_keeps_the_engines_timing() -> None:
    run = live([])
    beats = [t for t, text in run.speech.said if text.endswith(("Point your toes", "back"))]
    assert len(beats) == 4
    # The loop wakes in time for every beat (on whole seconds, within one poll).
    assert all(abs(t - round(t)) < 0.021 for t in beats)


def test_heard_phrases_reach_the_engine_and_pause_holds_until_continue() -> None:
    run = live([heard(33.0, "pause"), heard(900.0, "continue")])
    assert run.speech.stops and run.speech.stops[0] == pytest.approx(33.0)
    assert run.speech.texts(33.0, 900.0) == ["Paused. Say continue when you are ready."]
    assert run.speech.texts(900.0)[0] == "Carrying on."
    assert run.engine.state is State.ENDED
    heard_logs = [log.detail for _, log in run.logs if log.kind == "command_heard"]
    assert heard_logs[0] == {"command": "pause", "state": "counting"}


def test_keys_reach_the_engine() -> None:
    run = live([key(33.0, " "), key(100.0, " ")])
    assert run.speech.texts(33.0, 100.0) == ["Paused. Say continue when you are ready."]
    assert run.speech.texts(100.0)[0] == "Carrying on."
    assert run.engine.state is State.ENDED


def test_the_pain_key_cuts_speech_at_once_and_the_score_keys_answer() -> None:
    run = live([key(31.0, "p"), key(40.0, "2"), key(55.0, "n")])
    assert 31.0 in run.speech.stops
    after = run.speech.texts(31.0)
    assert after[:3] == [
        "Stopping now. Ease into a comfortable position, and breathe slowly.",
        PAIN_QUESTION,
        "Two.",  # the score is said back
    ]
    assert "Would you like the easier version? Say yes or no." in after
    assert "All right. Carry on gently." in after
    scores = [log.detail for _, log in run.logs if log.kind == "pain_score"]
    assert scores == [{"moment": "during", "score": 2, "zone": "green", "exercise": "Ankle pumps"}]
    assert run.engine.state is State.ENDED


def test_stop_twice_then_skip_ends_the_session() -> None:
    run = live(
        [key(2.0, "s"), key(3.0, "s"), heard(4.0, "skip")],
        settings=SessionSettings(heat_note=False),
    )
    assert run.engine.state is State.ENDED
    (ended,) = [log for _, log in run.logs if log.kind == "session_ended"]
    assert ended.detail["reason"] == "stopped"
    assert run.speech.texts(2.0)[0] == "Stopped. Say continue to carry on, or stop again to finish."
    assert run.clock.now < 30


def test_max_seconds_stops_the_loop_early() -> None:
    run = live([], max_seconds=20.0)
    assert run.engine.state is not State.ENDED
    assert 20.0 <= run.clock.now < 20.1


def test_the_display_listen_and_action_hooks_are_called() -> None:
    clock = FakeClock()
    engine = SessionEngine(small_script(), QUIET_START)
    display = Display()
    listens: list[ListenFor] = []
    actions: list[tuple[float, Action]] = []
    LiveSession(
        engine,
        FakeSpeech(clock),
        ListInput(clock, [heard(31.0, "pain"), heard(40.0, "one"), heard(50.0, "no")]),
        clock,
        display=display,
        on_listen=listens.append,
        on_action=lambda action, t: actions.append((t, action)),
    ).run()
    assert engine.state is State.ENDED
    assert display.shown[0].script_title == "Sample bed session"
    assert display.shown[-1].state == "ended"
    assert "asking" in [s.state for s in display.shown]
    assert listens[0] == ListenFor("spot")
    assert ListenFor("answer", tuple(str(n) for n in range(11))) in listens
    assert any(isinstance(a, Log) and a.kind == "session_ended" for _, a in actions)


@pytest.mark.parametrize("item", [("heard", "stop"), ("heard", "pain"), ("key", "s")])
def test_stop_or_pain_cut_the_goodbye_at_once(item: tuple[str, str]) -> None:
    end = live([]).speech.said[-1][0]
    kind, text = item
    run = live([(end + 0.5, InputItem(kind, text))])
    assert run.speech.said[-1][1].startswith("That is the end of the session.")
    assert end + 0.5 in run.speech.stops  # cut at once, not held for later
    assert run.session.held == []
    assert run.engine.state is State.ENDED


def test_input_after_the_end_is_held_for_what_comes_next() -> None:
    run = live([heard(10_000.0, "stop")])
    assert run.engine.state is State.ENDED
    assert run.session.held == []  # the session ended (and went quiet) long before
    script = small_script()
    # A phrase heard while the goodbye is still being said is kept, not lost.
    end = live([]).speech.said[-1][0]
    held = live([heard(end + 0.5, "pause")], script)
    assert held.session.held == [InputItem("heard", "pause")]


def test_queue_wait_returns_the_next_item_or_none() -> None:
    inputs: queue.Queue[InputItem] = queue.Queue()
    wait = queue_wait(inputs)
    assert wait(0.0) is None
    assert wait(-1.0) is None
    inputs.put(InputItem("key", "p"))
    assert wait(1.0) == InputItem("key", "p")


# ---------------------------------------------------------------- text in and out


def test_read_lines_makes_keys_enter_and_phrases() -> None:
    inputs: queue.Queue[InputItem] = queue.Queue()
    read_lines(io.StringIO("s\n\nskip\n  how many left  \r\n"), inputs)
    assert [inputs.get_nowait() for _ in range(inputs.qsize())] == [
        InputItem("key", "s"),
        InputItem("key", "\n"),
        InputItem("heard", "skip"),
        InputItem("heard", "how many left"),
    ]


def test_read_keys_acts_on_keys_and_types_phrases_after_a_colon() -> None:
    inputs: queue.Queue[InputItem] = queue.Queue()
    echoed: list[str] = []
    read_keys(io.StringIO(" p:more resx\x7ft\n\n"), inputs, echoed.append)
    assert [inputs.get_nowait() for _ in range(inputs.qsize())] == [
        InputItem("key", " "),
        InputItem("key", "p"),
        InputItem("heard", "more rest"),
        InputItem("key", "\n"),
    ]
    # The terminal does not echo in key mode: what is typed is shown as it is typed.
    assert echoed == [
        "Type a word and press Enter.",
        *(f"Typing: {text}_" for text in ["m", "mo", "mor", "more", "more "]),
        *(f"Typing: {text}_" for text in ["more r", "more re", "more res", "more resx"]),
        "Typing: more res_",
        "Typing: more rest_",
        "Typed: more rest",
    ]


def test_typed_words_echo_on_a_plain_terminal_as_the_terminal_would() -> None:
    written: list[str] = []
    inputs: queue.Queue[InputItem] = queue.Queue()
    read_keys(io.StringIO(":helx\x7fp\n"), inputs, written.append, TypedEcho(written.append))
    assert "".join(written[1:]) == "helx\b \bp\n"
    assert inputs.get_nowait() == InputItem("heard", "help")


def test_printed_lines_break_between_words_never_inside_one() -> None:
    line = "This is not medical advice. Say pain if anything hurts, or help to hear other words."
    lines = wrapped(line, 30).splitlines()
    assert all(len(part) <= 30 for part in lines)
    assert " ".join(lines) == line
    assert wrapped("  seventeen", 5) == "  seventeen"  # a long word stays whole
    assert wrapped(line, 0) == line  # not a terminal: no wrapping


def test_text_speech_prints_and_lasts_as_long_as_saying_it() -> None:
    clock = FakeClock()
    printed: list[str] = []
    speech = TextSpeech(clock, 140, printed.append)
    speech.say(Say(1, "Hold still and breathe.", "speech"))
    speech.say(Say(2, "two", "count"))
    assert printed == ["Hold still and breathe.", "  two"]
    assert speech.finished() == [1]  # cut by the next sentence
    assert speech.busy()
    clock.now = speech_seconds("two", 140)
    assert not speech.busy()
    assert speech.finished() == [2]
    speech.say(Say(3, "Rest.", "speech"))
    speech.stop()
    assert speech.finished() == [3]
    speech.cue("rest over")
    speech.change_volume(+1)
    assert printed[-2:] == ["  (rest over)", "  (louder)"]
