"""Set up and play one session: history, remembered levels, the engine and the loop."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from voicecoach.config.settings import Settings
from voicecoach.player.live_session import InputWait, LiveSession, SessionIO
from voicecoach.script.library import gentlest_script
from voicecoach.script.model import Script
from voicecoach.script.plan_file import Plan, PlanError
from voicecoach.session.engine import SessionEngine
from voicecoach.session.events import Log
from voicecoach.session.plan_following import apply_plan, followed_settings, planned_levels
from voicecoach.session.progression import SETTLED_SESSIONS, Carried, carry_over
from voicecoach.session.vocabulary import vocabulary_for
from voicecoach.store.history import History
from voicecoach.store.plan_store import load_plan_file


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
    """Play `script` to its end, following the plan file when there is one, starting each
    exercise at the level carried over from the sessions before, and recording every event
    in `history` as it happens.

    When opening the history set a damaged file aside, the screen gets the whole note (with
    both paths) and the person hears once, among the first notices, that a new history
    began."""
    if history is not None and history.set_aside is not None:
        print(history.damage_note, file=sys.stderr, flush=True)
        notices = (*notices, HISTORY_SET_ASIDE)
    engine = session_engine(script, settings, history=history, notices=notices)
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


def session_engine(
    script: Script,
    settings: Settings,
    *,
    history: History | None = None,
    notices: tuple[str, ...] = (),
    plan: Plan | None = None,
    now: datetime | None = None,
) -> SessionEngine:
    """The engine for one session: the plan file (loaded unless given) applied to the
    script and the settings, the levels carried over (session/progression.py), and what is
    said about them in the introduction."""
    plan = plan if plan is not None else load_plan_file()
    session_settings = settings.session
    notes: list[str] = []
    if plan is not None:
        script = apply_plan(script, plan)
        session_settings = followed_settings(session_settings, plan)
        often = plan.how_often()
        if often:
            notes.append(f"Your plan is to exercise {often}.")
    carried = Carried({}, ())
    if history is not None:
        carried = carry_over(
            [e.name for e in script.all_exercises],
            history.past_sessions(script.id, SETTLED_SESSIONS),
            history.last_session_date(),
            now or datetime.now(timezone.utc),
        )
    levels = carried.levels if plan is None else planned_levels(script, carried.levels, plan)
    return SessionEngine(
        script,
        session_settings,
        levels=levels,
        vocabulary=vocabulary_for(settings.recognition),
        notices=notices,
        notes=(*carried.notes, *notes),
        # The red flags are said in a person's first session; a high start score offers
        # the gentlest session for the same position (as the plan sets it).
        first_use=history is not None and history.count_sessions() == 0,
        gentlest=_gentlest(script, plan),
    )


def _gentlest(script: Script, plan: Plan | None) -> Script | None:
    gentlest = gentlest_script(script.position)
    if gentlest is None or plan is None:
        return gentlest
    try:
        return apply_plan(gentlest, plan)
    except PlanError:  # the plan switches off all of it: there is nothing gentler to offer
        return None
