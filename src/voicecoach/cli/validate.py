"""`voicecoach validate PATH...`: check session script files and report every problem.

Problems go to stderr as FILE:LINE:COLUMN lines; "FILE: ok" goes to stdout for each valid file.
Exit status 0 when every file is valid, 2 otherwise.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check session script files and report every problem",
        description="Check session script files against the script format "
        "(docs/script-format.md). Every problem is printed as FILE:LINE:COLUMN: field: "
        "what is wrong (what was expected). Exit status 0 if all files are valid, 2 if not.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="script files to check")
    parser.add_argument(
        "--schema",
        action="store_true",
        help="print the path of the JSON Schema for scripts (for editors), then check any PATHs",
    )
    parser.add_argument(
        "--library",
        action="store_true",
        help="check every bundled script, and that their ids differ",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so that `voicecoach --help` does not pay for YAML and JSON Schema.
    from voicecoach.errors import ScriptError, UsageError
    from voicecoach.script.library import bundled_script_paths, load_scripts
    from voicecoach.script.loader import load_script, schema_path

    paths: list[str] = list(args.paths)
    if args.schema:
        print(schema_path())
        if not paths and not args.library:
            return 0
    if not paths and not args.library:
        raise UsageError(
            "give one or more script files to check, e.g. `voicecoach validate my-script.yaml`, "
            "or --library to check the bundled scripts"
        )
    failed = 0
    for path in paths:
        try:
            load_script(path)
        except ScriptError as error:
            failed += 1
            print("\n".join(error.problems), file=sys.stderr)
        else:
            print(f"{path}: ok")
    if args.library:
        library = bundled_script_paths()
        try:
            load_scripts(library)
        except ScriptError as error:
            failed += 1
            print("\n".join(error.problems), file=sys.stderr)
        else:
            print(f"bundled library: ok ({len(library)} scripts)")
    if failed:
        print(
            f"voicecoach: problems found in {failed} of {len(paths) + int(args.library)} checked "
            "(each line above says where and what was expected; the format is described in "
            "docs/script-format.md of the voicecoach source).",
            file=sys.stderr,
        )
        return 2
    return 0
