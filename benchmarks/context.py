"""What every measurement shares: paths, the environment for child processes, and a way
to time a child process with the operating system's own accounting."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from voicecoach.config.settings import RecognitionSettings
from voicecoach.listening.factory import ENGINES, available_engines

THROUGHPUT_NICENESS = 10
"""Child processes whose results do not depend on timing (accuracy runs) run this much
nicer while timing-sensitive measurements run beside them (see `Throughput`)."""


class Throughput:
    """The niceness of throughput-only child processes: THROUGHPUT_NICENESS while
    timing-sensitive measurements run, then 0 (`relax`), so on a shared machine they are
    not starved by other people's work once nothing of ours needs the CPU first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: set[int] = set()
        self.relaxed = False

    def niceness(self) -> int:
        return 0 if self.relaxed else THROUGHPUT_NICENESS

    def started(self, group: int) -> None:
        with self._lock:
            self._groups.add(group)
            if self.relaxed:
                _set_priority(group, 0)

    def ended(self, group: int) -> None:
        with self._lock:
            self._groups.discard(group)

    def relax(self) -> None:
        with self._lock:
            if self.relaxed:
                return
            self.relaxed = True
            for group in self._groups:
                _set_priority(group, 0)


def _set_priority(group: int, niceness: int) -> None:
    # Raising priority needs privileges a person may not have; a group may have ended.
    with contextlib.suppress(PermissionError, ProcessLookupError):
        os.setpriority(os.PRIO_PGRP, group, niceness)


THROUGHPUT = Throughput()


@dataclass(frozen=True)
class BenchContext:
    root: Path
    """The repository (docs/ and bench-results.json are written here)."""
    work: Path
    """A private temporary folder: history, settings and scratch files of child runs."""
    quick: bool = False
    speech_dir: Path | None = None
    """Recorded human command words (a MANIFEST.tsv inside), or None when not found."""
    model_dir: Path | None = None
    """Given with --model-dir: a folder of models, passed on as $VOICECOACH_MODEL_DIR."""

    def reps(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    @property
    def manifest(self) -> Path | None:
        if self.speech_dir is None:
            return None
        path = self.speech_dir / "MANIFEST.tsv"
        return path if path.is_file() else None

    @property
    def python(self) -> str:
        return sys.executable

    def voicecoach(self, *args: str) -> list[str]:
        """The command line of `voicecoach ARGS`: the installed entry point beside this
        interpreter (what a person runs), else the module."""
        entry = Path(self.python).parent / "voicecoach"
        if entry.is_file():
            return [str(entry), *args]
        return [self.python, "-m", "voicecoach.cli.main", *args]

    def env(
        self, extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """The environment for child processes: `base` (this process's by default) with
        private history and settings (never the person's own), the model folder, and
        `extra` on top."""
        env = dict(os.environ if base is None else base)
        env["VOICECOACH_DATA_DIR"] = str(self.work / "data")
        env["VOICECOACH_CONFIG_DIR"] = str(self.work / "config")
        if self.model_dir is not None:
            env["VOICECOACH_MODEL_DIR"] = str(self.model_dir)
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.update(extra or {})
        return env

    def engines(self) -> dict[str, str | None]:
        """Every recognition engine -> None when it can run here, else why not."""
        ready = set(available_engines(RecognitionSettings()))
        return {e: None if e in ready else "not measured: no model" for e in ENGINES}


@dataclass(frozen=True)
class ProcessRun:
    """One finished child process, timed from outside."""

    wall: float
    user: float
    system: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def cpu(self) -> float:
        return self.user + self.system


# The measured command is started by this small launcher, not by the benchmark itself:
# Linux counts a process's peak memory from before its exec too, so anything forked
# straight from the (large) benchmark process would report at least the benchmark's size.
# Forked from a bare interpreter, the command's figure is its own (within a few MB).
_LAUNCHER = """
import json, os, sys, time
report, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawnp(command[0], command, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(report, "w") as f:
    json.dump({"wall": wall, "user": usage.ru_utime, "system": usage.ru_stime,
               "max_rss_kb": usage.ru_maxrss, "status": status}, f)
"""


def run_timed(
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    timeout: float = 120.0,
    throughput: bool = False,
    stdin: str | None = None,
) -> ProcessRun:
    """Run `command` to its end; its wall time, CPU time and peak memory (from wait4,
    the kernel's own accounting of that one process). Killed after `timeout` seconds
    (subprocess.TimeoutExpired). `throughput`: its figures do not depend on timing, so it
    runs at THROUGHPUT's niceness."""
    # Niceness through the `nice` program: subprocess's preexec_fn is not safe in a
    # process with threads (the benchmark runs measurements side by side).
    nice = THROUGHPUT.niceness() if throughput else 0
    nicer = ["nice", "-n", str(nice)] if nice and shutil.which("nice") else []
    with tempfile.NamedTemporaryFile(prefix="voicecoach-bench-run-", suffix=".json") as report:
        process = subprocess.Popen(
            [*nicer, sys.executable, "-S", "-c", _LAUNCHER, report.name, *command],
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # so a timeout can end the command with its launcher
        )
        if throughput:
            THROUGHPUT.started(process.pid)
        try:
            out, err = process.communicate(input=stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this call started
            process.communicate()
            raise
        finally:
            THROUGHPUT.ended(process.pid)
        try:
            usage = json.loads(Path(report.name).read_text() or "{}")
        except ValueError:
            usage = {}
    if process.returncode != 0 or "status" not in usage:
        raise RuntimeError(f"could not run {command[0]}: {err[-500:]}")
    return ProcessRun(
        wall=float(usage["wall"]),
        user=float(usage["user"]),
        system=float(usage["system"]),
        max_rss_mb=float(usage["max_rss_kb"]) / 1024,
        returncode=os.waitstatus_to_exitcode(int(usage["status"])),
        stdout=out,
        stderr=err,
    )


def median_runs(runs: Sequence[ProcessRun]) -> dict[str, float]:
    from benchmarks.stats import median

    def m(values: list[float]) -> float:
        found = median(values)
        return round(found, 4) if found is not None else float("nan")

    return {
        "wall_s": m([r.wall for r in runs]),
        "cpu_s": m([r.cpu for r in runs]),
        "max_rss_mb": m([r.max_rss_mb for r in runs]),
    }
