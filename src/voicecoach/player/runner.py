"""Set up and play one session: history, remembered levels, the engine and the loop."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from voicecoach.config.settings import Settings
from voicecoach.player.live_session import InputWait, LiveSession, SessionIO
from voicecoach.script.library import gentlest_script
from voicecoach.script.model import Script
from voicecoach.session.engine import SessionEngine
from voicecoach.session.events import Log
from voicecoach.session.vocabulary import vocabulary_for
from voicecoach.store.history import History


@dataclass(frozen=True)
class ScaledClock:
    """Real time, optionally sped up (for demonstrations and subprocess tests)."""

    scale: float = 1.0
    origin: float = field(default_factory=time.monotonic)

    def now(self) -> float:
        return (time.monotonic() - self.origin) * self.scale

    def wait(self, wait: InputWait) -> InputWait:
        if self.scale == 1.0:
            return wait
        return lambda timeout: wait(timeout / self.scale)


def history_recorder(history: History, script: Script) -> Callable[[Log, float], None]:
    """Records engine logs; the session row is made by the first log (session_started)."""
    session_id: int | None = None

    def record(log: Log, t: float) -> None:
        nonlocal session_id
        if session_id is None:
            planned = int(log.detail.get("planned_steps", 0))
            session_id = history.start_session(
                script.id, script.title, script.position.value, planned
            )
        history.record(session_id, log.kind, log.detail, t)

    return record


HISTORY_SET_ASIDE = (
    "Your saved history was damaged, so it has been put aside and a new history begins "
    "with this session."
)


def play_session(
    script: Script,
    settings: Settings,
    io: SessionIO,
    *,
    history: History | None = None,
    notices: tuple[str, ...] = (),
) -> SessionEngine:
    """Play `script` to its end, recording every event in `history` as it happens.

    When opening the history set a damaged file aside, the screen gets the whole note (with
    both paths) and the person hears once, among the first notices, that a new history
    began."""
    if history is not None and history.set_aside is not None:
        print(history.damage_note, file=sys.stderr, flush=True)
        notices = (*notices, HISTORY_SET_ASIDE)
    levels = history.levels_for(script.id) if history is not None else {}
    engine = SessionEngine(
        script,
        settings.session,
        levels=levels,
        vocabulary=vocabulary_for(settings.recognition),
        notices=notices,
        # The red flags are said in a person's first session; a high start score offers
        # the gentlest session for the same position.
        first_use=history is not None and history.count_sessions() == 0,
        gentlest=gentlest_script(script.position),
    )
    record = history_recorder(history, script) if history is not None else None
    try:
        LiveSession.over(engine, io, on_log=record).run()
    except KeyboardInterrupt:  # closed by the person: the history says so, not "interrupted"
        if record is not None:
            for action in engine.close(io.clock()):
                if isinstance(action, Log):
                    record(action, io.clock())
        raise
    return engine
