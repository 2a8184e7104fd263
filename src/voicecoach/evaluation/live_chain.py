"""`voicecoach eval-commands --live`: every clip through the whole live chain.

A session (the chair script by default) is played by the real engine through the real live
loop (player.live_session.LiveSession) on a stream clock that advances one 20 ms microphone
block at a time. What it says is synthesised and played by a simulated speaker
(live_room.RoomSpeaker); the microphone hears that through the room (live_room.RoomEcho),
home noise, and now and then a recorded clip at `snr_db` above the player's echoed speech
(active-speech levels). Each block goes through the echo canceller, the player's listening
step (player.listening.Listening.hear: the own-voice decision, the player yielding the
floor, the listener) and what it lets through goes to the engine at the block's end time,
exactly as the listening thread and the live loop do it. A simulated person answers the
session's questions and says "continue" after a stop, as typed words (they are not
measured).

Each clip is placed in turn (clip i takes PLACEMENTS[i % 3]):
- "over_speech": the word starts while the player is in the middle of a sentence;
- "just_after": the word starts 0-0.8 s after a sentence ends (a share fixed per clip);
- "quiet": in a quiet moment (a hold, a rest), the player silent for at least 0.3 s.
Clips are placed only while the session is moving (not stopped, paused or asking).

A clip is "acted on" when the engine receives the clip's meaning within LISTEN_AFTER_S of
its end of speech; the latency is from its end of speech to that block's end (stream
time). The processing time of that block (canceller to engine) is reported beside it, and
for clips over speech, how soon after the word's onset the player fell silent.
"""

from __future__ import annotations

import queue
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

import numpy as np
import numpy.typing as npt

from voicecoach.audio.levels import active_rms
from voicecoach.audio.resampling import resample
from voicecoach.audio.wav_files import read_for_recognizer, speech_end, speech_start
from voicecoach.config.settings import Settings
from voicecoach.evaluation.eval_commands import Clip, expected_meaning
from voicecoach.evaluation.live_report import PLACEMENTS, LiveClipResult, LiveReport
from voicecoach.evaluation.live_room import BLOCK, RATE, NoiseBed, RoomEcho, RoomSpeaker
from voicecoach.listening.listener import CommandListener
from voicecoach.listening.own_voice import OwnVoice
from voicecoach.player.listening import Listening
from voicecoach.player.live_session import InputItem, LiveSession
from voicecoach.player.notices import Notice
from voicecoach.player.voice_output import VoiceSpeech
from voicecoach.session.engine import SessionEngine
from voicecoach.session.states import MOVING, QuestionKind, State
from voicecoach.session.vocabulary import HeardWord, Vocabulary
from voicecoach.speech.synth import Synthesizer

FloatArray = npt.NDArray[np.float32]
BLOCK_S = BLOCK / RATE
LISTEN_AFTER_S = 2.0
SETTLE_S = 1.0
FIRST_CLIP_S = 3.0
"""The echo canceller converges in about a second; the first clip comes after this."""
JUST_AFTER_S = 0.8
QUIET_AHEAD_S = 0.5
"""A quiet moment: the player silent for 0.3 s and nothing due for this long."""
STARVING_S = 120.0
"""A clip whose moment did not come in this long is recorded as not placed."""
DEFAULT_SCRIPT = "chair-gentle-start"
ECHO_SENTENCES = (
    "Sit back in the chair. Point your toes down towards the floor.",
    "If anything hurts, say stop, or say pain.",
    "Hold. Three. Two. One. And relax.",
)
"""The player's echoed level (for the SNR) is measured on these, through the room."""


class Canceller(Protocol):
    def process(self, mic: npt.ArrayLike, reference: npt.ArrayLike) -> FloatArray: ...


def person_answer(engine: SessionEngine) -> tuple[str, float] | None:
    """(phrase, seconds to wait) when the session waits for the person (typed, unmeasured)."""
    question = engine.question
    if engine.state is State.ASKING and question is not None:
        if question.kind in (QuestionKind.EASIER_OFFER, QuestionKind.MOVE_ON):
            return "yes", 2.0
        if question.kind is QuestionKind.PAIN_NOW:
            return "two", 2.0  # a low score: carry on
        return "skip", 2.0
    if engine.state is State.WAITING_FOR_DONE:
        return "done", 5.0
    if engine.state in (State.PAUSED, State.STOPPED, State.WAITING_FOR_READY):
        return "continue", 1.0
    return None


@dataclass
class _Active:
    clip: Clip
    result_kind: str
    expected: str | None
    placement: str
    samples: FloatArray
    start_t: float
    onset_t: float
    end_t: float
    position: int = 0
    heard: str | None = None
    heard_t: float | None = None
    processing: float | None = None
    silent_t: float | None = None
    rejected: str | None = None


class LiveChain:
    """The whole live chain on a stream clock (see the module docstring)."""

    def __init__(
        self,
        new_listener: Callable[[], CommandListener],
        vocabulary: Vocabulary,
        *,
        settings: Settings | None = None,
        script_id: str = DEFAULT_SCRIPT,
        snr_db: float = 10.0,
        room: RoomEcho | None = None,
        noise: NoiseBed | None = None,
        canceller: Canceller | None = None,
        labels: tuple[str, str, str] = ("simulated", "white -70 dBFS", "speex"),
        engine_name: str = "kws",
        synth: Synthesizer | None = None,
    ) -> None:
        from voicecoach.script.library import find_script
        from voicecoach.speech.synth import SpeechCache

        self.settings = settings or Settings()
        self.vocabulary = vocabulary
        self.script = find_script(script_id)
        self.snr_db = snr_db
        self.room = room or RoomEcho()
        self.noise = noise or NoiseBed()
        if canceller is None:
            from voicecoach.audio.echo.canceller import EchoCanceller

            canceller = EchoCanceller(sample_rate=RATE)
        self.canceller = canceller
        self.labels = labels
        self.engine_name = engine_name
        self.t = 0.0
        self.speaker = RoomSpeaker()
        self.cache = (
            SpeechCache(self.settings.speech)
            if synth is None
            else SpeechCache(self.settings.speech, synth=synth)
        )
        self.output = VoiceSpeech(
            self.speaker, self.cache, self.settings.speech.volume, clock=lambda: self.t
        )
        self.notes: list[Notice] = []
        self.listening = Listening(
            _no_microphone, new_listener, queue.Queue(), self.notes.append, floor=self.output
        )
        self.listening.own_voice = OwnVoice()
        self.listening.on_rejected = self._rejected
        self._active: _Active | None = None
        if not self.listening.start_listener():
            raise RuntimeError(self.notes[-1].text)
        self.engine, self.session = self._new_session()
        self._planned: tuple[float, str] | None = None
        self._quiet_for = 0.0
        self._settle_until = FIRST_CLIP_S

    def _new_session(self) -> tuple[SessionEngine, LiveSession]:
        engine = SessionEngine(self.script, self.settings.session, vocabulary=self.vocabulary)
        session = LiveSession(
            engine,
            self.output,
            lambda timeout: None,
            lambda: self.t,
            on_listen=self.listening.listen_for,
        )
        session.begin()
        return engine, session

    def echo_level(self) -> float:
        """The active-speech level of the player's echo in this room."""
        parts = []
        for sentence in ECHO_SENTENCES:
            samples, rate = self.cache.get(sentence)
            parts.append(resample(samples, rate, RATE) * np.float32(self.settings.speech.volume))
        return active_rms(
            RoomEcho(self.room.response.astype(np.float32)).process(
                np.concatenate(parts).astype(np.float32)
            )
        )

    def run(
        self,
        clips: Sequence[Clip],
        role_split: str = "all",
        progress: TextIO | None = None,
        placements: Sequence[str] = PLACEMENTS,
    ) -> LiveReport:
        """Clip i is placed at placements[i % len(placements)]."""
        report = LiveReport(
            self.engine_name,
            role_split,
            self.snr_db,
            self.labels[0],
            self.labels[1],
            self.labels[2],
        )
        level = self.echo_level()
        for number, clip in enumerate(clips):
            placement = placements[number % len(placements)]
            active = self._place(clip, placement, level, report)
            if active is None:
                kind, expected = expected_meaning(clip.word, "spot", self.vocabulary)
                report.clips.append(
                    LiveClipResult(
                        clip.name,
                        clip.word,
                        kind,
                        _value(expected),
                        placement,
                        None,
                        False,
                        None,
                        None,
                        placed=False,
                    )
                )
                continue
            while self.t < active.end_t + LISTEN_AFTER_S and not (
                active.heard is not None and active.result_kind == "target"
            ):
                self._block(report, active)
            report.clips.append(self._result(active))
            self._settle_until = self.t + SETTLE_S
            if progress is not None and (number + 1) % 10 == 0:
                print(f"  {number + 1}/{len(clips)} clips", file=progress, flush=True)
        report.yields = self.output.yields
        return report

    def _place(
        self, clip: Clip, placement: str, level: float, report: LiveReport
    ) -> _Active | None:
        samples = read_for_recognizer(clip.path)
        onset, end = speech_start(samples), speech_end(samples)
        gain = level * 10 ** (self.snr_db / 20) / max(active_rms(samples), 1e-9)
        scaled = (samples * np.float32(gain)).astype(np.float32)
        kind, expected = expected_meaning(clip.word, "spot", self.vocabulary)
        speech_s = (end - onset) / RATE
        share = (zlib.crc32(clip.name.encode()) % 1000) / 1000
        waited_from = self.t
        while self.t - waited_from < STARVING_S:
            start = self._moment(placement, onset / RATE, speech_s, share)
            if start is not None:
                return _Active(
                    clip,
                    kind,
                    _value(expected),
                    placement,
                    scaled,
                    start,
                    start + onset / RATE,
                    start + end / RATE,
                )
            self._block(report, None)
        return None

    def _moment(
        self, placement: str, onset_s: float, speech_s: float, share: float
    ) -> float | None:
        """When the clip should start for this placement, if now is such a moment."""
        if self.t < self._settle_until or self.engine.state not in MOVING:
            return None
        if self._planned is not None and self._planned[0] - self.t < onset_s + speech_s + 2.5:
            return None
        speaking = self.speaker.is_speaking() and self.engine.state is State.SPEAKING
        remaining = self.speaker.remaining_s()
        if placement == "over_speech":
            return self.t if speaking and remaining >= onset_s + speech_s + 0.3 else None
        if placement == "just_after":
            if speaking and remaining <= 1.0:
                return max(self.t, self.t + remaining + share * JUST_AFTER_S - onset_s)
            return None
        deadline = self.engine.next_deadline()
        # The word may run into the next count word, as a person's would.
        room = deadline is None or deadline - self.t >= QUIET_AHEAD_S
        quiet = not self.speaker.is_speaking() and self._quiet_for >= 0.3
        return self.t if quiet and room else None

    def _block(self, report: LiveReport, active: _Active | None) -> None:
        """One microphone block through the whole chain, then the live loop's turn."""
        from voicecoach.audio.echo.canceller import MicBlock

        self._active = active
        self._person_turn()
        reference = self.speaker.next_block()
        mic = self.room.process(reference) + self.noise.next_block()
        if active is not None and self.t + BLOCK_S > active.start_t:
            skip = max(0, round((active.start_t - self.t) * RATE))
            part = active.samples[active.position : active.position + BLOCK - skip]
            mic[skip : skip + len(part)] += part
            active.position += len(part)
        yields = self.output.yields
        began = time.process_time()
        cleaned = self.canceller.process(mic, reference)
        items = self.listening.hear(MicBlock(mic, cleaned, reference))
        talking = active is not None and active.start_t - 0.5 <= self.t <= active.end_t + 0.5
        if self.output.yields > yields and not talking:
            report.yields_to_nobody.append(round(self.t, 2))
        self.t += BLOCK_S
        for item in items:
            self._deliver(item, report, active, began)
        spent = time.process_time() - began
        report.processing_seconds += spent
        report.audio_seconds += BLOCK_S
        self._quiet_for = (
            0.0 if float(np.max(np.abs(reference))) > 1e-3 else self._quiet_for + BLOCK_S
        )
        if (
            active is not None
            and active.silent_t is None
            and self.t > active.onset_t
            and not self.speaker.is_speaking()
        ):
            active.silent_t = self.t
        self.session.step()
        if self.engine.finished and not self.output.busy():
            self.engine, self.session = self._new_session()
            self._planned = None

    def _deliver(
        self, item: InputItem, report: LiveReport, active: _Active | None, began: float
    ) -> None:
        word = item.word
        meaning = None if word is None else str(word.meaning.value)
        if active is not None and self.t >= active.start_t:
            if active.heard is None:
                active.heard, active.heard_t = meaning, self.t
        else:
            report.own_voice_acts.append(
                {"t": round(self.t, 2), "heard": item.text, "state": self.engine.state.value}
            )
        self.session.feed(item)
        if active is not None and active.heard_t == self.t and active.processing is None:
            active.processing = time.process_time() - began
        self._planned = None

    def _rejected(self, word: HeardWord) -> None:
        active = self._active
        if active is not None and active.rejected is None and self.t >= active.start_t:
            active.rejected = str(word.meaning.value)

    def _person_turn(self) -> None:
        """The simulated person answers what the session waits for (typed, not measured)."""
        if self._planned is None and not self.output.busy():
            wanted = person_answer(self.engine)
            if wanted is not None:
                self._planned = (self.t + wanted[1], wanted[0])
        if self._planned is not None and self._planned[0] <= self.t:
            phrase, self._planned = self._planned[1], None
            self.session.feed(InputItem("heard", phrase))
            self._settle_until = max(self._settle_until, self.t + SETTLE_S)

    def _result(self, active: _Active) -> LiveClipResult:
        acted = active.result_kind == "target" and active.heard == active.expected
        latency = None
        if acted and active.heard_t is not None:
            latency = round((active.heard_t - active.end_t) * 1000, 1)
        silent = None
        if active.placement == "over_speech" and active.silent_t is not None:
            silent = round((active.silent_t - active.onset_t) * 1000, 1)
        return LiveClipResult(
            active.clip.name,
            active.clip.word,
            active.result_kind,
            active.expected,
            active.placement,
            active.heard,
            acted,
            latency,
            None if active.processing is None else round(active.processing * 1000, 2),
            silent,
            rejected=active.rejected,
        )


def _value(meaning: Any) -> str | None:
    return None if meaning is None else str(meaning.value)


def _no_microphone() -> Any:
    raise RuntimeError("the live chain feeds its blocks itself")
