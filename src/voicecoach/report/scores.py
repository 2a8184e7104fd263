"""Pain before and after a session, as the person gave them.

The session row's "after" score is the engine's last score of the session, which may be
one given mid-session after saying "pain" (and the end question then skipped or never
reached). The report plots "after" as the answer to the end-of-session question only;
a score given mid-session is never shown as the "after" score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from voicecoach.store.history import SessionSummary


def as_given(
    sessions: Sequence[SessionSummary], reports: Mapping[int, list[dict[str, Any]]]
) -> list[SessionSummary]:
    """`sessions` with pain before and after taken from the start and end questions
    (`History.pain_reports()`); sessions without any pain report are left as they are."""
    out = []
    for session in sessions:
        given = reports.get(session.id)
        if not given:
            out.append(session)
            continue
        out.append(
            replace(
                session,
                pain_start=_last_score(given, "start", session.pain_start),
                pain_end=_last_score(given, "end", None),
            )
        )
    return out


def _last_score(given: list[dict[str, Any]], moment: str, default: int | None) -> int | None:
    scores = [
        r["score"] for r in given if r.get("moment") == moment and isinstance(r.get("score"), int)
    ]
    return scores[-1] if scores else default
