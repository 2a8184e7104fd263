"""What the person sees while a session plays: large text across a room, or plain lines.

Two displays behind one small Protocol, both fed the engine's `Status` on every tick:

- `RichDisplay`: a high-contrast panel redrawn in place (bold white on black, yellow for the
  countdown): the exercise name in block letters, "Left side · Set 2 of 3 · Rep 4 of 10", a
  big countdown for holds and rests, the last sentence said and what can be said now.
- `PlainDisplay`: one plain line per change, no colour, boxes or cursor movement, for screen
  readers, pipes and plain terminals.

Both do nothing when the status has not changed, so calling `show` every tick is cheap.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol, TextIO

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
        (e.g. "Microphone lost: use the keyboard")."""

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


# ---------------------------------------------------------------- plain lines


class PlainDisplay:
    """One line per change, nothing else: screen readers read each line once."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last: dict[str, str] = {}
        self._lock = threading.Lock()

    def show(self, status: Status) -> None:
        lines = {
            "title": f"{status.script_title}.",
            "where": self._where(status),
            "state": STATE_WORDS.get(status.state, ""),
            "count": self._count(status),
            "said": f"Said: {status.last_said}" if status.last_said else "",
            "can say": can_say_line(status),
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
        self._stream.write(line + "\n")
        self._stream.flush()  # a screen reader reads the line now, not at exit

    @staticmethod
    def _where(status: Status) -> str:
        if status.exercise is None:
            return ""
        place = place_line(status, separator=". ")
        head = (
            f"Cool-down: {status.exercise}."
            if status.cool_down
            else f"Exercise {status.exercise_number} of {status.exercise_count}: {status.exercise}."
        )
        return f"{head} {place}." if place else head

    @staticmethod
    def _count(status: Status) -> str:
        if status.countdown is None:
            return ""
        label = (status.countdown_label or "time").capitalize()
        return f"{label}: {seconds_words(status.countdown)} left"


# ---------------------------------------------------------------- block letters

# A 5-row block font: "#" is ink. Upper case only; text with other characters is shown
# as ordinary bold text instead.
_FONT: dict[str, tuple[str, ...]] = {
    "0": ("####", "#..#", "#..#", "#..#", "####"),
    "1": ("..#.", ".##.", "..#.", "..#.", ".###"),
    "2": ("####", "...#", "####", "#...", "####"),
    "3": ("####", "...#", ".###", "...#", "####"),
    "4": ("#..#", "#..#", "####", "...#", "...#"),
    "5": ("####", "#...", "####", "...#", "####"),
    "6": ("####", "#...", "####", "#..#", "####"),
    "7": ("####", "...#", "..#.", ".#..", ".#.."),
    "8": ("####", "#..#", "####", "#..#", "####"),
    "9": ("####", "#..#", "####", "...#", "####"),
    ":": (".", "#", ".", "#", "."),
    "/": ("...#", "..#.", ".#..", "#...", "#..."),
    "-": ("...", "...", "###", "...", "..."),
    "'": ("#", "#", ".", ".", "."),
    ".": (".", ".", ".", ".", "#"),
    " ": ("..", "..", "..", "..", ".."),
    "A": (".##.", "#..#", "####", "#..#", "#..#"),
    "B": ("###.", "#..#", "###.", "#..#", "###."),
    "C": (".###", "#...", "#...", "#...", ".###"),
    "D": ("###.", "#..#", "#..#", "#..#", "###."),
    "E": ("####", "#...", "###.", "#...", "####"),
    "F": ("####", "#...", "###.", "#...", "#..."),
    "G": (".###", "#...", "#.##", "#..#", ".###"),
    "H": ("#..#", "#..#", "####", "#..#", "#..#"),
    "I": ("###", ".#.", ".#.", ".#.", "###"),
    "J": ("..##", "...#", "...#", "#..#", ".##."),
    "K": ("#..#", "#.#.", "##..", "#.#.", "#..#"),
    "L": ("#...", "#...", "#...", "#...", "####"),
    "M": ("#...#", "##.##", "#.#.#", "#...#", "#...#"),
    "N": ("#...#", "##..#", "#.#.#", "#..##", "#...#"),
    "O": (".##.", "#..#", "#..#", "#..#", ".##."),
    "P": ("###.", "#..#", "###.", "#...", "#..."),
    "Q": (".##.", "#..#", "#..#", "#.#.", ".#.#"),
    "R": ("###.", "#..#", "###.", "#.#.", "#..#"),
    "S": (".###", "#...", ".##.", "...#", "###."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#..#", "#..#", "#..#", "#..#", ".##."),
    "V": ("#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#.#.#", "##.##", "#...#"),
    "X": ("#...#", ".#.#.", "..#..", ".#.#.", "#...#"),
    "Y": ("#...#", ".#.#.", "..#..", "..#..", "..#.."),
    "Z": ("####", "...#", ".##.", "#...", "####"),
}
FONT_ROWS = 5
_INK = "█"


def big_text(text: str, scale: int = 1) -> list[str] | None:
    """`text` in block letters, FONT_ROWS * scale rows; None if a character has no glyph."""
    glyphs = [_FONT.get(char) for char in text.upper()]
    if not glyphs or any(g is None for g in glyphs):
        return None
    rows = []
    for row in range(FONT_ROWS):
        cells = " ".join(g[row] for g in glyphs if g is not None)
        line = "".join((_INK if cell == "#" else " ") * scale for cell in cells)
        rows.extend([line.rstrip()] * scale)
    return rows


def big_width(text: str, scale: int = 1) -> int:
    """Columns `text` takes in block letters (0 when it cannot be drawn)."""
    glyphs = [_FONT.get(char) for char in text.upper()]
    if not glyphs or any(g is None for g in glyphs):
        return 0
    return scale * (sum(len(g[0]) for g in glyphs if g is not None) + len(glyphs) - 1)


def big_wrapped(text: str, width: int, max_lines: int) -> list[str] | None:
    """`text` in block letters, word-wrapped to `width` columns in at most `max_lines`
    lines of letters (a blank row between them); None when it does not fit."""
    lines: list[str] = []
    for word in text.split():
        if big_width(word) == 0:
            return None
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and big_width(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(word)
    if not lines or len(lines) > max_lines or any(big_width(line) > width for line in lines):
        return None
    rows: list[str] = []
    for line in lines:
        if rows:
            rows.append("")
        rows.extend(big_text(line) or [])
    return rows


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
        else:
            parts.extend(self._body(status, width, height))
            if self._said:
                parts += [Text(""), Text(f"“{self._said}”", style=_TEXT)]
        if self._note:
            parts += [Text(""), Text(self._note, style=_NOTE)]
        if status is not None and status.can_say:
            parts += [Text(""), Text(can_say_line(status), style=_TEXT)]
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
            header += (
                " · Cool-down"
                if status.cool_down
                else f" · Exercise {status.exercise_number} of {status.exercise_count}"
            )
        state = STATE_WORDS.get(status.state)
        if state:
            header += f" · {state}"
        parts = [Text(header, style=_TEXT)]

        # Rows for everything but the big blocks: borders, header, place line, blank rows,
        # the last sentence and the can-say line (each may wrap).
        used = 2 + 1 + 2 + 2 + _rows(self._said, width) + 2 * bool(self._note)
        used += 1 + _rows(can_say_line(status), width) + (status.countdown is not None)
        big = self._big_count(status)
        count_rows = FONT_ROWS if big else 0
        name_room = max(0, height - used - count_rows - 2)
        if status.exercise is not None:
            lines = 2 if name_room >= 2 * FONT_ROWS + 2 else 1
            name = big_wrapped(status.exercise, width, lines) if name_room > FONT_ROWS else None
            parts.append(Text(""))
            parts.append(
                Text("\n".join(name), style=_TEXT)
                if name
                else Text(status.exercise.upper(), style=_TEXT)
            )
            used += 1 + (len(name) if name else _rows(status.exercise, width))
            parts.append(Text(place_line(status), style=_TEXT))
        if big:
            # A countdown is twice the size when the room allows: it matters most from a bed.
            scale = (
                2
                if (
                    status.countdown is not None
                    and height - used >= 2 * FONT_ROWS + 1
                    and big_width(big, 2) <= width
                )
                else 1
            )
            rows = big_text(big, scale) if big_width(big, scale) <= width else None
            parts.append(Text(""))
            style = _COUNT if status.countdown is not None else _TEXT
            parts.append(Text("\n".join(rows) if rows else big, style=style))
        if status.countdown is not None:
            label = (status.countdown_label or "time").capitalize()
            parts.append(Text(f"{label}: {seconds_words(status.countdown)} left", style=_COUNT))
        return parts

    @staticmethod
    def _big_count(status: Status) -> str:
        """What goes in big figures: the countdown, else PAUSED, else the rep."""
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
    "big_text",
    "make_display",
]
