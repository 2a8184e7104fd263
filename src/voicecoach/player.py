"""Set up and play one session: history, remembered levels, the engine and the loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from voicecoach.engine import SessionEngine
from voicecoach.history import History
from voicecoach.live_session import InputWait, LiveSession, SpeechOutput, StatusDisplay
from voicecoach.script_model import Script
from voicecoach.session_events import Action, ListenFor, Log
from voicecoach.settings import Settings
from voicecoach.settings_file import vocabulary_for


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


def play_session(
    script: Script,
    settings: Settings,
    output: SpeechOutput,
    wait_for_input: InputWait,
    clock: Callable[[], float],
    *,
    history: History | None = None,
    display: StatusDisplay | None = None,
    on_listen: Callable[[ListenFor], None] | None = None,
    on_action: Callable[[Action, float], None] | None = None,
) -> SessionEngine:
    """Play `script` to its end, recording every event in `history` as it happens."""
    levels = history.levels_for(script.id) if history is not None else {}
    engine = SessionEngine(
        script, settings.session, levels=levels, vocabulary=vocabulary_for(settings)
    )
    record: Callable[[Log, float], None] | None = None
    if history is not None:
        session_id: int | None = None

        def record(log: Log, t: float) -> None:
            nonlocal session_id
            if session_id is None:
                detail = log.detail
                session_id = history.start_session(
                    script.id,
                    script.title,
                    script.position.value,
                    int(detail.get("planned_steps", 0)),
                )
            history.record(session_id, log.kind, log.detail, t)

    LiveSession(
        engine,
        output,
        wait_for_input,
        clock,
        display=display,
        on_log=record,
        on_listen=on_listen,
        on_action=on_action,
    ).run()
    return engine
