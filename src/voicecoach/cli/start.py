"""`voicecoach start` (also plain `voicecoach`): choose a session by voice or keys, then play it.

Asks "Same as last time?" when there is a last time, then "Are you in bed or in a chair?"
(unless the default position is set), offers that position's scripts one at a time, and
plays the one chosen. Everything works by voice alone and by keys alone.
"""

from __future__ import annotations

import argparse

from voicecoach.cli.play import (
    add_session_options,
    list_devices_requested,
    plan_or_say_why,
    settings_or_say_why,
)
from voicecoach.player.live_session import LiveSession
from voicecoach.player.voice_player import play_script, player_session
from voicecoach.script.library import load_library
from voicecoach.session.chooser import CHOOSER_KEY_HELP, ScriptChooser
from voicecoach.store.history import History


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "start", help="choose a session by voice or keys and play it (the default command)"
    )
    add_session_options(parser)
    parser.set_defaults(run=run)


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
        with player_session(
            settings, text=args.text, plain=args.plain, time_scale=args.time_scale
        ) as session:
            io = session.io
            # The keys for each question are on screen with it; the chooser's list of keys
            # is printed once (plain lines), not left as a note over the session.
            (io.display.legend if io.display is not None else print)(CHOOSER_KEY_HELP)
            LiveSession.over(chooser, io).run()
            if chooser.chosen is None:
                return 0
            play_script(chooser.chosen, settings, session, history=history)
    finally:
        history.close()
    return 0
