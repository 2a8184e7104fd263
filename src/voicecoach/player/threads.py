"""The one owner of the player's background threads.

The player runs three: "listening" (microphone -> echo canceller -> recogniser), "synthesis"
(speech synthesised ahead into the cache) and "keyboard" (keys from stdin). `PlayerThreads`
starts each with a shared stop event, restarts one that fails (up to `restarts` times, with
a note), and at the end stops them all and joins each with a timeout, naming any that did
not end. A thread marked `joinable=False` (the keyboard: a read from stdin cannot be
interrupted) is left to die with the process, as a daemon.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

RESTARTS = 2
JOIN_SECONDS = 2.0
RESTART_PAUSE = 0.5

Work = Callable[[threading.Event], None]
"""A thread's work: runs until it is done or the stop event is set."""


@dataclass
class _Running:
    name: str
    thread: threading.Thread
    joinable: bool


@dataclass
class PlayerThreads:
    note: Callable[[str], None]
    """Where a failure is told (the person's display)."""
    restarts: int = RESTARTS
    join_seconds: float = JOIN_SECONDS
    stop_event: threading.Event = field(default_factory=threading.Event)
    failures: dict[str, int] = field(default_factory=dict)
    _running: list[_Running] = field(default_factory=list)

    def start(self, name: str, work: Work, *, joinable: bool = True) -> None:
        """Run `work(stop_event)` in a daemon thread called `name`."""
        thread = threading.Thread(target=self._guarded, args=(name, work), name=name, daemon=True)
        self._running.append(_Running(name, thread, joinable))
        thread.start()

    def _guarded(self, name: str, work: Work) -> None:
        while True:
            try:
                work(self.stop_event)
                return
            except Exception as error:  # a fault is told and retried, never ends the session
                failed = self.failures.get(name, 0) + 1
                self.failures[name] = failed
                if failed > self.restarts or self.stop_event.is_set():
                    self.note(f"The {name} part stopped working ({error}). Keys still work.")
                    return
                self.note(f"The {name} part failed ({error}); starting it again.")
                if self.stop_event.wait(RESTART_PAUSE):
                    return

    def stop(self) -> list[str]:
        """Ask every thread to stop and wait for each; the names of those still running."""
        self.stop_event.set()
        left: list[str] = []
        for running in self._running:
            if not running.joinable:
                continue
            running.thread.join(timeout=self.join_seconds)
            if running.thread.is_alive():
                left.append(running.name)
        return left

    def alive(self, name: str) -> bool:
        return any(r.name == name and r.thread.is_alive() for r in self._running)
