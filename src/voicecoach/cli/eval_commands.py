"""`voicecoach eval-commands`: measure recognition of recorded command words.

Every clip goes through the same streaming path as the live player (CommandListener, 20 ms
blocks). Prints a short table, or with --json one object with accuracy, false_accept_rate,
per_word, latency_ms_p50, latency_ms_p95, clips, engine and role.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from voicecoach.errors import UsageError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "eval-commands",
        help="measure how well spoken commands are heard, on a manifest of recordings",
        description="Feed each recording of MANIFEST through the live listening path and "
        "report accuracy, false accepts and latency.",
    )
    parser.add_argument(
        "manifest",
        metavar="MANIFEST.tsv",
        type=Path,
        help="TSV with columns `path` (relative to the manifest) and `word` (and optionally "
        "`speaker`)",
    )
    parser.add_argument("--engine", choices=("kws", "vosk"), help="default: the best available")
    parser.add_argument(
        "--role",
        choices=("spot", "answer"),
        default="spot",
        help="spot: commands only (default); answer: every answer plus the commands",
    )
    parser.add_argument("--model", metavar="PATH", help="use this model directory")
    parser.add_argument(
        "--mix-own-speech",
        action="store_true",
        help="mix the player's own synthesised speech under each clip (through a simulated "
        "room) and cancel it with the echo canceller, as live",
    )
    parser.add_argument(
        "--snr",
        type=float,
        default=None,
        metavar="DB",
        help="with --mix-own-speech: clip level above the own speech, in dB (default 0); "
        "with --live: above the player's echoed speech (default 10)",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="every clip through the whole live chain: a session played through a simulated "
        "room, echo canceller, own-voice decision, the player giving way, listener and "
        "engine; clips placed in turn over a sentence, just after one and in a quiet moment",
    )
    parser.add_argument(
        "--canceller",
        choices=("speex", "webrtc"),
        default="speex",
        help="with --mix-own-speech or --live: the echo canceller (speex, the player's; or "
        "WebRTC's AEC3 from the livekit package, for comparison)",
    )
    parser.add_argument(
        "--placement",
        choices=("over_speech", "just_after", "quiet"),
        help="with --live: place every clip there (default: each in turn)",
    )
    parser.add_argument(
        "--room", type=Path, metavar="RIR.wav", help="with --live: a measured room response"
    )
    parser.add_argument(
        "--noise", type=Path, metavar="NOISE.wav", help="with --live: home noise, looped"
    )
    parser.add_argument(
        "--noise-db",
        type=float,
        default=-50.0,
        metavar="DBFS",
        help="with --live --noise: the noise level, RMS in dBFS (default -50)",
    )
    parser.add_argument(
        "--words",
        metavar="W1,W2",
        help="only clips of these words (e.g. stop,pain)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--limit", type=int, metavar="N", help="only N clips, spread evenly over the manifest"
    )
    parser.add_argument(
        "--split",
        choices=("all", "tune", "test"),
        default="all",
        help="all clips (default), or half the speakers (by a hash of the speaker, within "
        "each source): `tune` to choose settings on, `test` to report on",
    )
    parser.add_argument(
        "--tail",
        type=float,
        default=None,
        metavar="SECONDS",
        help="silence fed after each clip, as the live stream would go on (default 1.0)",
    )
    parser.add_argument(
        "--lead",
        type=float,
        default=None,
        metavar="SECONDS",
        help="silence before each clip, before any jitter (default 0.5)",
    )
    parser.add_argument(
        "--jitter",
        type=float,
        default=None,
        metavar="SECONDS",
        help="spread the start of each word over this many seconds of extra lead silence, "
        "as words fall anywhere in a live stream (default 2.0; 0 for a fixed 0.5 s lead)",
    )
    parser.add_argument(
        "--boost", type=float, help="keyword spotter: one boost for every phrase (tuning)"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="keyword spotter: one trigger threshold for every phrase (tuning)",
    )
    parser.add_argument(
        "--personal",
        action="store_true",
        help="use the voice profile made by `voicecoach enrol` (default: the engine's own "
        "settings, so figures do not depend on who ran the command)",
    )
    parser.add_argument(
        "--kws-streams",
        type=int,
        metavar="N",
        help="keyword spotter: number of staggered streams (default 3)",
    )
    parser.add_argument(
        "--no-second-look",
        action="store_true",
        help="keyword spotter: live streams only, no second decoding when speech ends "
        "(to measure what the second look adds)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.config.settings import RecognitionSettings
    from voicecoach.evaluation import eval_commands as ev
    from voicecoach.listening.factory import create_recognizer
    from voicecoach.listening.recognizer import Recognizer
    from voicecoach.session.vocabulary import vocabulary_for

    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.snr is not None and not (args.mix_own_speech or args.live):
        raise UsageError("--snr only applies with --mix-own-speech or --live")
    if args.live and args.mix_own_speech:
        raise UsageError("choose one of --live and --mix-own-speech")
    if (args.room or args.noise) and not args.live:
        raise UsageError("--room and --noise apply with --live only")
    every = ev.read_manifest(args.manifest)
    if args.words:
        wanted = {w.strip().lower() for w in args.words.split(",") if w.strip()}
        every = [c for c in every if c.word in wanted]
    clips = ev.select(every, args.split, args.limit)
    if not clips:
        raise UsageError(f"{args.manifest}: no clips in split {args.split!r}")
    settings = RecognitionSettings(engine=args.engine or "auto", model_path=args.model)
    own_kws = (args.boost, args.threshold, args.kws_streams) != (None, None, None)
    if own_kws or args.no_second_look:
        from voicecoach.listening import kws_engine

        if (args.engine or "kws") != "kws":
            raise UsageError(
                "--boost, --threshold, --kws-streams and --no-second-look apply to kws only"
            )
        recognizer: Recognizer = kws_engine.KwsRecognizer(
            _kws_model(settings),
            boost=args.boost,
            threshold=args.threshold,
            streams=kws_engine.DEFAULT_STREAMS if args.kws_streams is None else args.kws_streams,
            speech_ends=not args.no_second_look,
        )
    else:
        recognizer = create_recognizer(settings, args.role, tuning=None if args.personal else {})
    if args.live:
        return _run_live(args, clips, recognizer, settings)
    blocks = None
    if args.mix_own_speech:
        from voicecoach.evaluation.own_speech_mix import OwnSpeechMixer

        blocks = OwnSpeechMixer(snr_db=args.snr or 0.0, canceller=_canceller(args)).blocks
    report = ev.evaluate(
        clips,
        recognizer,
        vocabulary_for(settings),
        args.role,
        split=args.split,
        tail=ev.DEFAULT_TAIL if args.tail is None else args.tail,
        jitter=ev.DEFAULT_JITTER if args.jitter is None else args.jitter,
        lead=ev.LEAD_SILENCE if args.lead is None else args.lead,
        blocks=blocks,
        progress=sys.stderr,
    )
    data = report.to_json()
    if args.mix_own_speech:
        data["own_speech_snr_db"] = args.snr or 0.0
    if args.json:
        json.dump(data, sys.stdout, indent=1)
        print()
    else:
        ev.print_table(report)
    return 0


def _kws_model(settings: object) -> Path:
    from voicecoach.errors import ModelError
    from voicecoach.store.models import describe_missing, find_model

    explicit = getattr(settings, "model_path", None)
    found = find_model("kws", explicit)
    if found is None:
        raise ModelError(describe_missing("kws", explicit))
    return found


def _run_live(args: argparse.Namespace, clips: list[Any], recognizer: Any, settings: Any) -> int:
    from voicecoach.evaluation.live_chain import LiveChain
    from voicecoach.evaluation.live_report import print_live_table
    from voicecoach.evaluation.live_room import NoiseBed, RoomEcho, measured_response
    from voicecoach.listening.listener import CommandListener
    from voicecoach.session.vocabulary import vocabulary_for

    vocabulary = vocabulary_for(settings)
    room = RoomEcho(None if args.room is None else measured_response(args.room))
    noise = NoiseBed() if args.noise is None else NoiseBed(args.noise_db, args.noise)
    chain = LiveChain(
        lambda: CommandListener(recognizer, vocabulary),
        vocabulary,
        snr_db=10.0 if args.snr is None else args.snr,
        room=room,
        noise=noise,
        canceller=_canceller(args)(),
        labels=(
            "simulated" if args.room is None else args.room.name,
            "white -70 dBFS" if args.noise is None else f"{args.noise.name} {args.noise_db:g} dBFS",
            args.canceller,
        ),
        engine_name=recognizer.name,
    )
    from voicecoach.evaluation.live_report import PLACEMENTS

    placements = PLACEMENTS if args.placement is None else (args.placement,)
    report = chain.run(clips, args.split, progress=sys.stderr, placements=placements)
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=1)
        print()
    else:
        print_live_table(report)
    return 0


def _canceller(args: argparse.Namespace) -> Callable[[], Any]:
    """Makes the chosen echo canceller (16 kHz)."""
    if args.canceller == "webrtc":
        from voicecoach.audio.echo.webrtc import WebRtcCanceller

        return lambda: WebRtcCanceller(16000)
    from voicecoach.audio.echo.canceller import EchoCanceller

    return lambda: EchoCanceller(sample_rate=16000)
