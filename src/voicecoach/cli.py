"""The `voicecoach` command: builds the parser from voicecoach.commands and runs one.

Errors of the VoiceCoachError family are caught here, once: the message goes to stderr
and the process exits with the error's code (2 for bad input), without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence

from voicecoach import __version__, commands
from voicecoach.errors import VoiceCoachError

RunFunction = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voicecoach",
        description="Hands-free, voice-guided exercise sessions for bed or chair. "
        "Not medical advice: stop if anything hurts and ask your physiotherapist or GP.",
    )
    parser.add_argument("--version", action="version", version=f"voicecoach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"voicecoach.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: RunFunction | None = getattr(args, "run", None)
    if run is None:
        # No sub-command: the hands-free start, when it exists; else help.
        rest = list(sys.argv[1:] if argv is None else argv)
        start = parser.parse_args(["start", *rest]) if _has_start(parser) else None
        if start is None:
            parser.print_help(sys.stderr)
            return 2
        args, run = start, start.run
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


def _has_start(parser: argparse.ArgumentParser) -> bool:
    for action in parser._actions:  # argparse offers no public way to list sub-commands
        if isinstance(action, argparse._SubParsersAction):
            return "start" in action.choices
    return False


if __name__ == "__main__":
    sys.exit(main())
