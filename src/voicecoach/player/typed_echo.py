"""Echo of a word typed after ":" on a plain terminal or a screen reader's lines."""

from __future__ import annotations

from collections.abc import Callable


class TypedEcho:
    """Shows a typed phrase on a plain terminal as the terminal itself would: each new
    character written, backspace rubbed out, a new line at the end."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._shown = ""

    def __call__(self, text: str, done: bool) -> None:
        if text.startswith(self._shown):
            out = text[len(self._shown) :]
        else:
            common = next(
                (i for i, (a, b) in enumerate(zip(text, self._shown, strict=False)) if a != b),
                min(len(text), len(self._shown)),
            )
            out = "\b \b" * (len(self._shown) - common) + text[common:]
        self._shown = "" if done else text
        self._write(out + ("\n" if done else ""))
