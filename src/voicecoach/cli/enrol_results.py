"""What `voicecoach enrol` shows and says: how well the words were heard before and after
calibration (text, speech, --json), and `--status` and `--delete`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from voicecoach.enrol.calibration import Calibration
from voicecoach.enrol.enrolment import Score
from voicecoach.store import voice_profile
from voicecoach.store.voice_profile import OTHER_SPEECH


def _percent(s: Score) -> str:
    return f"{s.count} of {s.total} ({100 * s.accuracy:.0f} %)"


def format_result(
    calibration: Calibration, profile: Path, holdout: tuple[Score, Score] | None = None
) -> str:
    before, after = calibration.before, calibration.after
    lines = [
        f"Heard right on your {before.total} recordings: before {_percent(before)}, "
        f"after {_percent(after)}.",
        "(Measured on the recordings it was tuned on: expect a little less in a session.)",
        "",
        f"  {'word':<16}{'before':>8}{'after':>8}",
    ]
    after_words = after.per_word()
    for word, (right, total) in before.per_word().items():
        name = "everyday speech" if word == OTHER_SPEECH else word
        lines.append(f"  {name:<16}{f'{right}/{total}':>8}{f'{after_words[word][0]}/{total}':>8}")
    if holdout is not None:
        lines += [
            "",
            f"Other recordings of the same words, not tuned on: before {_percent(holdout[0])}, "
            f"after {_percent(holdout[1])}.",
        ]
    if calibration.unheard:
        lines += [
            "",
            f"Not heard at all: {', '.join(calibration.unheard)}. Say it a little more "
            "slowly, or add a word you find easier, e.g. `voicecoach settings set "
            f"personal_words.{calibration.unheard[0].replace(' ', '_')} WORD`.",
        ]
    if not calibration.changed:
        lines += ["", "Your current settings were already the best; nothing was changed."]
    folder = voice_profile.enrolment_dir()
    lines += [
        "",
        f"Voice profile: {profile} (the player uses it from the next session).",
        f"Recordings: {voice_profile.recordings_dir()} (they stay on this computer).",
        f"To remove both: voicecoach enrol --delete   (folder: {folder})",
    ]
    return "\n".join(lines)


def spoken_result(calibration: Calibration) -> str:
    before, after = calibration.before, calibration.after
    if after.count > before.count:
        return (
            f"Done. Before, I understood {before.count} of your {before.total} recordings. "
            f"Now I understand {after.count}."
        )
    return f"Done. I understand {after.count} of your {after.total} recordings."


def result_json(
    calibration: Calibration, profile: Path, holdout: tuple[Score, Score] | None = None
) -> dict[str, Any]:
    def summary(s: Score) -> dict[str, Any]:
        return {
            "right": s.count,
            "recordings": s.total,
            "accuracy": round(s.accuracy, 4),
            "wrong_fires": s.wrong_fires,
            "per_word": {w: {"right": r, "recordings": t} for w, (r, t) in s.per_word().items()},
        }

    return {
        "before": summary(calibration.before),
        "after": summary(calibration.after),
        "changed": calibration.changed,
        "tuning": {p: list(bt) for p, bt in calibration.tuning.items()},
        "unheard": list(calibration.unheard),
        "phrases_heard": {w: list(p) for w, p in calibration.phrases_heard.items()},
        "listening_passes": calibration.auditions,
        "profile": str(profile),
        "recordings_dir": str(voice_profile.recordings_dir()),
        "holdout": None
        if holdout is None
        else {"before": summary(holdout[0]), "after": summary(holdout[1])},
    }


# ---------------------------------------------------------------- status and delete


def status(as_json: bool) -> int:
    stored = voice_profile.stored_recordings()
    profile = voice_profile.load_profile()
    counts: dict[str, int] = {}
    for recording in stored:
        counts[recording.word] = counts.get(recording.word, 0) + 1
    folder = voice_profile.enrolment_dir()
    if as_json:
        print(
            json.dumps(
                {
                    "folder": str(folder),
                    "recordings": counts,
                    "profile": None if profile is None else profile.to_json(),
                },
                indent=2,
            )
        )
        return 0
    if not stored and profile is None:
        print("No enrolment yet. Run `voicecoach enrol` to teach the player your voice.")
        return 0
    listed = ", ".join(
        f"{'everyday speech' if w == OTHER_SPEECH else w} {n}" for w, n in counts.items()
    )
    lines = [
        f"Enrolment folder: {folder} (on this computer only)",
        f"Recordings: {len(stored)}" + (f" ({listed})" if listed else ""),
    ]
    if profile is None:
        lines.append("No voice profile: run `voicecoach enrol --recalibrate` to make one.")
    else:
        lines.append(
            f"Voice profile: made {profile.created} with the model {profile.model}; heard "
            f"right before {_share(profile.accuracy_before)}, after "
            f"{_share(profile.accuracy_after)}."
        )
        tuned = ", ".join(
            f"{p} (boost {b:g}, threshold {t:g})" for p, (b, t) in profile.tuning.items()
        )
        lines.append(f"Tuned phrases: {tuned or 'none (the defaults suit you)'}")
    lines.append("Remove everything: voicecoach enrol --delete")
    print("\n".join(lines))
    return 0


def delete(as_json: bool) -> int:
    folder = voice_profile.enrolment_dir()
    removed = voice_profile.delete_enrolment()
    recordings = [p for p in removed if p.suffix == ".wav"]
    had_profile = any(p.name == voice_profile.PROFILE_FILE for p in removed)
    if as_json:
        print(json.dumps({"folder": str(folder), "removed": [str(p) for p in removed]}))
    elif not removed:
        print(f"Nothing to remove: there is no enrolment in {folder}.")
    else:
        parts = [f"{len(recordings)} recording{'s' if len(recordings) != 1 else ''}"]
        if had_profile:
            parts.append("the voice profile")
        print(f"Removed {' and '.join(parts)} from {folder}.")
    return 0


def _share(value: float | None) -> str:
    return "?" if value is None else f"{100 * value:.0f} %"
