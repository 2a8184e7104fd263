"""Spell phrases in a keyword-spotter model's word pieces, reading its bpe.model directly.

The sherpa-onnx keyword spotter wants each keyword as a sequence of the model's
sentencepiece tokens ("stop" -> "▁ST O P"). sherpa_onnx.text2token needs the
`sentencepiece` package; the model file is a small protobuf and its unigram encoding is a
best-path search over piece scores, so reading it here avoids that dependency.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from pathlib import Path

from voicecoach.errors import ModelError

WORD_START = "\u2581"  # "▁", sentencepiece's mark for the start of a word
_NORMAL_PIECE = 1
_UNIGRAM = 1


class PieceTokenizer:
    """Unigram sentencepiece encoding of upper-cased words (as the English KWS models use)."""

    def __init__(self, scores: dict[str, float]) -> None:
        self._scores = scores
        self._longest = max((len(p) for p in scores), default=1)

    @classmethod
    def from_model_file(cls, path: Path) -> PieceTokenizer:
        try:
            data = path.read_bytes()
            scores, model_type = _read_model(data)
        except (OSError, ValueError, IndexError, struct.error) as error:
            raise ModelError(
                f"{path}: cannot read the word-piece model ({error}); download the model again"
            ) from None
        if model_type != _UNIGRAM:
            raise ModelError(
                f"{path}: word-piece model type {model_type} is not supported (unigram only)"
            )
        return cls(scores)

    def encode(self, phrase: str) -> list[str] | None:
        """The pieces of `phrase` (words upper-cased), or None when a character has no piece."""
        pieces: list[str] = []
        for word in phrase.upper().split():
            best = self._encode_word(WORD_START + word)
            if best is None:
                return None
            pieces.extend(best)
        return pieces or None

    def _encode_word(self, word: str) -> list[str] | None:
        n = len(word)
        best = [-math.inf] * (n + 1)
        back = [0] * (n + 1)
        best[0] = 0.0
        for start in range(n):
            if best[start] == -math.inf:
                continue
            for end in range(start + 1, min(n, start + self._longest) + 1):
                score = self._scores.get(word[start:end])
                if score is not None and best[start] + score > best[end]:
                    best[end] = best[start] + score
                    back[end] = start
        if best[n] == -math.inf:
            return None
        pieces: list[str] = []
        end = n
        while end > 0:
            pieces.append(word[back[end] : end])
            end = back[end]
        return pieces[::-1]


def _read_model(data: bytes) -> tuple[dict[str, float], int]:
    """(normal piece -> score, model type) from a sentencepiece ModelProto."""
    scores: dict[str, float] = {}
    model_type = _UNIGRAM  # the proto's default
    for number, value in _fields(data):
        if number == 1 and isinstance(value, bytes):  # repeated SentencePiece
            piece = dict(_fields(value))
            text = piece.get(1)
            kind = piece.get(3, _NORMAL_PIECE)
            raw_score = piece.get(2, b"\0\0\0\0")
            if isinstance(text, bytes) and kind == _NORMAL_PIECE and isinstance(raw_score, bytes):
                scores[text.decode("utf-8")] = struct.unpack("<f", raw_score)[0]
        elif number == 2 and isinstance(value, bytes):  # TrainerSpec
            for spec_number, spec_value in _fields(value):
                if spec_number == 3 and isinstance(spec_value, int):
                    model_type = spec_value
    if not scores:
        raise ValueError("no word pieces found")
    return scores, model_type


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) pairs of a protobuf message; varints as int, the rest as bytes."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
            yield number, value
        elif wire == 1:
            yield number, data[i : i + 8]
            i += 8
        elif wire == 2:
            size, i = _varint(data, i)
            yield number, data[i : i + size]
            i += size
        elif wire == 5:
            yield number, data[i : i + 4]
            i += 4
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i
