"""The sherpa-onnx keyword spotter behind the Recognizer interface.

Keywords are made at run time from the phrases to listen for: each phrase is spelt in the
model's word pieces (bpe_tokens.py) with a per-phrase boost and trigger threshold. Every
detection is final (the spotter has no partial results) and is reported once: the stream
is reset right after it, as sherpa-onnx requires.

Measured defaults (docs/recognition.md has the commands): a boost lower than sherpa's
default 1.0 helps short words survive the search; the threshold is the probability a
keyword must reach to fire.

Staggered streams: with the model measured here, whether a word is spotted depends on
where it falls in a 1.6 s cycle counted from the start of the stream (the cycle is 64
frames of left context plus a 16-frame chunk): in the weak part of the cycle a word was
found about a third as often. Three streams whose starts are spread over the cycle always
have one in its strong part; a detection by any stream counts, and all streams start
afresh, staggered again, from there (the cycle restarts at a reset, so resetting them
together would line them up). One spoken word is reported once. The cost is three times
the (small) decoding work of one stream.

Where the word was said: the spotter's result carries a time for each word piece, counted
from the stream's latest restart. sherpa-onnx 2.0.1 restarts a stream by itself after
1.6 s without a word piece (40 frames of blank; measured: in silence the times wrap every
1.6 s, after speech 1.6 s after its last piece), which is also why accuracy cycles with
position. Restarts fall on the 0.32 s decoding-chunk grid, and a keyword fires
num_trailing_blanks + 1 frames after its last piece, inside the chunk just decoded; so
counting the chunks each stream has decoded places the pieces on the stream's time line
(`word_span`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicecoach.errors import ModelError
from voicecoach.listening.answers import ScoreGroup
from voicecoach.listening.bpe_tokens import PieceTokenizer
from voicecoach.listening.recognizer import SAMPLE_RATE, Detection
from voicecoach.listening.vad import SpeechEnds, silero_or_none
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, SCORE_FRAMES, Answer

log = logging.getLogger(__name__)

Tuning = Mapping[str, tuple[float, float]]
"""phrase -> (boost, threshold)."""

DEFAULT_BOOST = 0.1
"""Boost of a one-piece phrase ("go", "no", "two"); longer phrases: BOOST_BY_PIECES."""
BOOST_BY_PIECES: Mapping[int, float] = {1: DEFAULT_BOOST, 2: 0.25}
BOOST_LONG = 0.5
"""Boost of a phrase of three or more pieces ("stop" is ▁ST O P)."""
DEFAULT_THRESHOLD = 0.05
DEFAULT_TUNING: dict[str, tuple[float, float]] = {"stop": (1.0, DEFAULT_THRESHOLD)}
"""Per-phrase (boost, threshold) where measurement found the rule above wrong: "stop" is
heard more often with a higher boost (the safety word: a false stop halts the session,
the safe side to err on)."""


def default_tuning(phrase: str, pieces: int) -> tuple[float, float]:
    """The measured (boost, threshold) for a phrase spelt in `pieces` word pieces.

    The boost is added per piece, so short words are drowned by a boost that long ones
    need to survive the search (measured: docs/recognition.md).
    """
    if phrase in DEFAULT_TUNING:
        return DEFAULT_TUNING[phrase]
    return BOOST_BY_PIECES.get(pieces, BOOST_LONG), DEFAULT_THRESHOLD


SOUND_ALIKE: Mapping[str, Sequence[str]] = {"two": ("to", "too"), "four": ("for",)}
"""Words the model may spell another way when it hears the phrase: extra keywords for it."""
DEFAULT_STREAMS = 3
FLUSH_SECONDS = 1.6
"""How much audio before the end of speech is decoded again."""
FLUSH_OFFSETS = (0.0, 0.5)
"""Starts of the fresh streams within that audio (the word's place in the chunk grid
matters; two starts half a second apart measured best)."""
MIN_SECOND_LOOK = SAMPLE_RATE // 4
"""Less audio than this (after the last detection) is not decoded again."""
SECOND_LOOK_PADDING = np.zeros(SAMPLE_RATE * 2 // 5, dtype=np.float32)
"""0.4 s of silence after it, so the spotter decodes the last chunk and its look-ahead."""
SECOND_LOOK_TUNING: tuple[float, float] | None = (1.0, 0.05)
"""Least boost and most threshold of answers (numbers, yes, no, ...) in the second look,
looser than live: it runs only on a finished utterance while a question waits. Chosen on
the tune half of the dev recordings: answers heard 79.3 % -> 82.3 %, non-command words
firing unchanged (4.8 %); a boost of 2.0 heard 82.9 % but fired 5.7 %."""
FRAME_SAMPLES = 640
"""One output frame of the model (10 ms features, subsampled 4x): timestamps are in these."""
CHUNK_FRAMES = 8
"""Output frames per decoded chunk (0.32 s): the grid on which the spotter restarts."""
TRAILING_BLANKS = 0
"""Blank frames after a keyword's last piece before it fires (sherpa's num_trailing_blanks)."""
ACCURACY_CYCLE = 1.6
"""Seconds after which the spotter's accuracy by position repeats (measured); the streams
start evenly spread over it."""


class KwsRecognizer:
    """Keyword spotting with a sherpa-onnx transducer model directory."""

    name = "kws"
    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        model_dir: Path,
        tuning: Tuning | None = None,
        *,
        boost: float | None = None,
        threshold: float | None = None,
        num_threads: int = 1,
        streams: int = DEFAULT_STREAMS,
        cycle: float = ACCURACY_CYCLE,
        sound_alike: Mapping[str, Sequence[str]] | None = None,
        speech_ends: SpeechEnds | bool | None = True,
        flush_offsets: Sequence[float] = FLUSH_OFFSETS,
        flush_seconds: float = FLUSH_SECONDS,
        second_look_tuning: tuple[float, float] | None = SECOND_LOOK_TUNING,
    ) -> None:
        """`tuning` gives (boost, threshold) per phrase (a voice profile); other phrases
        get default_tuning(), or one `boost` / `threshold` for all when given (measuring).
        `speech_ends` finds the ends of utterances for the quick second look (True: Silero
        VAD and energy; False: none, only the live streams)."""
        from voicecoach.store.models import kws_files

        files = kws_files(model_dir)
        self._tokenizer = PieceTokenizer.from_model_file(files.bpe_model)
        self._tuning = dict(tuning or {})
        self._sound_alike = {} if sound_alike is None else sound_alike
        self._boost = boost
        self._threshold = threshold
        self._spotter = _load_spotter(files, num_threads)
        self._labels: dict[str, str] = {}
        self._phrases: tuple[str, ...] = ()
        self._keywords = ""
        # Stream k of n hears the audio from k/n of a cycle on (see the module docstring).
        count = max(1, streams)
        self._offsets = [round(k * cycle / count * SAMPLE_RATE) for k in range(count)]
        self._streams: list[Any] = []
        self._starts: list[int] = []
        self._chunks: list[int] = []
        self._fed = 0
        if speech_ends is True:
            speech_ends = SpeechEnds(silero_or_none())
        self._speech_ends = speech_ends or None
        self._flush_offsets = [round(o * SAMPLE_RATE) for o in flush_offsets]
        self._flush_samples = round(flush_seconds * SAMPLE_RATE)
        self._second_look_tuning = second_look_tuning
        self._second_keywords = ""
        self._history = np.zeros(0, dtype=np.float32)
        self._heard_until = 0
        self._scores = ScoreGroup(DEFAULT_VOCABULARY)
        self.flushes = 0
        """How many times the last second was decoded again (for measuring its cost)."""

    def keyword_line(self, phrase: str, shared_boost: float | None = None) -> str | None:
        """The sherpa keyword entry for `phrase` (without its label), or None when the
        model cannot spell it. `shared_boost` caps a default boost (see keyword_lines)."""
        pieces = self._tokenizer.encode(phrase)
        if pieces is None:
            return None
        if phrase in self._tuning:
            boost, threshold = self._tuning[phrase]
        else:
            boost, threshold = default_tuning(phrase, len(pieces))
            if shared_boost is not None and phrase not in DEFAULT_TUNING:
                boost = min(boost, shared_boost)
            boost = boost if self._boost is None else self._boost
            threshold = threshold if self._threshold is None else self._threshold
        return f"{' '.join(pieces)} :{boost:g} #{threshold:g}"

    def keyword_lines(self, phrases: Sequence[str]) -> dict[str, str]:
        """phrase -> keyword entry, for the phrases the model can spell.

        Keywords that begin with the same piece share the spotter's search-graph nodes,
        which take the largest boost among them: "nought" (3 pieces) would lift "no"
        (one piece) to its boost, and "no" was then missed far more often (measured).
        So default boosts are capped at the smallest default boost of their group
        (phrases with their own tuning keep it).
        """
        first_piece: dict[str, str] = {}
        lowest: dict[str, float] = {}
        for phrase in phrases:
            pieces = self._tokenizer.encode(phrase)
            if pieces is None or phrase in self._tuning or phrase in DEFAULT_TUNING:
                continue
            first_piece[phrase] = pieces[0]
            boost = default_tuning(phrase, len(pieces))[0]
            lowest[pieces[0]] = min(boost, lowest.get(pieces[0], boost))
        lines: dict[str, str] = {}
        for phrase in phrases:
            group = first_piece.get(phrase)
            line = self.keyword_line(phrase, None if group is None else lowest[group])
            if line is not None:
                lines[phrase] = line
        return lines

    def set_tuning(self, tuning: Tuning) -> None:
        """New per-phrase (boost, threshold); the keyword list is rebuilt."""
        self._tuning = dict(tuning)
        self.set_phrases(self._phrases)

    def set_phrases(self, phrases: Sequence[str]) -> None:
        entries: list[str] = []
        second: list[str] = []
        self._labels = {}
        self._phrases = tuple(dict.fromkeys(phrases))
        self._scores.clear()
        if any(DEFAULT_VOCABULARY.score_of([p]) is not None for p in self._phrases):
            # Heard, and held with the scores, so "five out of ten" is not also a ten.
            self._phrases += tuple(f for f in SCORE_FRAMES if f not in self._phrases)
        spellings = {
            phrase: [phrase, *(s for s in self._sound_alike.get(phrase, ()) if s not in phrases)]
            for phrase in self._phrases
        }
        lines = self.keyword_lines([s for group in spellings.values() for s in group])
        for phrase in self._phrases:
            if phrase not in lines:
                log.warning("The keyword spotter cannot spell %r; it is not listened for.", phrase)
                continue
            label = f"p{len(self._labels)}"  # labels may not hold spaces
            self._labels[label] = phrase
            entries += [f"{lines[s]} @{label}" for s in spellings[phrase] if s in lines]
            looser = self._second_look_tuning if is_answer(phrase) else None
            second += [
                f"{with_tuning(lines[s], looser)} @{label}" for s in spellings[phrase] if s in lines
            ]
        self._keywords = "/".join(entries)
        self._second_keywords = "/".join(second)
        self._restart(self._fed)

    def accept(self, samples: npt.NDArray[np.float32]) -> list[Detection]:
        samples = np.asarray(samples, dtype=np.float32)
        self._history = np.concatenate([self._history, samples])[-self._flush_samples :]
        ended = [] if self._speech_ends is None else self._speech_ends.feed(samples)
        heard = self._accept_live(samples)
        if not heard and ended and ended[-1].end > self._heard_until:
            found = self._second_look()
            heard = [] if found is None else [found]
            if heard:
                self._restart(self._fed)  # the live streams must not report it again
        if heard:
            self._heard_until = self._fed
        reported = [d for d in heard if not self._scores.holds(d)]
        speaking = None if self._speech_ends is None else self._speech_ends.speaking
        return reported + self._scores.release(self._fed, speaking=speaking)

    def _accept_live(self, samples: npt.NDArray[np.float32]) -> list[Detection]:
        start, self._fed = self._fed, self._fed + len(samples)
        for k, (stream, begin) in enumerate(zip(self._streams, self._starts, strict=True)):
            if begin >= self._fed:
                continue
            stream.accept_waveform(SAMPLE_RATE, samples[max(0, begin - start) :])
            found = self._decode(k)
            if found is not None:
                label, span = found
                # A detection ends every stream's view of this word: all start again,
                # staggered from here, so one spoken word is reported once.
                self._restart(self._fed)
                phrase = self._labels.get(label)
                if phrase is None:
                    return []
                started, ended = (None, None) if span is None else span
                return [Detection(phrase, True, self._fed, None, started, ended)]
        return []

    def reset(self) -> None:
        self._fed = 0
        self._history = np.zeros(0, dtype=np.float32)
        self._heard_until = 0
        self._scores.clear()
        if self._speech_ends is not None:
            self._speech_ends.reset()
        self._restart(0)

    def _second_look(self) -> Detection | None:
        """Speech has just ended: decode its last second or so again in fresh streams,
        padded with silence, so a word at its end is found now rather than when the live
        streams reach it. The live streams are left as they are (a miss here costs
        nothing), and no audio before the last detection is looked at again."""
        if not self._keywords:
            return None
        begin = max(self._heard_until, self._fed - len(self._history))
        self.flushes += 1
        for offset in self._flush_offsets:
            first = begin + offset
            if self._fed - first < MIN_SECOND_LOOK:
                continue
            audio = self._history[len(self._history) - (self._fed - first) :]
            stream = self._spotter.create_stream(self._second_keywords)
            stream.accept_waveform(SAMPLE_RATE, audio)
            stream.accept_waveform(SAMPLE_RATE, SECOND_LOOK_PADDING)
            chunks = 0
            while self._spotter.is_ready(stream):
                self._spotter.decode_stream(stream)
                chunks += 1
                result = self._spotter.keyword_spotter.get_result(stream)
                phrase = self._labels.get(result.keyword.strip())
                if phrase is None:
                    continue
                span = word_span(list(result.timestamps), chunks)
                if span is None:
                    return Detection(phrase, True, self._fed)
                start, end = first + span[0], min(first + span[1], self._fed)
                return Detection(phrase, True, self._fed, None, start, end)
        return None

    def _decode(self, k: int) -> tuple[str, tuple[int, int] | None] | None:
        """Decode what stream k can; (label, word span in stream samples) when it fires."""
        spotter, stream = self._spotter, self._streams[k]
        while spotter.is_ready(stream):
            spotter.decode_stream(stream)
            self._chunks[k] += 1
            # One call: sherpa drops a result it has already handed out.
            result = spotter.keyword_spotter.get_result(stream)
            label: str = result.keyword.strip()
            if label:
                span = word_span(list(result.timestamps), self._chunks[k])
                if span is None:
                    return label, None
                return label, (self._starts[k] + span[0], self._starts[k] + span[1])
        return None

    def _restart(self, at: int) -> None:
        """Fresh streams, stream k hearing the audio from `at` + k/n of a cycle on.

        Fresh rather than reset_stream(): the spotter's accuracy cycle starts again at a
        reset, and staggering the starts is what keeps one stream in its strong part.
        """
        if not self._keywords:
            self._streams, self._starts = [], []
            return
        try:
            self._streams = [self._spotter.create_stream(self._keywords) for _ in self._offsets]
        except ValueError as error:  # a piece missing from tokens.txt: model files disagree
            raise ModelError(
                f"The keyword-spotter model rejected the keyword list ({error}); its "
                "tokens.txt and bpe.model do not match. Download the model again."
            ) from error
        self._starts = [at + offset for offset in self._offsets]
        self._chunks = [0 for _ in self._offsets]


def is_answer(phrase: str) -> bool:
    """Is this table phrase an answer (only listened for while a question waits)?"""
    return isinstance(DEFAULT_VOCABULARY.lookup(phrase), Answer)


def with_tuning(line: str, tuning: tuple[float, float] | None) -> str:
    """A keyword entry ("pieces :boost #threshold") with its boost raised to at least, and its
    threshold lowered to at most, `tuning`'s."""
    if tuning is None:
        return line
    rest, _, threshold = line.rpartition(" #")
    pieces, _, boost = rest.rpartition(" :")
    return f"{pieces} :{max(float(boost), tuning[0]):g} #{min(float(threshold), tuning[1]):g}"


def word_span(
    timestamps: Sequence[float], chunks: int, trailing_blanks: int = TRAILING_BLANKS
) -> tuple[int, int] | None:
    """(first sample of the word, sample after its last piece) on a stream's own time line,
    from the pieces' times (seconds since the stream's latest restart) and the number of
    chunks the stream has decoded (the detection fired in the last one).

    The last piece ended trailing_blanks + 1 frames before the detection frame, which lies
    in the last chunk; restarts fall on whole chunks, so the restart before the word is
    the latest chunk boundary that puts the last piece no later than that.
    """
    if not timestamps or chunks < 1:
        return None
    frames = [round(t * SAMPLE_RATE / FRAME_SAMPLES) for t in timestamps]
    latest = CHUNK_FRAMES * chunks - 1 - (trailing_blanks + 1)
    restart = max(0, (latest - frames[-1]) // CHUNK_FRAMES * CHUNK_FRAMES)
    return (restart + frames[0]) * FRAME_SAMPLES, (restart + frames[-1] + 1) * FRAME_SAMPLES


def _load_spotter(files: Any, num_threads: int) -> Any:
    try:
        import sherpa_onnx
    except ImportError as error:
        raise ModelError(
            "The sherpa-onnx package is not installed: run `pip install sherpa-onnx` "
            "(or install voicecoach with its [audio] extra)."
        ) from error
    # The spotter wants a keywords file; ours are given per stream, so the file is empty.
    handle, empty = tempfile.mkstemp(prefix="voicecoach-keywords-", suffix=".txt")
    os.close(handle)
    try:
        spotter = sherpa_onnx.KeywordSpotter(
            tokens=str(files.tokens),
            encoder=str(files.encoder),
            decoder=str(files.decoder),
            joiner=str(files.joiner),
            keywords_file=empty,
            num_threads=num_threads,
            max_active_paths=4,
            num_trailing_blanks=TRAILING_BLANKS,
        )
        # A second of silence through the network catches a model that loads but cannot run.
        probe = spotter.create_stream("\u2581A :1 #0.99 @probe")
        probe.accept_waveform(SAMPLE_RATE, np.zeros(SAMPLE_RATE, dtype=np.float32))
        while spotter.is_ready(probe):
            spotter.decode_stream(probe)
    except (RuntimeError, ValueError, AssertionError) as error:
        raise ModelError(
            f"The keyword-spotter model in {files.encoder.parent} does not run ({error}). "
            "Download it again with `voicecoach model download --engine kws`."
        ) from error
    finally:
        os.unlink(empty)
    return spotter
