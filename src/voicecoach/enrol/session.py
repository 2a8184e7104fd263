"""Talking to the person during enrolment: ask for a word, record one utterance of it.

Everything outside is injected, so tests run it with fakes and no waiting:
- `speak(text)` says a prompt and returns when it has been said (printing it in --text
  mode);
- `open_microphone()` opens the microphone for one take; it is closed straight after, so
  the player's own prompt is never in a recording and the microphone is on only while a
  word is expected;
- `ask(text)` (keyboard mode) shows `text` and returns the line typed, None at the end of
  input. Without it the session is voice-only: it says "Say: stop." and listens.

An utterance is found by its energy (UtteranceDetector): it starts when two 20 ms blocks
in a row are well above the quietest block heard so far (and above MIN_LEVEL), and ends
after END_SILENCE_SECONDS below half that level. Nothing within LISTEN_SECONDS means
"I didn't hear anything, let's try again", once; then the take is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from voicecoach.audio.microphone import Microphone
from voicecoach.enrol.enrolment import Prompt
from voicecoach.session.vocabulary import count_word

FloatArray = npt.NDArray[np.float32]
RATE = 16000

READ_TIMEOUT = 0.25
LISTEN_SECONDS = 6.0
"""How long to wait for speech to start."""
MAX_SPEECH_SECONDS = 4.0
END_SILENCE_SECONDS = 0.6
MARGIN_SECONDS = 0.3
"""Kept before the start and after the end of the speech."""
MIN_LEVEL = 0.003
"""Block RMS below this (about -50 dBFS) is never speech."""
START_RATIO = 4.0
"""Speech starts this far above the quietest block (12 dB)."""
START_BLOCKS = 2
MIN_SPEECH_SECONDS = 0.08

INTRO = "I'll ask you to say some words, {takes} times each. Say each one the way you usually do."
KEY_HELP = "Press Enter, then say it. Type s and Enter to skip a word, q and Enter to stop."
NOT_HEARD = "I didn't hear anything. Let's try again."
MOVE_ON = "I still didn't hear it. Let's move on."
DONE = "Thank you. That's all the words. Working out your settings now; it takes a minute or two."


class UtteranceDetector:
    """Energy-based start and end of one utterance, fed block by block (pure)."""

    def __init__(self, rate: int = RATE) -> None:
        self.rate = rate
        self._blocks: list[FloatArray] = []
        self._levels: list[float] = []
        self._floor = np.inf
        self._start: int | None = None
        self._last_loud: int | None = None
        self._level = MIN_LEVEL

    @property
    def started(self) -> bool:
        return self._start is not None

    @property
    def seconds(self) -> float:
        """Audio heard so far."""
        return sum(len(b) for b in self._blocks) / self.rate

    def feed(self, block: npt.ArrayLike) -> bool:
        """Add a block; True once the utterance is complete."""
        samples = np.asarray(block, dtype=np.float32).reshape(-1)
        level = float(np.sqrt(np.mean(np.square(samples)))) if len(samples) else 0.0
        self._blocks.append(samples)
        self._levels.append(level)
        index = len(self._levels) - 1
        if self._start is None:
            threshold = max(MIN_LEVEL, START_RATIO * self._floor)
            recent = self._levels[-START_BLOCKS:]
            if len(recent) == START_BLOCKS and min(recent) >= threshold:
                self._start = index - START_BLOCKS + 1
                self._last_loud = index
                self._level = threshold
            else:
                # The floor comes from blocks before the speech only.
                self._floor = min(self._floor, max(level, 1e-5))
            return False
        assert self._last_loud is not None
        if level >= self._level / 2:
            self._last_loud = index
        quiet = self._duration(self._last_loud + 1, index + 1)
        speech = self._duration(self._start, index + 1)
        return quiet >= END_SILENCE_SECONDS or speech >= MAX_SPEECH_SECONDS

    def utterance(self) -> FloatArray | None:
        """The speech with MARGIN_SECONDS either side, or None when there was none."""
        if self._start is None or self._last_loud is None:
            return None
        if self._duration(self._start, self._last_loud + 1) < MIN_SPEECH_SECONDS:
            return None
        audio = np.concatenate(self._blocks)
        offsets = np.cumsum([0] + [len(b) for b in self._blocks])
        margin = int(MARGIN_SECONDS * self.rate)
        first = max(0, int(offsets[self._start]) - margin)
        last = min(len(audio), int(offsets[self._last_loud + 1]) + margin)
        return audio[first:last].astype(np.float32)

    def _duration(self, first: int, last: int) -> float:
        return sum(len(b) for b in self._blocks[first:last]) / self.rate


def record_utterance(
    microphone: Microphone,
    listen_seconds: float = LISTEN_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> FloatArray | None:
    """One utterance from `microphone`, or None when nobody spoke within `listen_seconds`.

    Every wait is bounded: by the audio heard, by the number of empty reads and by
    `clock` (a microphone that delivers nothing cannot hold it up)."""
    detector = UtteranceDetector(microphone.sample_rate)
    limit = listen_seconds + MAX_SPEECH_SECONDS + END_SILENCE_SECONDS
    deadline = clock() + limit
    empty_reads = 0
    while clock() < deadline:
        block = microphone.read(READ_TIMEOUT)
        if block is None:
            if detector.started or not microphone.alive:
                break  # the stream ended: keep what was heard
            empty_reads += 1
            if empty_reads * READ_TIMEOUT >= limit:
                break
            continue
        if detector.feed(block):
            break
        if not detector.started and detector.seconds >= listen_seconds:
            break
    return detector.utterance()


@dataclass
class SessionResult:
    recorded: list[tuple[Prompt, FloatArray]] = field(default_factory=list)
    skipped: list[Prompt] = field(default_factory=list)
    stopped: bool = False
    """The person stopped before the end (q, or end of input)."""


class EnrolSession:
    """Asks for each prompt in turn and records it (see the module docstring)."""

    def __init__(
        self,
        speak: Callable[[str], None],
        open_microphone: Callable[[], Microphone],
        *,
        ask: Callable[[str], str | None] | None = None,
        listen_seconds: float = LISTEN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._speak = speak
        self._open = open_microphone
        self._ask = ask
        self._listen_seconds = listen_seconds
        self._clock = clock

    def run(
        self,
        prompts: Sequence[Prompt],
        on_recording: Callable[[Prompt, FloatArray], None] | None = None,
    ) -> SessionResult:
        result = SessionResult()
        takes = max((p.takes for p in prompts if p.takes), default=1)
        self._speak(INTRO.format(takes=count_word(takes)))
        if self._ask is not None:
            self._speak(KEY_HELP)
        skipping: str | None = None
        for prompt in prompts:
            if prompt.word == skipping:
                result.skipped.append(prompt)
                continue
            answer = self._take(prompt)
            if isinstance(answer, str):
                if answer == "stop":
                    result.stopped = True
                    break
                skipping = prompt.word
                result.skipped.append(prompt)
                continue
            if answer is None:
                result.skipped.append(prompt)
                continue
            result.recorded.append((prompt, answer))
            if on_recording is not None:
                on_recording(prompt, answer)
        else:
            self._speak(DONE)
        return result

    def _take(self, prompt: Prompt) -> FloatArray | str | None:
        """The recording, "skip", "stop", or None when nothing was heard twice."""
        for attempt in range(2):
            if self._ask is not None:
                line = self._ask(f"Next: {prompt.phrase} ({prompt.take} of {prompt.takes}).")
                if line is None or line.strip().lower() in ("q", "quit", "stop"):
                    return "stop"
                if line.strip().lower() in ("s", "skip"):
                    return "skip"
            self._speak(prompt.said)
            microphone = self._open()
            try:
                samples = record_utterance(microphone, self._listen_seconds, self._clock)
            finally:
                microphone.close()
            if samples is not None:
                return samples
            self._speak(NOT_HEARD if attempt == 0 else MOVE_ON)
        return None
