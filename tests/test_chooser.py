"""The hands-free start: choosing a script by voice or keys."""

from __future__ import annotations

from dataclasses import replace

from sample_scripts import sample_script
from voicecoach.config.settings import Settings
from voicecoach.script.model import Position
from voicecoach.session.chooser import ScriptChooser
from voicecoach.session.events import (
    Action,
    Event,
    Heard,
    KeyPressed,
    Say,
    SpeechFinished,
    StopSpeech,
    Tick,
)

BED = replace(sample_script(), id="bed-gentle-start", title="Gentle start in bed")
BED_2 = replace(sample_script(), id="bed-other", title="Another bed session")
CHAIR = replace(
    sample_script(position=Position.CHAIR), id="chair-gentle-start", title="Gentle start in a chair"
)
LIBRARY = [BED_2, BED, CHAIR]


def said(actions: list[Action]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Say)]


class Person:
    """Drives a chooser: finishes each question's speech, then answers."""

    def __init__(self, chooser: ScriptChooser) -> None:
        self.chooser = chooser
        self.t = 0.0
        self.heard: list[str] = said(chooser.start(0.0))

    def _feed(self, event: Event) -> list[str]:
        out = said(self.chooser.handle(event))
        self.heard += out
        return out

    def finish_speaking(self) -> None:
        self.t += 3.0
        self._feed(SpeechFinished(self.t, self.chooser._utterance))

    def says(self, text: str) -> list[str]:
        self.finish_speaking()
        self.t += 1.0
        return self._feed(Heard(self.t, text))

    def presses(self, key: str) -> list[str]:
        self.finish_speaking()
        self.t += 1.0
        return self._feed(KeyPressed(self.t, key))


def test_asks_position_then_offers_gentle_start_first() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings()))
    assert person.heard == ["Welcome. Are you in bed, or in a chair?"]
    offer = person.says("bed")
    assert offer[0].startswith("Gentle start in bed, about ")
    assert offer[0].endswith("minutes. Say yes, or next.")
    assert person.says("yes") == ["Starting Gentle start in bed."]
    assert person.chooser.chosen is BED and person.chooser.finished


def test_next_moves_through_the_position_and_wraps_round() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings()))
    person.says("in bed")
    assert person.says("next")[0].startswith("Another bed session")
    again = person.says("next")[0]
    assert again.startswith("That was all of them. Here they are again. Gentle start in bed")
    person.says("no")
    person.says("yeah")
    assert person.chooser.chosen is BED_2


def test_works_by_keys_alone() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings()))
    person.presses("c")
    assert person.presses("\n") == ["Starting Gentle start in a chair."]
    assert person.chooser.chosen is CHAIR


def test_same_as_last_time() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings(), last_script_id="bed-other"))
    assert person.heard == ["Welcome back. Same as last time, Another bed session? Say yes, or no."]
    person.says("yes")
    assert person.chooser.chosen is BED_2


def test_not_the_same_as_last_time_asks_the_position() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings(), last_script_id="bed-other"))
    assert person.says("no") == ["All right. Are you in bed, or in a chair?"]


def test_default_position_skips_the_question() -> None:
    person = Person(ScriptChooser(LIBRARY, replace(Settings(), default_position="chair")))
    assert person.heard[0].startswith("Welcome. Gentle start in a chair, about")


def test_stop_and_pain_end_without_a_session() -> None:
    for word in ("stop", "it hurts"):
        person = Person(ScriptChooser(LIBRARY, Settings()))
        out = person.says(word)
        assert person.chooser.finished and person.chooser.chosen is None
        assert out[0].startswith("All right. No")
    assert "physiotherapist" in out[0]


def test_no_answer_asks_once_more_then_waits_quietly() -> None:
    chooser = ScriptChooser(LIBRARY, Settings())
    chooser.start(0.0)
    chooser.handle(SpeechFinished(3.0, chooser._utterance))
    deadline = chooser.next_deadline()
    assert deadline == 3.0 + Settings().session.answer_timeout
    assert said(chooser.handle(Tick(deadline))) == ["Welcome. Are you in bed, or in a chair?"]
    chooser.handle(SpeechFinished(deadline + 3, chooser._utterance))
    second = chooser.next_deadline()
    assert second is not None
    assert said(chooser.handle(Tick(second))) == ["I will wait. Answer whenever you are ready."]
    assert chooser.next_deadline() is None and not chooser.finished


def test_words_that_do_not_answer_are_ignored() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings()))
    assert person.says("yes") == []
    assert person.says("harder") == []
    assert not person.chooser.finished


def test_bed_or_chair_instead_of_yes_offers_that_positions_sessions() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings(), last_script_id="bed-other"))
    offer = person.says("chair")
    assert offer[0].startswith("All right. Gentle start in a chair, about ")
    person.says("yes")
    assert person.chooser.chosen is CHAIR


def test_changing_position_while_offered_starts_that_positions_list() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings()))
    person.says("chair")
    assert person.presses("b")[0].startswith("All right. Gentle start in bed, about ")
    person.says("yes")
    assert person.chooser.chosen is BED


def test_the_screen_shows_what_can_be_said_at_each_question() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings()))
    assert person.chooser.status().can_say == ("bed", "chair", "stop")
    person.says("bed")
    assert person.chooser.status().can_say == ("yes", "next", "bed", "chair", "stop")
    person.says("yes")
    assert person.chooser.status().can_say == ()


def test_typed_sentences_with_stop_or_pain_in_them_end_without_a_session() -> None:
    """Typed lines reach the chooser as text: "please stop" acts as in the session."""
    for line in ("please stop", "ouch that really hurts"):
        person = Person(ScriptChooser(LIBRARY, Settings()))
        out = person.says(line)
        assert person.chooser.finished and person.chooser.chosen is None, line
        assert out[0].startswith("All right. No"), line


def test_stop_or_pain_while_starting_is_said_cut_it_and_no_session_starts() -> None:
    for word, key in (("stop", "s"), ("it hurts", "p")):
        for by_key in (False, True):
            person = Person(ScriptChooser(LIBRARY, Settings()))
            person.says("bed")
            assert person.says("yes") == ["Starting Gentle start in bed."]
            t = person.t + 0.5  # "Starting ..." is still being said
            event = KeyPressed(t, key) if by_key else Heard(t, word)
            actions = person.chooser.handle(event)
            assert actions[0] == StopSpeech()
            assert said(actions)[0].startswith("All right. No")
            assert person.chooser.finished and person.chooser.chosen is None


def test_stop_or_pain_cut_the_goodbye_and_nothing_else_acts_after_it() -> None:
    person = Person(ScriptChooser(LIBRARY, Settings()))
    person.says("stop")
    t = person.t + 0.5
    assert person.chooser.handle(Heard(t, "pain")) == [StopSpeech()]
    assert person.chooser.handle(KeyPressed(t, "s")) == [StopSpeech()]
    assert person.chooser.handle(Heard(t, "bed")) == []
    assert person.chooser.handle(Tick(t + 60)) == []
