"""`voicecoach model`: fetch a speech model, or show where the models are.

`model download` is the one command that uses the network, and only to fetch the archive
it names; `model where` works offline and exits 1 when no model of any kind is found, so
scripts can ask "is there a model?".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from voicecoach.store import model_download
from voicecoach.store import models as model_store


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "model",
        help="download a speech model, or show where the models are",
        description="Speech models let voicecoach hear spoken commands. Without one, the "
        "keyboard still works.",
    )
    actions = parser.add_subparsers(dest="model_action", metavar="ACTION")

    download = actions.add_parser(
        "download",
        help="download, check and unpack a speech model (the only network use)",
        description="Download a speech model archive, check its SHA-256 and unpack it.",
    )
    download.add_argument(
        "--engine",
        choices=model_store.KINDS,
        default="kws",
        help="kws: sherpa-onnx keyword spotter, about 18 MB (default); "
        "vosk: Vosk small English model, about 41 MB",
    )
    download.add_argument(
        "--dest",
        metavar="DIR",
        help=f"where to put it (default: {model_store.user_models_dir()})",
    )
    download.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="install from an archive downloaded by hand instead of the internet "
        "(it is checked against the same checksum)",
    )
    download.set_defaults(run=run_download)

    where = actions.add_parser(
        "where",
        help="show which model of each kind would be used, or where they were looked for",
    )
    where.add_argument(
        "--model",
        metavar="PATH",
        help="check this model directory only (default: model_path from the settings file)",
    )
    where.set_defaults(run=run_where)

    parser.set_defaults(run=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_download(args: argparse.Namespace) -> int:
    url = Path(args.from_file).expanduser().resolve().as_uri() if args.from_file else None
    path = model_download.download_model(args.engine, dest_dir=args.dest, url=url)
    print(path)
    return 0


def run_where(args: argparse.Namespace) -> int:
    from voicecoach.store.settings_file import load_settings

    # The same explicit path a session would use: --model, else the settings file's.
    overrides = {"model_path": args.model} if args.model else None
    explicit = load_settings(overrides=overrides).recognition.model_path
    found_any = False
    for kind in model_store.KINDS:
        path = model_store.find_model(kind, explicit)
        if path is not None:
            found_any = True
            print(f"{kind}: {path}")
        else:
            reason = model_store.describe_missing(kind, explicit)
            print(f"{kind}: not found\n" + _indent(reason))
    return 0 if found_any else 1


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
