"""`voicecoach start` (also plain `voicecoach`): choose a session by voice or keys, then play it.

Asks "Same as last time?" when there is a last time, then "Are you in bed or in a chair?"
(unless the default position is set), offers that position's scripts one at a time, and
plays the one chosen. Everything works by voice alone and by keys alone.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from voicecoach.cli.play import (
    add_session_options,
    list_devices_requested,
    plan_or_say_why,
    settings_or_say_why,
)
from voicecoach.config.settings import Settings
from voicecoach.player.live_session import LiveSession, SessionIO
from voicecoach.player.runner import play_session
from voicecoach.player.text_io import text_session_io
from voicecoach.script.library import load_library
from voicecoach.session.chooser import CHOOSER_KEY_HELP, ScriptChooser
from voicecoach.store.history import History


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "start", help="choose a session by voice or keys and play it (the default command)"
    )
    add_session_options(parser)
    parser.set_defaults(run=run)


@contextlib.contextmanager
def _session_io(
    args: argparse.Namespace, settings: Settings
) -> Iterator[tuple[SessionIO, tuple[str, ...]]]:
    if args.text:
        with text_session_io(settings.speech.rate, args.time_scale) as io:
            yield io, ()
        return
    from voicecoach.player.voice_player import voice_session_io

    with voice_session_io(settings, plain=args.plain, time_scale=args.time_scale) as pair:
        yield pair


def run(args: argparse.Namespace) -> int:
    if list_devices_requested(args):
        return 0
    settings = settings_or_say_why(args)
    plan_or_say_why(args)
    library = load_library()
    history = History()
    try:
        last = history.last_session()
        chooser = ScriptChooser(library, settings, last.script_id if last else None)
        with _session_io(args, settings) as (io, notices):
            # The keys for each question are on screen with it; the chooser's list of keys
            # is printed once (plain lines), not left as a note over the session.
            (io.display.legend if io.display is not None else print)(CHOOSER_KEY_HELP)
            LiveSession.over(chooser, io).run()
            if chooser.chosen is None:
                return 0
            play_session(chooser.chosen, settings, io, history=history, notices=notices)
    finally:
        history.close()
    return 0
