"""The session display: what a person sees on the large panel and on the plain lines."""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

import pytest
from rich.console import Console

from voicecoach.player.block_letters import big_text, big_wrapped, fit_name, half_height
from voicecoach.player.display import (
    Display,
    PlainDisplay,
    RichDisplay,
    make_display,
)
from voicecoach.player.keys import KEY_HELP
from voicecoach.session.events import Status

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
BOX_AND_BLOCKS = re.compile("[\u2500-\u259f]")


def status(**changes: Any) -> Status:
    base = Status(
        state="holding",
        script_title="Bed back basics",
        exercise="Bridging",
        exercise_number=2,
        exercise_count=6,
        side="left",
        set_number=2,
        set_count=3,
        rep_number=4,
        rep_count=10,
        countdown=7,
        countdown_label="hold",
        can_say=("stop", "pause", "pain", "easier", "help"),
        level=0,
        last_said="Lift your hips and hold.",
    )
    return dataclasses.replace(base, **changes)


def rich_display(height: int = 25) -> tuple[RichDisplay, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=80, height=height, force_terminal=True)
    return RichDisplay(console), out


def seen(out: io.StringIO) -> str:
    """The screen text without colour and cursor codes."""
    return ANSI.sub("", out.getvalue())


def big_rows_in(text: str, rows: list[str] | None) -> bool:
    assert rows is not None
    return all(row in text for row in rows if row.strip())


# ---------------------------------------------------------------- the large panel


def test_the_panel_shows_exercise_place_countdown_and_what_to_say() -> None:
    display, out = rich_display()
    display.show(status())
    screen = seen(out)
    assert "Bed back basics · Exercise 2 of 6" in screen
    assert big_rows_in(screen, big_text("BRIDGING"))
    assert "Left side · Set 2 of 3 · Rep 4 of 10" in screen
    assert big_rows_in(screen, big_text("HOLD 1"))
    assert "Hold: 7 seconds left" in screen
    assert "“Lift your hips and hold.”" in screen
    assert "You can say: stop, pause, pain, easier, help." in screen
    assert "Keys now: s stop, space pause, p pain, e easier, ? help." in screen
    display.close()


def test_the_hold_count_is_twice_as_big_when_the_terminal_is_tall() -> None:
    display, out = rich_display(height=40)
    display.show(status(countdown=12))
    assert big_rows_in(seen(out), big_text("HOLD 1", scale=2))
    display.close()


def test_the_big_hold_number_counts_up_with_the_voice() -> None:
    """The voice says "Hold." then "two", "three", ... a second apart: the big figure shows
    the number last said, never the seconds left."""
    display, out = rich_display()
    for left, said in zip(range(5, 0, -1), range(1, 6), strict=True):
        start = len(seen(out))
        display.show(status(countdown=left))
        assert big_rows_in(seen(out)[start:], big_text(f"HOLD {said}"))
        assert f"Hold: {left} second" in seen(out)[start:]
    # The next rep's hold starts again from one.
    start = len(seen(out))
    display.show(status(countdown=5, rep_number=5))
    assert big_rows_in(seen(out)[start:], big_text("HOLD 1"))
    display.close()


def test_long_rests_show_minutes_and_seconds() -> None:
    display, out = rich_display()
    display.show(status(countdown=90, countdown_label="rest", state="resting"))
    screen = seen(out)
    assert big_rows_in(screen, big_text("REST 1:30"))
    assert "Rest: 90 seconds left" in screen
    display.close()


def test_the_countdown_is_yellow() -> None:
    display, out = rich_display()
    display.show(status())
    count_row = next(r for r in (big_text("HOLD 1") or []) if r.strip())
    line = next(line for line in out.getvalue().splitlines() if count_row in ANSI.sub("", line))
    assert "\x1b[1;33;40m" in line  # bold yellow on black
    display.close()


def test_nothing_is_redrawn_while_the_status_stays_the_same() -> None:
    display, out = rich_display()
    display.show(status())
    drawn = len(out.getvalue())
    display.show(status())
    display.show(status())
    assert len(out.getvalue()) == drawn
    first = len(seen(out))
    display.show(status(countdown=6))
    assert len(out.getvalue()) > drawn
    assert big_rows_in(seen(out)[first:], big_text("HOLD 2"))
    display.close()


def test_the_last_sentence_said_replaces_the_one_before() -> None:
    display, out = rich_display()
    display.show(status())
    start = len(seen(out))
    display.said("And relax.")
    assert "“And relax.”" in seen(out)[start:]
    assert "Lift your hips" not in seen(out)[start:]
    display.close()


def test_a_note_is_shown() -> None:
    display, out = rich_display()
    display.show(status())
    display.note("Microphone lost: use the keyboard.")
    assert "Microphone lost: use the keyboard." in seen(out)
    display.close()


def test_a_paused_session_says_so_in_big_letters() -> None:
    display, out = rich_display()
    display.show(
        status(state="paused", countdown=None, countdown_label=None, can_say=("continue", "stop"))
    )
    screen = seen(out)
    assert big_rows_in(screen, big_text("PAUSED"))
    assert "Paused." in screen
    assert "You can say: continue, stop." in screen
    display.close()


def test_reps_show_big_when_nothing_counts_down() -> None:
    display, out = rich_display()
    display.show(status(state="counting", countdown=None, countdown_label=None, level=-1))
    screen = seen(out)
    assert big_rows_in(screen, big_text("REP 4/10"))
    assert "Left side · Set 2 of 3 · Rep 4 of 10 · Easier" in screen
    display.close()


def test_a_name_the_block_font_cannot_draw_is_shown_as_text() -> None:
    display, out = rich_display()
    display.show(status(exercise="Étirement doux"))
    assert "ÉTIREMENT DOUX" in seen(out)
    display.close()


def test_long_names_wrap_onto_two_lines_of_block_letters() -> None:
    rows = big_wrapped("Knee to chest stretch", width=76, max_lines=2)
    assert rows is not None
    assert len(rows) == 11  # two lines of 5 rows and a blank row between
    assert rows[:5] == big_text("KNEE TO CHEST")
    assert big_wrapped("Knee to chest stretch", width=76, max_lines=1) is None


def test_close_can_be_called_twice() -> None:
    display, _ = rich_display()
    display.show(status())
    display.close()
    display.close()


# ---------------------------------------------------------------- plain lines


def test_plain_lines_say_where_the_session_is() -> None:
    out = io.StringIO()
    display = PlainDisplay(out)
    display.show(status())
    assert out.getvalue().splitlines() == [
        "Bed back basics.",
        "Exercise 2 of 6: Bridging. Left side. Set 2 of 3. Rep 4 of 10.",
        "Hold: 7 seconds left",
        "Said: Lift your hips and hold.",
        "You can say: stop, pause, pain, easier, help.",
    ]


def test_a_cool_down_is_shown_as_the_voice_says_it_not_as_an_extra_exercise() -> None:
    out = io.StringIO()
    PlainDisplay(out).show(status(exercise="Slow breathing", exercise_number=7, cool_down=True))
    assert out.getvalue().splitlines()[1].startswith("Cool-down: Slow breathing.")
    display, big = rich_display()
    display.show(status(exercise="Slow breathing", exercise_number=7, cool_down=True))
    assert "Cool-down" in seen(big) and "Exercise 7 of 6" not in seen(big)


def test_plain_lines_appear_only_for_what_changed() -> None:
    out = io.StringIO()
    display = PlainDisplay(out)
    display.show(status())
    before = len(out.getvalue().splitlines())
    display.show(status())
    display.show(status(countdown=6))
    display.show(status(countdown=6))
    display.said("And relax.")
    display.show(
        status(countdown=None, countdown_label=None, state="speaking", last_said="And relax.")
    )
    display.show(
        status(
            countdown=None,
            countdown_label=None,
            state="paused",
            last_said="And relax.",
            can_say=("continue", "stop"),
        )
    )
    assert out.getvalue().splitlines()[before:] == [
        "Hold: 6 seconds left",
        "Said: And relax.",
        "Paused.",
        "You can say: continue, stop.",
    ]


def test_plain_lines_have_no_colour_boxes_or_cursor_movement() -> None:
    out = io.StringIO()
    display = PlainDisplay(out)
    display.show(status())
    display.show(status(countdown=1))
    display.note("Microphone lost: use the keyboard.")
    display.close()
    text = out.getvalue()
    assert "\x1b" not in text
    assert not BOX_AND_BLOCKS.search(text)
    assert "Hold: 1 second left" in text
    assert "Note: Microphone lost: use the keyboard." in text


def test_the_same_countdown_number_is_written_again_for_the_next_hold() -> None:
    out = io.StringIO()
    display = PlainDisplay(out)
    display.show(status(countdown=1))
    display.show(status(countdown=None, countdown_label=None))
    display.show(status(countdown=1, rep_number=5))
    assert out.getvalue().count("Hold: 1 second left") == 2


# ---------------------------------------------------------------- choosing


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("plain", "stream", "kind"),
    [
        (False, _Terminal(), RichDisplay),
        (True, _Terminal(), PlainDisplay),
        (False, io.StringIO(), PlainDisplay),
    ],
)
def test_make_display_picks_the_large_panel_only_on_a_terminal(
    plain: bool, stream: io.StringIO, kind: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    display: Display = make_display(plain, stream)
    assert isinstance(display, kind)
    display.close()


def test_a_dumb_terminal_gets_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert isinstance(make_display(False, _Terminal()), PlainDisplay)


# ---------------------------------------------------------------- issue 13: screen and keys


def test_a_long_name_stays_in_block_letters_on_an_80_by_24_terminal() -> None:
    name = "Seated knee extension with ankle pumps"
    display, out = rich_display(height=24)
    display.show(status(exercise=name))
    screen = seen(out)
    assert name.upper() not in screen
    assert big_rows_in(screen, big_wrapped(name, width=76, max_lines=3, half=True))
    assert len(screen.splitlines()) <= 24
    assert "Keys now:" in screen  # nothing at the bottom was pushed off
    display.close()


def test_half_height_letters_take_half_the_rows() -> None:
    rows = big_text("HI")
    assert rows is not None
    half = half_height(rows)
    assert len(half) == 3
    assert half[0].startswith("█  █")  # rows 1 and 2 both inked: a full block
    assert half[2].startswith("▀  ▀")  # the last font row in the upper half
    assert fit_name("Bridging", 76, 5) == big_text("BRIDGING")
    assert fit_name("Bridging", 76, 4) == half_height(big_text("BRIDGING") or [])
    assert fit_name("Bridging", 76, 2) is None


def test_a_cool_down_is_not_numbered_as_an_exercise() -> None:
    """The voice says "Cool-down: ..." and counts only the main exercises; the screen shows
    the engine's count and calls a cool-down a cool-down."""
    display, out = rich_display()
    display.show(status(exercise="Knee rocking", exercise_number=5, exercise_count=4))
    assert "Bed back basics · Cool-down" in seen(out)
    assert "Exercise 5 of 4" not in seen(out)
    display.close()
    plain = io.StringIO()
    PlainDisplay(plain).show(status(exercise="Knee rocking", exercise_number=5, exercise_count=4))
    assert "Cool-down: Knee rocking. Left side. Set 2 of 3. Rep 4 of 10." in plain.getvalue()


WAITING = {
    "state": "waiting for ready",
    "countdown": None,
    "countdown_label": None,
    "can_say": ("continue", "stop", "pain", "help"),
}


def test_with_voice_off_the_screen_words_everything_for_the_keys() -> None:
    display, out = rich_display()
    display.voice(False)
    display.note("Voice commands are off: no microphone. Use the keys.")
    display.show(status(**WAITING))
    screen = seen(out)
    assert "Press space when you are ready." in screen
    assert "Say continue" not in screen.replace("“", "")
    assert "You can say" not in screen
    assert "Keys now: space continue, s stop, p pain, ? help." in screen
    assert "Voice commands are off: no microphone. Use the keys." in screen
    # The microphone comes back: voice wording again, keys still listed.
    display.voice(True)
    later = seen(out)[len(screen) :]
    assert "Say continue when you are ready." in later
    assert "You can say: continue, stop, pain, help." in later
    assert "Keys now: space continue" in later
    display.close()


def test_a_note_never_takes_the_place_of_the_keys() -> None:
    display, out = rich_display()
    display.show(status())
    display.note("The microphone was lost. I will keep trying; keys still work.")
    display.note("The microphone is back.")
    last = seen(out).split("┏")[-1]
    assert "The microphone is back." in last
    assert "microphone was lost" not in last
    assert "Keys now: s stop, space pause, p pain, e easier, ? help." in last
    display.close()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"state": "waiting for done", "can_say": ("done", "pain")},
            "Press Enter when you have finished.",
        ),
        (
            {"state": "asking", "can_say": ("zero to ten", "skip", "stop", "pain")},
            "Type a number from 0 to 10, or press Enter to skip.",
        ),
        (
            {"state": "asking", "can_say": ("yes", "no", "stop", "pain")},
            "Press y for yes or n for no.",
        ),
    ],
)
def test_plain_lines_with_voice_off_say_which_key(changes: dict[str, Any], words: str) -> None:
    out = io.StringIO()
    display = PlainDisplay(out)
    display.voice(False)
    display.show(status(countdown=None, countdown_label=None, **changes))
    assert words in out.getvalue().splitlines()
    assert "You can say" not in out.getvalue()
    assert any(line.startswith("Keys now: ") for line in out.getvalue().splitlines())


def test_the_score_question_lists_its_keys() -> None:
    display, out = rich_display()
    display.show(
        status(
            state="asking",
            countdown=None,
            countdown_label=None,
            can_say=("zero to ten", "skip", "stop", "pain"),
        )
    )
    assert "Keys now: 0-10 zero to ten, Enter skip, s stop, p pain." in seen(out)
    display.close()


def test_the_key_legend_is_shown_before_the_session_starts() -> None:
    display, out = rich_display()
    display.legend(KEY_HELP)
    assert "y yes" in KEY_HELP and "n next or no" in KEY_HELP and "Enter skips" in KEY_HELP
    assert "Keys: space pause/continue" in seen(out)
    display.close()


def test_a_typed_word_is_echoed_on_both_displays() -> None:
    out = io.StringIO()
    plain = PlainDisplay(out)
    for text in ("m", "mo", "mor", "more", "mor", "more"):
        plain.typing(text, done=False)
    plain.typing("more", done=True)
    assert out.getvalue() == "more\b \be\n"  # as a terminal echoes: no line per letter
    display, screen = rich_display()
    display.show(status())
    display.typing("more res", done=False)
    assert "Typing: more res_" in seen(screen)
    display.typing("more rest", done=True)
    assert "Typed: more rest" in seen(screen)
    display.close()


def test_on_a_short_terminal_the_count_shrinks_so_the_keys_stay_on_screen() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, height=15, force_terminal=True)
    display = RichDisplay(console)
    display.show(status())
    panel = console.render_lines(display.render(), console.options, pad=False)
    assert len(panel) <= 15
    text = "\n".join("".join(segment.text for segment in line) for line in panel)
    assert "Keys now:" in text
    assert "“Lift your hips and hold.”" in text
    assert "HOLD 1" in text or big_rows_in(text, half_height(big_text("HOLD 1") or []))
    display.close()
