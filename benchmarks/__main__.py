"""`scripts/bench [--quick] [--only NAME ...]`: run the benchmark suite, write
docs/benchmarks.md and bench-results.json, and print the table.

Phases, to finish in minutes on two cores without spoiling the timings:
1. the whole-process timings (start-up, scale) and the real player in the room run
   alone, one after another;
2. then the drift session (it mostly waits, in real time) and the accuracy and
   own-speech runs start in the background, while the other measurements (their
   figures are CPU time or stream time) run one after another in the foreground. The
   accuracy and own-speech runs are throughput only: they run nicer until the drift
   session is over.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import machine, report
from benchmarks.context import THROUGHPUT, BenchContext
from benchmarks.results import Measurement

# name -> (module, title, lane); see the module docstring for the lanes. Foreground
# measurements run in this order.
MEASUREMENTS: dict[str, tuple[str, str, str]] = {
    "startup": ("startup", "Start-up", "alone"),
    "scale": ("scale", "Scale", "alone"),
    "room-latency": ("latency_room", "Command latency, PulseAudio room", "alone"),
    "drift": ("drift", "Timing drift", "background"),
    "own-speech": ("own_speech", "Own speech heard as a command", "background"),
    "accuracy": ("accuracy", "Command accuracy and false accepts", "background"),
    "answers": ("answers", "Answers: pain scores, yes/no, done, help", "background"),
    "latency": ("latency_stream", "Command latency, streaming path", "foreground"),
    "cpu": ("listening_cpu", "Listening CPU", "foreground"),
    "memory": ("memory", "Peak memory of a session", "foreground"),
}
REPORT_ORDER = (
    "latency",
    "room-latency",
    "accuracy",
    "answers",
    "own-speech",
    "cpu",
    "memory",
    "startup",
    "drift",
    "scale",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Measure how well voicecoach does its job on this machine; writes "
        "docs/benchmarks.md and bench-results.json.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions and clips, for trying it"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only these (repeat or comma-separate): {', '.join(MEASUREMENTS)}; the "
        "others are kept from the previous results",
    )
    parser.add_argument(
        "--speech-dir",
        type=Path,
        help="recorded command words with a MANIFEST.tsv (default: $VOICECOACH_SPEECH_DIR, "
        "else shared/speech/dev beside the repository)",
    )
    parser.add_argument(
        "--model-dir",
        type=Path,
        help="a folder of speech models (default: the usual search; else shared/models "
        "beside the repository)",
    )
    args = parser.parse_args(argv)
    chosen: list[str] = []
    for item in args.only or []:
        for name in item.split(","):
            name = name.strip()
            if name not in MEASUREMENTS:
                parser.error(f"--only {name}: choose from {', '.join(MEASUREMENTS)}")
            chosen.append(name)
    args.only = chosen or None
    return args


def repository_root() -> Path:
    return Path(__file__).resolve().parents[1]


def default_speech_dir(root: Path) -> Path | None:
    given = os.environ.get("VOICECOACH_SPEECH_DIR")
    if given:
        return Path(given)
    beside = root.parent / "shared" / "speech" / "dev"
    return beside if (beside / "MANIFEST.tsv").is_file() else None


def default_model_dir(root: Path) -> Path | None:
    from voicecoach.store.models import find_model

    if find_model("kws", None) is not None or find_model("vosk", None) is not None:
        return None  # the usual search finds one: use what a person's run would use
    beside = root.parent / "shared" / "models"
    return beside if beside.is_dir() else None


def run_measurement(name: str, ctx: BenchContext) -> dict[str, Any]:
    module_name, title, _ = MEASUREMENTS[name]
    started = time.perf_counter()
    print(f"bench: {name} ...", file=sys.stderr, flush=True)
    try:
        module = importlib.import_module(f"benchmarks.{module_name}")
        measure: Callable[[BenchContext], Measurement] = module.measure
        measurement = measure(ctx)
    except Exception as error:  # one failed measurement must not lose the others' figures
        measurement = Measurement(name, title)
        measurement.error = f"failed: {type(error).__name__}: {str(error).strip()[:400]}"
    measurement.seconds = time.perf_counter() - started
    data = measurement.to_json()
    data["quick"] = ctx.quick
    status = measurement.error or "done"
    print(f"bench: {name} {status} ({measurement.seconds:.0f} s)", file=sys.stderr, flush=True)
    return data


def engines_text(ctx: BenchContext) -> dict[str, str]:
    from benchmarks.machine import _version
    from voicecoach.store.models import find_model

    packages = {"kws": "sherpa-onnx", "vosk": "vosk"}
    out: dict[str, str] = {}
    for engine, missing in ctx.engines().items():
        if missing is not None:
            out[engine] = missing
            continue
        model = find_model(engine, None)
        out[engine] = (
            f"{packages[engine]} {_version(packages[engine])}, model {model.name if model else '?'}"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = repository_root()
    began = time.perf_counter()
    names = args.only or list(MEASUREMENTS)
    with tempfile.TemporaryDirectory(prefix="voicecoach-bench-") as tmp:
        work = Path(tmp)
        # Nothing this process or its children do may touch the person's own history
        # or settings.
        os.environ["VOICECOACH_DATA_DIR"] = str(work / "data")
        os.environ["VOICECOACH_CONFIG_DIR"] = str(work / "config")
        model_dir = args.model_dir or default_model_dir(root)
        if model_dir is not None:
            os.environ["VOICECOACH_MODEL_DIR"] = str(model_dir)
        ctx = BenchContext(
            root=root,
            work=work,
            quick=args.quick,
            speech_dir=args.speech_dir or default_speech_dir(root),
            model_dir=model_dir,
        )
        info = machine.describe()
        engines = engines_text(ctx)
        done: dict[str, dict[str, Any]] = {}

        def lane(kind: str) -> list[str]:
            return [n for n in names if MEASUREMENTS[n][2] == kind]

        def run_in_background(name: str) -> None:
            done[name] = run_measurement(name, ctx)
            if name == "drift":
                THROUGHPUT.relax()  # nothing timing-sensitive runs any more

        def start(kind: str) -> list[threading.Thread]:
            threads = [
                threading.Thread(target=run_in_background, args=(n,), name=f"bench-{n}")
                for n in lane(kind)
            ]
            for thread in threads:
                thread.start()
            return threads

        for name in lane("alone"):
            done[name] = run_measurement(name, ctx)
        if "drift" not in names:
            THROUGHPUT.relax()
        threads = start("background")
        for name in lane("foreground"):
            done[name] = run_measurement(name, ctx)
        for thread in threads:
            thread.join()
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    command = "scripts/bench" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:])
    )
    date = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    measurements: dict[str, dict[str, Any]] = {}
    earlier = report.previous(root) if args.only else None
    for name in REPORT_ORDER:
        if name in done:
            measurements[name] = {**done[name], "date": date}
        elif earlier and name in earlier.get("measurements", {}):
            kept = dict(earlier["measurements"][name])
            kept.setdefault("carried_over_from", kept.get("date") or earlier.get("date"))
            measurements[name] = kept
    results = {
        "date": date,
        "command": command,
        "quick": args.quick,
        "only": args.only,
        "total_seconds": round(time.perf_counter() - began, 1),
        "machine": info,
        "engines": engines,
        "measurements": measurements,
    }
    data_path, doc_path = report.write(root, results)
    print(report.figure_table(list(measurements.values())))
    print(
        f"\nbench: wrote {doc_path} and {data_path} ({results['total_seconds']:.0f} s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
