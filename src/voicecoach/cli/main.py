"""The `voicecoach` command: builds the parser from the sub-command modules of this package
and runs one.

Errors of the VoiceCoachError family are caught here, once: the message goes to stderr
and the process exits with the error's code (2 for bad input), without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Callable, Sequence

from voicecoach import __version__
from voicecoach.errors import VoiceCoachError

RunFunction = Callable[[argparse.Namespace], int]
MODULE_OF = {"list": "list_scripts"}
"""Sub-commands whose module is not named after them (others: "eval-self" -> eval_self)."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with `only` one sub-command registered (the one being run:
    importing every command's modules would make a quick `voicecoach history` slow)."""
    parser = argparse.ArgumentParser(
        prog="voicecoach",
        description="Hands-free, voice-guided exercise sessions for bed or chair. "
        "Not medical advice: stop if anything hurts and ask your physiotherapist or GP.",
    )
    parser.add_argument("--version", action="version", version=f"voicecoach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [only] if only else command_names():
        module = importlib.import_module(f"voicecoach.cli.{name}")
        module.register(sub)
    return parser


COMMANDS = (
    "check",
    "enrol",
    "eval_commands",
    "eval_self",
    "history",
    "install_launcher",
    "list_scripts",
    "model",
    "plan",
    "play",
    "preview",
    "report",
    "settings",
    "show",
    "start",
    "validate",
)
"""The sub-command modules of this package (its other modules are helpers)."""


def command_names() -> list[str]:
    return sorted(COMMANDS)


def _command_in(argv: Sequence[str]) -> str | None:
    """The sub-command named by the first argument, when it is one ("list" for "list")."""
    if argv and not argv[0].startswith("-"):
        name = MODULE_OF.get(argv[0], argv[0].replace("-", "_"))
        if name in COMMANDS:
            return name
    return None


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(given))
    args = parser.parse_args(given)
    run: RunFunction | None = getattr(args, "run", None)
    if run is None:
        # No sub-command: the hands-free start, when it exists; else help.
        start = parser.parse_args(["start", *given]) if _has_start(parser) else None
        if start is None:
            parser.print_help(sys.stderr)
            return 2
        args, run = start, start.run
    previous = _closing_on_sigterm()
    try:
        return run(args)
    except VoiceCoachError as error:
        print(f"voicecoach: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): nothing more to say, and no traceback.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("voicecoach: stopped.", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _closing_on_sigterm() -> signal.Handlers | Callable[..., object] | int | None:
    """SIGTERM (a closed terminal, `kill`) ends a command as Ctrl-C does, so a session
    records that it was closed. Returns the handler to put back (None off the main thread)."""

    def close(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, close)
    except ValueError:  # not the main thread: leave signals alone
        return None


def _has_start(parser: argparse.ArgumentParser) -> bool:
    for action in parser._actions:  # argparse offers no public way to list sub-commands
        if isinstance(action, argparse._SubParsersAction):
            return "start" in action.choices
    return False


if __name__ == "__main__":
    sys.exit(main())
