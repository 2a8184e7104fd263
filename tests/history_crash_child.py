"""Run by test_history as a child process: records events until it is killed.

Usage: python history_crash_child.py HISTORY_FILE
Prints "session ID" once, then the number of each event after record() has returned
(that is, after the event is committed), one per line, flushed.
"""

from __future__ import annotations

import sys

from voicecoach.store.history import History

MAX_EVENTS = 100_000  # a bound in case the parent test dies without killing us


def main(path: str) -> None:
    history = History(path)
    session_id = history.start_session("chair-back-basics", "Seated back basics", "chair", 8)
    print(f"session {session_id}", flush=True)
    history.record(session_id, "session_started", {}, 0.0)
    for number in range(1, MAX_EVENTS + 1):
        history.record(session_id, "command_heard", {"number": number}, float(number))
        print(number, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
