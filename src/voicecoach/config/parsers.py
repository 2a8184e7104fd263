"""Parsers and show functions for settings values: text as written -> value -> text shown.

A parser takes the text as written (in the file or on the command line) and returns the
value, or raises InvalidValue saying why, e.g. "'fast' is not a number". A show function
turns a value back into the text shown by `voicecoach settings` and written to the file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any


class InvalidValue(Exception):
    """A value a parser refuses; the message says why, e.g. "'fast' is not a number"."""


Parser = Callable[[str], Any]
Show = Callable[[Any], str]


def whole(low: int, high: int) -> Parser:
    """A whole number from `low` to `high` ("120", "120.0")."""

    def parse(text: str) -> int:
        word = text.strip()
        try:
            number = float(word)
        except ValueError:
            raise InvalidValue(f"{text!r} is not a number") from None
        if not number.is_integer():
            raise InvalidValue(f"{text!r} is not a whole number")
        return int(_in_range(int(number), low, high, word))

    return parse


def number(low: float, high: float) -> Parser:
    """A finite number from `low` to `high`."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise InvalidValue(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise InvalidValue(f"{text!r} is not a number")
        return float(_in_range(value, low, high, text.strip()))

    return parse


def _in_range(value: float, low: float, high: float, written: str) -> float:
    if value < low:
        raise InvalidValue(f"{written} is too low")
    if value > high:
        raise InvalidValue(f"{written} is too high")
    return value


def choice(*options: str, none_word: str | None = None) -> Parser:
    """One of `options`; `none_word` (e.g. "ask") stands for None."""

    def parse(text: str) -> str | None:
        word = text.strip().lower()
        if none_word is not None and word == none_word:
            return None
        if word in options:
            return word
        raise InvalidValue(f"{text!r} is not one of the choices")

    return parse


_ON = {"on", "yes", "true", "1"}
_OFF = {"off", "no", "false", "0"}


def switch(text: str) -> bool:
    """On or off (also yes/no, true/false, 1/0)."""
    word = text.strip().lower()
    if word in _ON:
        return True
    if word in _OFF:
        return False
    raise InvalidValue(f"{text!r} is neither on nor off")


def name_or(default_word: str) -> Parser:
    """Free text (a voice, a device number or name), or `default_word` for None."""

    def parse(text: str) -> str | None:
        word = text.strip()
        if word.lower() in ("", default_word):
            return None
        return word

    return parse


def path_or_auto(text: str) -> str | None:
    """A folder (with ~ expanded), or "auto" for None."""
    word = text.strip()
    if word.lower() in ("", "auto"):
        return None
    return str(Path(word).expanduser())


def show_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if value.is_integer() else f"{value:g}"
    return str(value)


def show_switch(value: Any) -> str:
    return "on" if value else "off"


def show_or(none_word: str) -> Show:
    return lambda value: none_word if value is None else str(value)


def show_words(value: Any) -> str:
    return ", ".join(value) if value else "(none)"
