"""Run a session on a virtual clock and write down everything that happens.

The engine is driven exactly as in a real session, but time jumps straight to the next
thing that can happen (a timer, the end of a sentence, a scheduled phrase), so an hour
of session previews in milliseconds. Speech lasts as long as it would take to say at the
configured rate.

A simulated person keeps the preview moving where a real one would answer: they skip the
start and end pain scores, say "done" after a self-paced set, and answer "yes" to a yes/no
question, each unless a phrase given with --say comes first. Simulated input is marked as
such in the transcript. Paused or stopped sessions wait for a --say phrase; when none is
left, the preview ends there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voicecoach.config.settings import Settings
from voicecoach.script.model import Script
from voicecoach.session.engine import SessionEngine, State
from voicecoach.session.events import (
    Action,
    Cue,
    Event,
    Heard,
    ListenFor,
    Log,
    Say,
    SetVolume,
    SpeechFinished,
    StateChanged,
    StopSpeech,
    Tick,
)
from voicecoach.session.vocabulary import Answer, Command

SIMULATED_ANSWER_DELAY = 2.0
MAX_PREVIEW_SECONDS = 6 * 3600.0


def speech_seconds(text: str, rate_wpm: int) -> float:
    """How long a sentence takes to say: words at the speaking rate, plus a breath."""
    words = max(1, len(text.split()))
    return round(words * 60.0 / rate_wpm + 0.25, 3)


@dataclass(frozen=True)
class TranscriptLine:
    t: float
    kind: str
    """"say", "halt", "state", "heard", "simulated", "cue", "listen", "log", "volume", "end"."""
    text: str = ""
    state: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": round(self.t, 3), "kind": self.kind}
        if self.kind == "state":
            out["state"] = self.state
        else:
            out["text"] = self.text
        out.update(self.detail)
        return out

    def as_text(self) -> str:
        minutes, seconds = divmod(self.t, 60)
        stamp = f"{int(minutes):02d}:{seconds:06.3f}"
        if self.kind == "state":
            return f"{stamp}  [state] {self.state}"
        if self.kind == "say":
            return f"{stamp}  {self.text}"
        return f"{stamp}  [{self.kind}] {self.text}"


@dataclass
class _SimulatedSpeaker:
    rate_wpm: int
    current: tuple[int, float, str] | None = None  # utterance id, end time, text

    def say(self, say: Say, t: float) -> list[SpeechFinished]:
        cut = self.stop(t)
        self.current = (say.utterance_id, t + speech_seconds(say.text, self.rate_wpm), say.text)
        return cut

    def stop(self, t: float) -> list[SpeechFinished]:
        if self.current is None:
            return []
        uid = self.current[0]
        self.current = None
        return [SpeechFinished(t, uid)]

    @property
    def ends_at(self) -> float | None:
        return self.current[1] if self.current else None


@dataclass
class Preview:
    """One preview run: call `run()`, then read `lines`."""

    script: Script
    settings: Settings
    says: list[tuple[float, str]]
    levels: dict[str, int] | None = None
    simulate_person: bool = True
    lines: list[TranscriptLine] = field(default_factory=list)

    def run(self) -> list[TranscriptLine]:
        engine = SessionEngine(self.script, self.settings.session, levels=self.levels)
        speaker = _SimulatedSpeaker(self.settings.speech.rate)
        pending = sorted(self.says)
        simulated: tuple[float, str] | None = None
        t = 0.0
        self._apply(engine, speaker, engine.start(t), t)
        while t < MAX_PREVIEW_SECONDS:
            if engine.state is State.ENDED and speaker.current is None:
                break
            simulated = self._simulation(engine, speaker, simulated, pending, t)
            candidates = [
                c
                for c in (
                    engine.next_deadline(),
                    speaker.ends_at,
                    pending[0][0] if pending else None,
                    simulated[0] if simulated else None,
                )
                if c is not None
            ]
            if not candidates:
                waiting = engine.state.value
                self.lines.append(
                    TranscriptLine(t, "end", f"waiting ({waiting}); nothing more to hear")
                )
                break
            t = max(t, min(candidates))
            if speaker.ends_at is not None and speaker.ends_at <= t:
                uid = speaker.current[0] if speaker.current else 0
                speaker.current = None
                self._apply(engine, speaker, engine.handle(SpeechFinished(t, uid)), t)
                continue
            if pending and pending[0][0] <= t:
                _, phrase = pending.pop(0)
                simulated = None
                self.lines.append(TranscriptLine(t, "heard", phrase))
                self._feed(engine, speaker, Heard(t, phrase), t)
                continue
            if simulated and simulated[0] <= t:
                phrase = simulated[1]
                simulated = None
                self.lines.append(TranscriptLine(t, "simulated", phrase))
                self._feed(engine, speaker, Heard(t, phrase), t)
                continue
            self._feed(engine, speaker, Tick(t), t)
        return self.lines

    def _feed(
        self, engine: SessionEngine, speaker: _SimulatedSpeaker, event: Event, t: float
    ) -> None:
        self._apply(engine, speaker, engine.handle(event), t)

    def _simulation(
        self,
        engine: SessionEngine,
        speaker: _SimulatedSpeaker,
        planned: tuple[float, str] | None,
        pending: list[tuple[float, str]],
        t: float,
    ) -> tuple[float, str] | None:
        """The simulated person's next answer, if the engine is waiting for one."""
        if not self.simulate_person or speaker.current is not None:
            return None  # a person answers once the question has been said
        if planned is not None:
            return planned
        phrase: str | None = None
        delay = SIMULATED_ANSWER_DELAY
        question = engine.question
        if question is not None and question.heard is not None:
            return None  # a score said back: the moment for "no" passes by itself
        if question is not None and engine.state is State.ASKING:
            # Start and end scores are skipped; a score during the session is left to the
            # person on the command line; a willing person says yes to the rest.
            phrase = (
                "skip"
                if question.kind.skippable_score
                else (None if question.kind.is_score else "yes")
            )
            window = self.settings.session.answer_timeout
        elif engine.state is State.WAITING_FOR_DONE and engine.step is not None:
            ex = engine._played_exercise(engine.step.place.exercise)
            delay = (ex.reps * ex.tempo) if ex else 30.0
            phrase, window = "done", delay
        if phrase is None:
            return None
        if pending and pending[0][0] <= t + window and self._answers(engine, pending[0][1]):
            return None  # the person on the command line answers first
        return (t + delay, phrase)

    @staticmethod
    def _answers(engine: SessionEngine, phrase: str) -> bool:
        """Whether `phrase` would answer what the engine is waiting for."""
        meaning = engine.vocabulary.lookup(phrase)
        if meaning is Command.SKIP or meaning is Command.CONTINUE:
            return True
        question = engine.question
        if question is not None:
            return meaning in question.answers
        return meaning is Answer.DONE

    def _apply(
        self, engine: SessionEngine, speaker: _SimulatedSpeaker, actions: list[Action], t: float
    ) -> None:
        for action in actions:
            finished: list[SpeechFinished] = []
            if isinstance(action, Say):
                finished = speaker.say(action, t)
                self.lines.append(
                    TranscriptLine(t, "say", action.text, detail={"style": action.kind})
                )
            elif isinstance(action, StopSpeech):
                if speaker.current is not None:
                    self.lines.append(TranscriptLine(t, "halt", speaker.current[2]))
                finished = speaker.stop(t)
            elif isinstance(action, StateChanged):
                self.lines.append(TranscriptLine(t, "state", state=action.state))
            elif isinstance(action, Cue):
                self.lines.append(TranscriptLine(t, "cue", action.name))
            elif isinstance(action, Log):
                self.lines.append(
                    TranscriptLine(t, "log", action.kind, detail={"detail": action.detail})
                )
            elif isinstance(action, ListenFor):
                self.lines.append(
                    TranscriptLine(
                        t, "listen", action.role.value, detail={"answers": list(action.answers)}
                    )
                )
            elif isinstance(action, SetVolume):
                self.lines.append(
                    TranscriptLine(t, "volume", "louder" if action.step > 0 else "quieter")
                )
            for event in finished:
                # Cut speech reports its end at once, as the real speaker does.
                self._apply(engine, speaker, engine.handle(event), t)


def preview(
    script: Script,
    settings: Settings,
    says: list[tuple[float, str]] | None = None,
    *,
    levels: dict[str, int] | None = None,
    simulate_person: bool = True,
) -> list[TranscriptLine]:
    return Preview(script, settings, says or [], levels, simulate_person).run()


def estimated_seconds(script: Script, settings: Settings | None = None) -> float:
    """How long a session of this script takes, by previewing it."""
    lines = preview(script, settings or Settings())
    return lines[-1].t if lines else 0.0


def said_texts(script: Script, settings: Settings | None = None) -> list[str]:
    """Every sentence and count word a session of this script says, in order."""
    return [line.text for line in preview(script, settings or Settings()) if line.kind == "say"]
