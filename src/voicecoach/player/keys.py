"""The keyboard side of a session: the key legend, key wording for the screen, and the
composer that turns key presses into what the engine should get.

Keys act at once, with three exceptions the composer handles, all while the engine asks
a question (the status shows it):

- a pain score of 10: "1" waits `TEN_WAIT_SECONDS` (on the session's clock) for a "0";
  any other key, or Enter, settles it as 1 at once;
- Enter with nothing typed skips a score question (the prompt says "or say skip");
- "n" answers no at a yes/no question (the legend says "y yes, n no").

Everything typed for a score is shown as it is typed.
"""

from __future__ import annotations

from collections.abc import Callable

from voicecoach.player.inputs import InputItem
from voicecoach.player.notices import Notice
from voicecoach.session.events import Status
from voicecoach.session.vocabulary import Answer, HeardWord

KEY_HELP = (
    "Keys: space pause/continue, p pain, s stop, i tingling, e easier, h harder, r repeat, "
    "n next or no, y yes, 0 to 10 for a pain score (Enter skips it), Enter for done, "
    "? help, : to type a word."
)

TEN_WAIT_SECONDS = 1.2
"""How long a typed "1" waits for a "0" before it counts as 1."""

ENTER = "\n"
SKIP_KEY = "n"
BACKSPACES = ("\x7f", "\b")

# The key for each word the engine (or the chooser) says can be said now.
_WORD_KEYS = {
    "pause": "space",
    "continue": "space",
    "stop": "s",
    "pain": "p",
    "easier": "e",
    "harder": "h",
    "rest": "t",
    "repeat": "r",
    "skip": "n",
    "next": "n",
    "help": "?",
    "done": "Enter",
    "yes": "y",
    "no": "n",
    "bed": "b",
    "chair": "c",
    "how many left": "l",
    "tingling": "i",
    "ready": "Enter",
    "more rest": "t",
    "zero to ten": "0-10",
}


def asks_for_score(status: Status | None) -> bool:
    return status is not None and status.state == "asking" and "zero to ten" in status.can_say


def asks_yes_no(status: Status | None) -> bool:
    return (
        status is not None
        and status.state == "asking"
        and "yes" in status.can_say
        and "no" in status.can_say
    )


def keys_line(status: Status) -> str:
    """ "Keys now: space pause, s stop, p pain": the keys for what can be said now."""
    score = asks_for_score(status)
    parts = []
    for word in status.can_say:
        key = "Enter" if score and word == "skip" else _WORD_KEYS.get(word)
        # A word with no key of its own is typed after ":".
        parts.append(f"{key} {word}" if key else f":{word}")
    return f"Keys now: {', '.join(parts)}." if parts else ""


def key_state_words(status: Status) -> str | None:
    """What a state asks of a person using the keys; None where the voice wording fits."""
    if status.state == "waiting for ready":
        return "Press space when you are ready."
    if status.state == "waiting for done":
        return "Press Enter when you have finished."
    if status.state == "resting after pain":
        return "Resting. Press Enter when you are ready."
    if status.state == "paused" or status.state == "stopped":
        return f"{status.state.capitalize()}. Press space to carry on."
    if asks_for_score(status):
        return "Type a number from 0 to 10, or press Enter to skip."
    if asks_yes_no(status):
        return "Press y for yes or n for no."
    return None


EARLY_ENTER = Notice(
    "Enter was too early: nothing is waiting for done yet. Press Enter again when asked.",
    "Enter was too early. Press it again when you have finished.",
)
ENTER_AT_YES_NO = Notice(
    "Enter does not answer this question: press y for yes or n for no.",
    "Press y for yes, or n for no.",
)


def unused_enter(status: Status | None) -> Notice:
    """What to tell a person whose Enter did nothing, so it is not lost in silence: at a
    yes/no question which keys answer it; during an exercise that it came before "done"
    was asked for; anywhere else (the start's questions) which keys act now."""
    if asks_yes_no(status):
        return ENTER_AT_YES_NO
    if status is None or status.exercise is not None:
        return EARLY_ENTER
    return Notice(f"Enter does nothing now. {keys_line(status)}".strip(), "Enter does nothing now.")


class KeyComposer:
    """Keys in, input items out; `show` puts what was typed on the screen."""

    def __init__(self, show: Callable[[str], None] | None = None) -> None:
        self._show = show or (lambda text: None)
        self._pending_one_until: float | None = None

    def deadline(self) -> float | None:
        """When a waiting "1" settles as 1 (None when nothing waits)."""
        return self._pending_one_until

    def due(self, now: float) -> list[InputItem]:
        """A "1" whose wait for a "0" is over."""
        if self._pending_one_until is not None and now >= self._pending_one_until:
            return self._settle_one()
        return []

    def key(self, key: str, now: float, status: Status | None) -> list[InputItem]:
        if self._pending_one_until is not None:
            if key == "0":
                self._pending_one_until = None
                self._show("Pain score typed: 10")
                return [_score_item(10)]
            if key == ENTER or key.isdigit():
                return self._settle_one() + ([] if key == ENTER else self.key(key, now, status))
            # Any other key (stop, pain, a slip of the finger) drops the half-typed score.
            self._pending_one_until = None
            self._show("Pain score cleared.")
            return [] if key in BACKSPACES else [InputItem("key", key)]
        if asks_for_score(status):
            if key == "1":
                self._pending_one_until = now + TEN_WAIT_SECONDS
                self._show("Pain score typed: 1 (type 0 now for 10)")
                return []
            if key.isdigit():
                self._show(f"Pain score typed: {key}")
                return [InputItem("key", key)]
            if key == ENTER:
                self._show("Pain score skipped.")
                return [InputItem("key", SKIP_KEY)]
        if asks_yes_no(status) and key.lower() == "n":
            return [InputItem("heard", "no", HeardWord(Answer.NO, "no"))]
        return [InputItem("key", key)]

    def _settle_one(self) -> list[InputItem]:
        self._pending_one_until = None
        self._show("Pain score typed: 1")
        return [_score_item(1)]


def _score_item(score: int) -> InputItem:
    text = str(score)
    return InputItem("heard", text, HeardWord(Answer(text), text))
