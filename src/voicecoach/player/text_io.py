"""Text in and out: printed speech, and typed words or single keys.

On a terminal, keys act at once (space pause/continue, p pain, s stop, e easier, h harder,
r repeat, n next or no, y yes, digits answer a score, Enter for done; keys.KEY_HELP); type
":" (or Tab) first to write a whole word or phrase, shown as it is typed, and press Enter.
From a pipe, each line is a word or phrase; a line of one character is a key; an empty line
is Enter. Printed lines are wrapped at the terminal's width between words, never inside one.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

from voicecoach.audio.utterance_timer import UtteranceTimer
from voicecoach.player.keys import KEY_HELP
from voicecoach.player.live_session import InputItem, SessionIO, queue_wait
from voicecoach.player.typed_echo import TypedEcho
from voicecoach.session.events import Say
from voicecoach.session.preview import speech_seconds

TYPE_A_WORD = "Type a word and press Enter."


class TextSpeech:
    """Prints what would be said; each sentence 'lasts' as long as saying it would."""

    def __init__(
        self, clock: Callable[[], float], rate_wpm: int, write: Callable[[str], None]
    ) -> None:
        self._timer = UtteranceTimer(clock)
        self._rate = rate_wpm
        self._write = write

    def say(self, say: Say) -> None:
        self._write(say.text if say.kind == "speech" else f"  {say.text}")
        self._timer.start(say.utterance_id, speech_seconds(say.text, self._rate))

    def stop(self) -> None:
        self._timer.stop()

    def finished(self) -> list[int]:
        return self._timer.finished()

    def busy(self) -> bool:
        return self._timer.busy()

    def cue(self, name: str) -> None:
        self._write(f"  ({name})")

    def change_volume(self, step: int) -> None:
        self._write("  (louder)" if step > 0 else "  (quieter)")


def read_lines(stream: TextIO, inputs: queue.Queue[InputItem]) -> None:
    """Line mode: one word/phrase per line; one character is a key; empty is Enter."""
    for raw in stream:
        line = raw.rstrip("\r\n")
        if line == "":
            inputs.put(InputItem("key", "\n"))
        elif len(line) == 1:
            inputs.put(InputItem("key", line))
        else:
            inputs.put(InputItem("heard", line.strip()))


def read_keys(
    stream: TextIO,
    inputs: queue.Queue[InputItem],
    echo: Callable[[str], None],
    typing: Callable[[str, bool], None] | None = None,
) -> None:
    """Key mode (a terminal in cbreak mode): keys act at once; ":" starts a typed phrase.

    The terminal does not echo in this mode, so what is typed is shown through `typing`
    (the text so far, and True once Enter ends it); by default as `echo` notes."""
    show = typing or (lambda text, done: echo(f"Typed: {text}" if done else f"Typing: {text}_"))
    typed: list[str] | None = None
    while True:
        ch = stream.read(1)
        if ch == "":
            return
        if typed is not None:
            if ch in ("\n", "\r"):
                show("".join(typed), True)
                inputs.put(InputItem("heard", "".join(typed).strip()))
                typed = None
                continue
            if ch in ("\x7f", "\b"):
                typed = typed[:-1]
            else:
                typed.append(ch)
            show("".join(typed), False)
            continue
        if ch in (":", "\t"):
            typed = []
            echo(TYPE_A_WORD)
        elif ch in ("\n", "\r"):
            inputs.put(InputItem("key", "\n"))
        else:
            inputs.put(InputItem("key", ch))


def wrapped(text: str, width: int) -> str:
    """`text` broken into lines of at most `width` columns between words (a word longer
    than a line stays whole); leading spaces (count words) are kept."""
    if width <= 0 or len(text) <= width:
        return text
    indent = text[: len(text) - len(text.lstrip(" "))]
    return textwrap.fill(
        text.strip(),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def terminal_width(stream: TextIO) -> int:
    """Columns to wrap printed lines at: the terminal's width, or 0 (no wrapping) when
    the output is not a terminal (a pipe, a screen reader's own buffer)."""
    try:
        if not stream.isatty():
            return 0
    except ValueError:  # a closed stream
        return 0
    return shutil.get_terminal_size().columns - 1


@contextlib.contextmanager
def keyboard(
    stream: TextIO,
    echo: Callable[[str], None],
    typing: Callable[[str, bool], None] | None = None,
    start: Callable[..., None] | None = None,
) -> Iterator[queue.Queue[InputItem]]:
    """Start reading the keyboard (or a pipe) in a background thread; `start(name, work,
    joinable=False)` starts it when given (the voice player's thread owner)."""
    inputs: queue.Queue[InputItem] = queue.Queue()
    restore: Callable[[], None] | None = None
    if stream.isatty() and os.name == "posix":
        import termios
        import tty

        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)

        def restore() -> None:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

        target: Callable[[], None] = lambda: read_keys(stream, inputs, echo, typing)  # noqa: E731
    else:
        target = lambda: read_lines(stream, inputs)  # noqa: E731
    # A daemon thread: reading stdin cannot be interrupted, and must not keep us alive.
    if start is not None:
        start("keyboard", lambda stop: target(), joinable=False)
    else:
        threading.Thread(target=target, name="keyboard", daemon=True).start()
    try:
        yield inputs
    finally:
        if restore is not None:
            restore()


def write_line(text: str) -> None:
    print(wrapped(text, terminal_width(sys.stdout)), flush=True)


def write_raw(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def stdin() -> TextIO:
    return sys.stdin


@contextlib.contextmanager
def text_session_io(rate_wpm: int, time_scale: float = 1.0) -> Iterator[SessionIO]:
    """Printed speech and typed input, for `play --text` and `start --text`."""
    from voicecoach.player.runner import ScaledClock

    clock = ScaledClock(time_scale)
    write_line(KEY_HELP)
    with keyboard(sys.stdin, write_line, TypedEcho(write_raw)) as inputs:
        yield SessionIO(
            output=TextSpeech(clock.now, rate_wpm, write_line),
            wait_for_input=clock.wait(queue_wait(inputs)),
            clock=clock.now,
            echo=write_line,
        )
