"""`voicecoach eval-self`: does the coach's own speech trigger commands?

Synthesises every sentence the bundled scripts say, plays it through a simulated room
into the recogniser, with and without echo cancelling, and reports the commands heard
(all false accepts: nobody else is speaking) and their rate per hour of speech.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "eval-self",
        help="measure how often the coach's own speech triggers a command",
        description="Synthesise every sentence the chosen scripts say, send it through a "
        "simulated room into the recogniser, once without and once with echo cancelling, "
        "and report every command heard (each one a false accept) per hour of speech. "
        "Takes a few minutes for the whole library.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--engine", choices=["kws", "vosk"], help="recogniser to test (default: the setting)"
    )
    parser.add_argument("--model", metavar="DIR", help="model directory to use")
    parser.add_argument(
        "--scripts", nargs="+", metavar="ID", help="only these scripts (default: all bundled)"
    )
    parser.add_argument(
        "--sentences",
        type=int,
        metavar="N",
        help="only the first N sentences (a quick check)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so that `voicecoach --help` stays fast.
    from dataclasses import replace

    from voicecoach.evaluation.eval_self import evaluate_self, print_report, sentences_for
    from voicecoach.listening.factory import create_recognizer
    from voicecoach.listening.listener import CommandListener
    from voicecoach.script.library import find_script, load_library
    from voicecoach.session.vocabulary import vocabulary_for
    from voicecoach.store.settings_file import load_settings

    settings = load_settings()
    recognition = settings.recognition
    if args.engine:
        recognition = replace(recognition, engine=args.engine)
    if args.model:
        recognition = replace(recognition, model_path=args.model)
    scripts = [find_script(i) for i in args.scripts] if args.scripts else load_library()
    sentences = sentences_for(scripts, settings)
    if args.sentences is not None:
        sentences = sentences[: max(0, args.sentences)]
    vocabulary = vocabulary_for(recognition)
    probe = create_recognizer(recognition)  # fails early, with the fix, if no model

    def make_listener() -> CommandListener:
        return CommandListener(create_recognizer(recognition), vocabulary)

    report = evaluate_self(
        sentences,
        make_listener,
        settings.speech,
        engine=probe.name,
        scripts=[s.id for s in scripts],
        progress=sys.stderr,
    )
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print_report(report)
    return 0
