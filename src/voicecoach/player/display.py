"""What the person sees while a session plays: large text across a room, or plain lines.

Two displays behind one small Protocol, both fed the engine's `Status` on every tick:

- `RichDisplay`: a high-contrast panel redrawn in place (bold white on black, yellow for the
  countdown): the exercise name in block letters, "Left side · Set 2 of 3 · Rep 4 of 10", a
  big count for holds (counting up, as the voice counts) and a countdown for rests, the
  last sentence said, what can be said now and the keys for it.
- `PlainDisplay`: one plain line per change, no colour, boxes or cursor movement, for screen
  readers, pipes and plain terminals.

Both do nothing when the status has not changed, so calling `show` every tick is cheap.
While voice commands are off (no microphone, no model), both word things for the keys
("Press space when you are ready.") instead of for the voice.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol, TextIO

from voicecoach.player.block_letters import (
    FONT_ROWS,
    HALF_ROWS,
    big_text,
    big_width,
    fit_name,
    half_height,
)
from voicecoach.player.keys import key_state_words, keys_line
from voicecoach.player.typed_echo import TypedEcho
from voicecoach.session.events import Status

if TYPE_CHECKING:  # rich is imported when a RichDisplay is made, not by every command
    from rich.console import Console, RenderableType
    from rich.live import Live
    from rich.text import Text


class Display(Protocol):
    def show(self, status: Status) -> None:
        """The session's status now; called every tick, redraws only on change."""

    def said(self, text: str) -> None:
        """A sentence the player has just started to say."""

    def note(self, text: str) -> None:
        """Something the person should know that is not part of the script
        (e.g. "Microphone lost: use the keyboard"); the latest note replaces the last."""

    def legend(self, text: str) -> None:
        """The list of all keys, shown before the session starts."""

    def voice(self, on: bool) -> None:
        """Voice commands work (True) or not (False): word things for the keys when not."""

    def typing(self, text: str, done: bool) -> None:
        """A word being typed after ":" (the terminal does not echo keys in key mode)."""

    def close(self) -> None:
        """Leave the terminal usable; safe to call twice."""


def make_display(plain: bool, stream: TextIO) -> Display:
    """RichDisplay on a terminal unless `plain`; PlainDisplay otherwise."""
    if not plain and _is_terminal(stream):
        from rich.console import Console

        return RichDisplay(Console(file=stream))
    return PlainDisplay(stream)


def _is_terminal(stream: TextIO) -> bool:
    import os

    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except ValueError:  # a closed stream is no terminal
        return False


# ---------------------------------------------------------------- words shared by both

# States worth a word of their own; the others show through the count and the last sentence.
STATE_WORDS = {
    "paused": "Paused.",
    "stopped": "Stopped.",
    "waiting for done": "Say done when you have finished.",
    "taking a rest": "Resting.",
    "resting after pain": "Resting. Say ready when you want to go on.",
    "waiting for ready": "Say continue when you are ready.",
    "asking": "Waiting for your answer.",
    "ended": "Session ended.",
}


def state_words(status: Status, voice: bool) -> str:
    keys = None if voice else key_state_words(status)
    return keys or STATE_WORDS.get(status.state, "")


def exercise_heading(status: Status) -> str:
    """ "Exercise 2 of 6" from the engine's Status; a cool-down is not numbered (the voice
    says "Cool-down: ..." and counts only the main exercises)."""
    if status.exercise is None:
        return ""
    if (
        status.cool_down
        or status.exercise_count < 1
        or status.exercise_number > status.exercise_count
    ):
        return "Cool-down"
    return f"Exercise {status.exercise_number} of {status.exercise_count}"


def place_line(status: Status, separator: str = " · ") -> str:
    """ "Left side · Set 2 of 3 · Rep 4 of 10"; empty outside an exercise."""
    if status.exercise is None:
        return ""
    parts = []
    if status.side:
        parts.append(f"{status.side.capitalize()} side")
    if status.set_number >= 1 and status.set_count >= 1:
        parts.append(f"Set {status.set_number} of {status.set_count}")
    if status.rep_number >= 1 and status.rep_count >= 1:
        parts.append(f"Rep {status.rep_number} of {status.rep_count}")
    if status.level:
        steps = abs(status.level)
        kind = "Easier" if status.level < 0 else "Harder"
        parts.append(kind if steps == 1 else f"{kind} ×{steps}")
    return separator.join(parts)


def clock_text(seconds: int) -> str:
    """Seconds as the big countdown shows them: 45, 1:30, 10:00."""
    if seconds < 60:
        return str(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def seconds_words(seconds: int) -> str:
    return "1 second" if seconds == 1 else f"{seconds} seconds"


def can_say_line(status: Status) -> str:
    return f"You can say: {', '.join(status.can_say)}." if status.can_say else ""


class HoldCount:
    """The number the voice last counted in a hold ("Hold." is one, then "two", ...), from
    the seconds left: the big figure counts up with the voice, never against it."""

    def __init__(self) -> None:
        self._length = 0
        self._left = 0
        self._where: tuple[object, ...] | None = None

    def number(self, status: Status) -> int | None:
        if status.countdown_label != "hold" or status.countdown is None:
            self._where = None
            return None
        where = (status.exercise, status.side, status.set_number, status.rep_number)
        if where != self._where or status.countdown > self._left:
            # A new hold (or the same rep's hold started again after a pause).
            self._where, self._length = where, status.countdown
        self._left = status.countdown
        return self._length - status.countdown + 1


# ---------------------------------------------------------------- plain lines


class PlainDisplay:
    """One line per change, nothing else: screen readers read each line once."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last: dict[str, str] = {}
        self._lock = threading.Lock()
        self._voice = True
        self._typed = TypedEcho(self._write_raw)

    def show(self, status: Status) -> None:
        lines = {
            "title": f"{status.script_title}.",
            "where": self._where(status),
            "state": state_words(status, self._voice),
            "count": self._count(status),
            "said": f"Said: {status.last_said}" if status.last_said else "",
            "can say": can_say_line(status) if self._voice else keys_line(status),
        }
        with self._lock:
            for slot, line in lines.items():
                self._put(slot, line)

    def said(self, text: str) -> None:
        with self._lock:
            self._put("said", f"Said: {text}")

    def note(self, text: str) -> None:
        with self._lock:
            self._write(f"Note: {text}")

    def legend(self, text: str) -> None:
        with self._lock:
            self._write(text)

    def voice(self, on: bool) -> None:
        self._voice = on

    def typing(self, text: str, done: bool) -> None:
        # As a terminal echoes: a screen reader reads each letter once, then the line.
        with self._lock:
            self._typed(text, done)

    def close(self) -> None:
        self._stream.flush()

    def _put(self, slot: str, line: str) -> None:
        """Write `line` if it differs from the last line of its slot; an empty line
        writes nothing but lets the same text be written again later."""
        if self._last.get(slot) == line:
            return
        self._last[slot] = line
        if line:
            self._write(line)

    def _write(self, line: str) -> None:
        self._write_raw(line + "\n")

    def _write_raw(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()  # a screen reader reads the line now, not at exit

    @staticmethod
    def _where(status: Status) -> str:
        if status.exercise is None:
            return ""
        place = place_line(status, separator=". ")
        head = f"{exercise_heading(status)}: {status.exercise}."
        return f"{head} {place}." if place else head

    @staticmethod
    def _count(status: Status) -> str:
        if status.countdown is None:
            return ""
        label = (status.countdown_label or "time").capitalize()
        return f"{label}: {seconds_words(status.countdown)} left"


# ---------------------------------------------------------------- large display

_TEXT = "bold white on black"
_COUNT = "bold yellow on black"
_NOTE = "bold black on yellow"


class RichDisplay:
    """A high-contrast panel, redrawn in place only when something on it changes."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._status: Status | None = None
        self._said = ""
        self._note = ""
        self._legend = ""
        self._voice = True
        self._hold = HoldCount()
        self._live: Live | None = None
        self._lock = threading.Lock()

    def show(self, status: Status) -> None:
        with self._lock:
            if status == self._status:
                return
            if status.last_said and (
                self._status is None or status.last_said != self._status.last_said
            ):
                self._said = status.last_said
            self._status = status
            self._redraw()

    def said(self, text: str) -> None:
        with self._lock:
            if text != self._said:
                self._said = text
                self._redraw()

    def note(self, text: str) -> None:
        with self._lock:
            self._note = text
            self._redraw()

    def legend(self, text: str) -> None:
        with self._lock:
            self._legend = text
            self._redraw()

    def voice(self, on: bool) -> None:
        with self._lock:
            if on != self._voice:
                self._voice = on
                self._redraw()

    def typing(self, text: str, done: bool) -> None:
        self.note(f"Typed: {text}" if done else f"Typing: {text}_")

    def close(self) -> None:
        with self._lock:
            if self._live is not None:
                self._live.stop()
                self._live = None

    def _redraw(self) -> None:
        renderable = self.render()
        if self._live is None:
            from rich.live import Live

            self._live = Live(
                renderable,
                console=self._console,
                auto_refresh=False,  # redraw on change only: no refresh thread
                redirect_stdout=False,
                redirect_stderr=False,
                vertical_overflow="crop",
            )
            self._live.start(refresh=True)
        else:
            self._live.update(renderable, refresh=True)

    def render(self) -> RenderableType:
        """The panel for the current status (public so it can be printed once)."""
        from rich import box
        from rich.console import Group
        from rich.panel import Panel
        from rich.text import Text

        width = max(20, self._console.size.width - 4)  # inside the border and padding
        height = self._console.size.height
        status = self._status
        parts: list[Text] = []
        if status is None:
            parts.append(Text(self._said or "Starting…", style=_TEXT))
            if self._legend:
                parts += [Text(""), Text(self._legend, style=_TEXT)]
        else:
            parts.extend(self._body(status, width, height))
            if self._said:
                parts += [Text(""), Text(f"“{self._said}”", style=_TEXT)]
        if self._note:
            parts += [Text(""), Text(self._note, style=_NOTE)]
        if status is not None and status.can_say:
            parts.append(Text(""))
            if self._voice:
                parts.append(Text(can_say_line(status), style=_TEXT))
            parts.append(Text(keys_line(status), style=_TEXT))
        return Panel(
            Group(*parts),
            box=box.HEAVY,
            style=_TEXT,
            border_style=_COUNT,
            padding=(0, 1),
        )

    def _body(self, status: Status, width: int, height: int) -> list[Text]:
        from rich.text import Text

        header = status.script_title
        if status.exercise is not None:
            header += f" · {exercise_heading(status)}"
        state = state_words(status, self._voice)
        if state:
            header += f" · {state}"
        parts = [Text(header, style=_TEXT)]

        # Rows for everything but the big blocks (borders, header, blank rows, place line,
        # the last sentence, the note, the can-say and keys lines; each may wrap), then the
        # room left for the name and the big count, the count first.
        fixed = 2 + _rows(header, width) + (status.countdown is not None)
        fixed += (1 + _rows(f"“{self._said}”", width)) if self._said else 0
        fixed += (1 + _rows(self._note, width)) if self._note else 0
        if status.can_say:
            fixed += 1 + _rows(keys_line(status), width)
            fixed += _rows(can_say_line(status), width) if self._voice else 0
        big = self._big_count(status)
        fixed += 2 if status.exercise is not None else 0
        fixed += 1 if big else 0
        room = height - fixed
        count_rows = FONT_ROWS if big else 0
        half_count = False
        name: list[str] | None = None
        if status.exercise is not None:
            name = fit_name(status.exercise, width, room - count_rows)
            if name is None and big:
                # A long name in small block letters beside a half-height count, rather
                # than the name falling out of block letters altogether.
                name = fit_name(status.exercise, width, room - HALF_ROWS)
                half_count = name is not None
            parts.append(Text(""))
            parts.append(
                Text("\n".join(name), style=_TEXT)
                if name
                else Text(status.exercise.upper(), style=_TEXT)
            )
            room -= len(name) if name else _rows(status.exercise, width)
            parts.append(Text(place_line(status), style=_TEXT))
        if big:
            # A countdown is twice the size when the room allows: it matters most from a bed.
            scale = (
                2
                if (
                    status.countdown is not None
                    and room >= 2 * FONT_ROWS
                    and big_width(big, 2) <= width
                )
                else 1
            )
            rows = big_text(big, scale) if big_width(big, scale) <= width else None
            if rows is not None and (half_count or room < FONT_ROWS):
                # A short terminal: the count at half height, or as text when even that
                # would push the keys off the bottom.
                rows = half_height(rows) if room >= HALF_ROWS else None
            parts.append(Text(""))
            style = _COUNT if status.countdown is not None else _TEXT
            parts.append(Text("\n".join(rows) if rows else big, style=style))
        if status.countdown is not None:
            label = (status.countdown_label or "time").capitalize()
            parts.append(Text(f"{label}: {seconds_words(status.countdown)} left", style=_COUNT))
        return parts

    def _big_count(self, status: Status) -> str:
        """What goes in big figures: the hold counted up as the voice counts it, the rest
        counted down, else PAUSED, else the rep."""
        held = self._hold.number(status)
        if held is not None:
            return f"HOLD {held}"
        if status.countdown is not None:
            label = (status.countdown_label or "").upper()
            return f"{label} {clock_text(status.countdown)}".strip()
        if status.state in ("paused", "stopped"):
            return status.state.upper()
        if status.exercise is not None and status.rep_number >= 1:
            return f"REP {status.rep_number}/{status.rep_count}"
        return ""


def _rows(text: str, width: int) -> int:
    """Terminal rows `text` takes when wrapped at `width` (0 for no text)."""
    return 0 if not text else sum(1 + len(part) // max(1, width) for part in text.split("\n"))


__all__ = [
    "Display",
    "PlainDisplay",
    "RichDisplay",
    "make_display",
]
