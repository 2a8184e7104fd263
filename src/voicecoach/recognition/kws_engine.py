"""The sherpa-onnx keyword spotter behind the Recognizer interface.

Keywords are made at run time from the phrases to listen for: each phrase is spelt in the
model's word pieces (bpe_tokens.py) with a per-phrase boost and trigger threshold. Every
detection is final (the spotter has no partial results) and is reported once: the stream
is reset right after it, as sherpa-onnx requires.

Measured defaults (docs/recognition.md has the commands): a boost lower than sherpa's
default 1.0 helps short words survive the search; the threshold is the probability a
keyword must reach to fire.

Two staggered streams: with the model measured here, whether a word is spotted depends on
where it falls in a 1.6 s cycle of the stream (64 frames of left context plus a 16-frame
chunk): a word in the weak part of the cycle was found about a third as often. A second
stream started 0.8 s later is in its strong part then; a detection by either stream
counts, and resets both so one spoken word is reported once. It doubles the (small)
decoding cost.
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
from voicecoach.recognition.bpe_tokens import PieceTokenizer
from voicecoach.recognition.recognizer import SAMPLE_RATE, Detection

log = logging.getLogger(__name__)

Tuning = Mapping[str, tuple[float, float]]
"""phrase -> (boost, threshold)."""

DEFAULT_BOOST = 0.1
DEFAULT_THRESHOLD = 0.10
DEFAULT_TUNING: dict[str, tuple[float, float]] = {}
"""Per-phrase (boost, threshold) where measurement found the defaults wrong."""
DEFAULT_STREAMS = 2
DEFAULT_STAGGER = 0.8
"""Seconds between the starts of the streams (half the 1.6 s accuracy cycle measured)."""


class KwsRecognizer:
    """Keyword spotting with a sherpa-onnx transducer model directory."""

    name = "kws"
    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        model_dir: Path,
        tuning: Tuning | None = None,
        *,
        boost: float = DEFAULT_BOOST,
        threshold: float = DEFAULT_THRESHOLD,
        num_threads: int = 1,
        streams: int = DEFAULT_STREAMS,
        stagger: float = DEFAULT_STAGGER,
        ignore_defaults: bool = False,
    ) -> None:
        """`tuning` overrides DEFAULT_TUNING per phrase; `ignore_defaults` drops
        DEFAULT_TUNING so every other phrase gets `boost` and `threshold` (for measuring)."""
        from voicecoach.model_store import kws_files

        files = kws_files(model_dir)
        self._tokenizer = PieceTokenizer.from_model_file(files.bpe_model)
        self._base_tuning: Tuning = {} if ignore_defaults else DEFAULT_TUNING
        self._tuning = {**self._base_tuning, **(tuning or {})}
        self._boost = boost
        self._threshold = threshold
        self._spotter = _load_spotter(files, num_threads)
        self._labels: dict[str, str] = {}
        self._phrases: tuple[str, ...] = ()
        self._keywords = ""
        # Stream k hears the audio from sample k * stagger on (see the module docstring).
        self._offsets = [round(k * stagger * SAMPLE_RATE) for k in range(max(1, streams))]
        self._streams: list[Any] = []
        self._fed = 0

    def keyword_line(self, phrase: str) -> str | None:
        """The sherpa keyword entry for `phrase` (without its label), or None when the
        model cannot spell it."""
        pieces = self._tokenizer.encode(phrase)
        if pieces is None:
            return None
        boost, threshold = self._tuning.get(phrase, (self._boost, self._threshold))
        return f"{' '.join(pieces)} :{boost:g} #{threshold:g}"

    def set_tuning(self, tuning: Tuning) -> None:
        """New per-phrase (boost, threshold) overrides; the keyword list is rebuilt."""
        self._tuning = {**self._base_tuning, **tuning}
        self.set_phrases(self._phrases)

    def set_phrases(self, phrases: Sequence[str]) -> None:
        entries: list[str] = []
        self._labels = {}
        self._phrases = tuple(dict.fromkeys(phrases))
        for phrase in self._phrases:
            line = self.keyword_line(phrase)
            if line is None:
                log.warning("The keyword spotter cannot spell %r; it is not listened for.", phrase)
                continue
            label = f"p{len(self._labels)}"  # labels may not hold spaces
            self._labels[label] = phrase
            entries.append(f"{line} @{label}")
        self._keywords = "/".join(entries)
        self._new_stream()

    def accept(self, samples: npt.NDArray[np.float32]) -> list[Detection]:
        start, self._fed = self._fed, self._fed + len(samples)
        samples = np.asarray(samples, dtype=np.float32)
        spotter = self._spotter
        found: list[Detection] = []
        for offset, stream in zip(self._offsets, self._streams, strict=True):
            if offset >= self._fed:
                continue
            stream.accept_waveform(SAMPLE_RATE, samples[max(0, offset - start) :])
            while spotter.is_ready(stream):
                spotter.decode_stream(stream)
                label = spotter.get_result(stream)
                if not label:
                    continue
                # Reset is required before decoding on; resetting every stream keeps the
                # others from reporting the same spoken word again.
                for other, other_stream in zip(self._offsets, self._streams, strict=True):
                    if other < self._fed:
                        spotter.reset_stream(other_stream)
                phrase = self._labels.get(label)
                if phrase is not None:
                    found.append(Detection(phrase, final=True, at_sample=self._fed))
        return found

    def reset(self) -> None:
        self._fed = 0
        self._new_stream()

    def _new_stream(self) -> None:
        if not self._keywords:
            self._streams = []
            return
        try:
            self._streams = [self._spotter.create_stream(self._keywords) for _ in self._offsets]
        except ValueError as error:  # a piece missing from tokens.txt: model files disagree
            raise ModelError(
                f"The keyword-spotter model rejected the keyword list ({error}); its "
                "tokens.txt and bpe.model do not match. Download the model again."
            ) from error


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
            num_trailing_blanks=1,
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
