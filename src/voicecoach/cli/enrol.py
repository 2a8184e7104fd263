"""`voicecoach enrol`: teach the player your voice.

    voicecoach enrol                      say each main command word three times (voice only)
    voicecoach enrol --enter              the same, pressing Enter before each word
    voicecoach enrol --text               prompts printed, Enter before each word
    voicecoach enrol --words stop,pain    only these words (others recorded before are kept)
    voicecoach enrol --numbers            also zero ... ten
    voicecoach enrol --recalibrate        tune again from the recordings already made
    voicecoach enrol --manifest M.tsv --speaker ID
                                          use recordings you already have instead
    voicecoach enrol --status             what is stored, and how well it is heard
    voicecoach enrol --delete             remove the recordings and the profile

The recordings and the profile stay on this computer (voice_profile.py says where); the
keyword spotter is tuned per phrase on them (enrolment.py says how), and accuracy on them
is shown before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.cli.enrol_results import delete, format_result, result_json, spoken_result, status
from voicecoach.config.settings import Settings
from voicecoach.enrol.calibration import audition_count, calibrate
from voicecoach.enrol.enrolment import (
    TAKES,
    ListenerAudition,
    Prompt,
    Recording,
    Score,
    enrol_words,
    main_word,
    plan_prompts,
    score,
)
from voicecoach.errors import DeviceError, ModelError, UsageError
from voicecoach.session.vocabulary import Answer, Vocabulary
from voicecoach.store import voice_profile
from voicecoach.store.voice_profile import OTHER_SPEECH, VoiceProfile

if TYPE_CHECKING:
    from voicecoach.audio.microphone import Microphone
    from voicecoach.enrol.enrolment import FloatArray
    from voicecoach.enrol.session import SessionResult

HOLDOUT_PER_WORD = 10
"""With --manifest: at most this many further recordings per word are heard as a check."""
SPEAK_SLACK = 3.0
"""Seconds allowed beyond a prompt's length for the speaker to report it finished."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "enrol",
        help="teach the player your voice: say each command word three times",
        description="Say each command word a few times; the player tunes its listening to "
        "your voice and shows how well it hears you before and after. Recordings stay on "
        "this computer; `voicecoach enrol --delete` removes them.",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--status", action="store_true", help="show what is stored")
    what.add_argument(
        "--delete", action="store_true", help="remove the recordings and the voice profile"
    )
    what.add_argument(
        "--recalibrate",
        action="store_true",
        help="tune again from the recordings already made (e.g. after a new model)",
    )
    what.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE.tsv",
        help="use recordings you already have: a TSV with columns path (relative to the "
        "file) and word, and optionally speaker",
    )
    parser.add_argument(
        "--speaker", metavar="ID", help="with --manifest: only this speaker's recordings"
    )
    parser.add_argument(
        "--words",
        metavar="WORD,WORD",
        help="main words to enrol, e.g. stop,pain,yes (default: "
        "stop, pain, pause, continue, yes, no, done, easier, harder, rest, help)",
    )
    parser.add_argument("--numbers", action="store_true", help="also enrol zero ... ten")
    parser.add_argument(
        "--takes",
        type=int,
        default=TAKES,
        metavar="N",
        help=f"times each word is said (default {TAKES})",
    )
    parser.add_argument(
        "--text", action="store_true", help="print the prompts instead of speaking them"
    )
    parser.add_argument(
        "--enter", action="store_true", help="press Enter before each word (implied by --text)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--model", metavar="PATH", help="keyword-spotter model directory")
    parser.add_argument("--device", metavar="N|NAME", help="audio device for input and output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.delete:
        return delete(args.json)
    if args.status:
        return status(args.json)
    if not 1 <= args.takes <= 5:
        raise UsageError(f"--takes must be from 1 to 5, not {args.takes}.")
    if args.speaker and not args.manifest:
        raise UsageError("--speaker goes with --manifest FILE.tsv.")
    words: tuple[str, ...] | None = enrol_words(args.words, args.numbers)  # checked first
    if args.manifest and not (args.words or args.numbers):
        words = None  # every word in the file
    settings = _settings(args)
    _check_model(settings)
    holdout: list[Recording] = []
    if args.manifest:
        holdout = import_manifest(args.manifest, args.speaker, words, args.takes)
    elif not args.recalibrate:
        assert words is not None
        session = _record_now(settings, words, args)
        if not session.recorded:
            if session.stopped:
                print("Stopped. Nothing was changed.")
                return 0
            raise DeviceError(
                "Nothing was heard in any take, so nothing was changed. Check that the "
                "microphone is on and near you (`voicecoach check`), then run "
                "`voicecoach enrol` again."
            )
    recordings = load_recordings()
    if not any(r.meaning is not None for r in recordings):
        raise UsageError("There are no recordings of command words yet: run `voicecoach enrol`.")
    audition = make_audition(settings, recordings)
    current = _current_tuning()
    calibration = calibrate(recordings, audition, current, progress=_progress)
    profile = VoiceProfile(
        tuning=calibration.tuning,
        accuracy_before=round(calibration.before.accuracy, 4),
        accuracy_after=round(calibration.after.accuracy, 4),
        recordings=len(recordings),
        model=_model_dir(settings).name,
        created=voice_profile.now_text(),
    )
    path = voice_profile.save_profile(profile)
    checked = _check_holdout(holdout, audition, current, calibration.tuning)
    if args.json:
        print(json.dumps(result_json(calibration, path, checked), indent=2))
    else:
        print(format_result(calibration, path, checked))
    if not (args.text or args.manifest or args.recalibrate or args.json):
        with _voice(settings) as speak:
            speak(spoken_result(calibration))
    return 0


def _record_now(
    settings: Settings, words: Sequence[str], args: argparse.Namespace
) -> SessionResult:
    from voicecoach.audio.microphone import open_microphone

    open_microphone(settings.audio).close()  # no microphone: say so before starting
    with _voice(settings, printed=args.text) as speak:
        return record(
            words,
            args.takes,
            speak=speak,
            open_microphone=lambda: open_microphone(settings.audio),
            ask=_ask if args.enter or args.text else None,
        )


# ---------------------------------------------------------------- recording


def record(
    words: Sequence[str],
    takes: int,
    *,
    speak: Callable[[str], None],
    open_microphone: Callable[[], Microphone],
    ask: Callable[[str], str | None] | None = None,
) -> SessionResult:
    """Ask for each word `takes` times and store each take as it is made (a word said
    again replaces its old takes)."""
    from voicecoach.enrol.session import EnrolSession

    replaced: set[str] = set()

    def store(prompt: Prompt, samples: FloatArray) -> None:
        if prompt.word not in replaced:  # a word enrolled again replaces its old takes
            voice_profile.remove_recordings(prompt.word)
            replaced.add(prompt.word)
        voice_profile.save_recording(prompt.word, prompt.take, samples)

    session = EnrolSession(speak, open_microphone, ask=ask)
    return session.run(plan_prompts(words, takes), on_recording=store)


def _ask(text: str) -> str | None:
    try:
        return input(f"{text} Press Enter: ")
    except EOFError:  # end of input: the person is done
        return None


@contextlib.contextmanager
def _voice(settings: Settings, printed: bool = False) -> Iterator[Callable[[str], None]]:
    """A blocking `speak(text)`: synthesised, played and shown; only printed with
    `printed`, or when there is no speech synthesis or speaker. The speaker is closed
    at the end (nothing plays while the recordings are being heard)."""
    if printed:
        yield lambda text: print(text, flush=True)
        return
    from voicecoach.audio.speaker import PrintSpeaker, open_speaker
    from voicecoach.speech.synth import synthesize

    speaker = open_speaker(settings.audio, settings.speech)
    ids = itertools.count(1)
    pause = threading.Event()

    def speak(text: str) -> None:
        if not isinstance(speaker, PrintSpeaker):
            print(text, flush=True)
        try:
            samples, rate = synthesize(text, settings.speech)
        except DeviceError:  # no speech synthesis: the printed line has to do
            if isinstance(speaker, PrintSpeaker):
                print(text, flush=True)
            return
        utterance = next(ids)
        speaker.say(utterance, samples, rate, text)
        # Wait for the end, so the microphone never records the prompt.
        deadline = time.monotonic() + len(samples) / rate + SPEAK_SLACK
        while time.monotonic() < deadline and utterance not in speaker.finished():
            pause.wait(0.02)

    try:
        yield speak
    finally:
        speaker.close()


# ---------------------------------------------------------------- recordings from a file


def import_manifest(
    manifest: Path, speaker: str | None, words: Sequence[str] | None, takes: int
) -> list[Recording]:
    """Store the first `takes` recordings of each word in `manifest` (of `speaker`) as the
    enrolment; words that are not commands become everyday speech. Returns up to
    HOLDOUT_PER_WORD further recordings per word, for a check on recordings not tuned on."""
    from voicecoach.audio.wav_files import read_for_recognizer
    from voicecoach.session.vocabulary import DEFAULT_VOCABULARY

    rows = _manifest_rows(manifest)
    if speaker is not None:
        rows = [row for row in rows if row.get("speaker") == speaker]
        if not rows:
            raise UsageError(f"{manifest}: no recordings of speaker {speaker!r}.")
    chosen: dict[str, list[Path]] = {}
    rest: list[Recording] = []
    for row in rows:
        meaning = DEFAULT_VOCABULARY.lookup(row["word"])
        word = main_word(meaning) if meaning is not None else OTHER_SPEECH
        if words is not None and word not in words and word != OTHER_SPEECH:
            continue
        path = manifest.parent / row["path"]
        taken = chosen.setdefault(word, [])
        if len(taken) < takes:
            taken.append(path)
        elif sum(r.word == word for r in rest) < HOLDOUT_PER_WORD:
            rest.append(Recording(word, read_for_recognizer(path)))
    if not any(word != OTHER_SPEECH for word in chosen):
        raise UsageError(f"{manifest}: no recordings of command words found.")
    for word, paths in chosen.items():
        voice_profile.remove_recordings(word)
        for take, path in enumerate(paths, start=1):
            voice_profile.save_recording(word, take, read_for_recognizer(path))
    return rest


def _manifest_rows(manifest: Path) -> list[dict[str, str]]:
    try:
        with open(manifest, encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file, delimiter="\t"))
    except OSError as problem:
        raise UsageError(f"{manifest}: cannot read ({problem.strerror or problem}).") from None
    if not rows or not {"path", "word"} <= set(rows[0]):
        raise UsageError(f"{manifest}: expected a TSV file with columns `path` and `word`.")
    return rows


# ---------------------------------------------------------------- calibrating


def load_recordings() -> list[Recording]:
    """Every stored take, in the order words are asked for (safety words first)."""
    order = {w: i for i, w in enumerate(enrol_words(numbers=True))}
    stored = sorted(
        voice_profile.stored_recordings(),
        key=lambda r: (r.word == OTHER_SPEECH, order.get(r.word, len(order)), r.word, r.take),
    )
    return [Recording(r.word, voice_profile.read_recording(r.path)) for r in stored]


def make_audition(settings: Settings, recordings: Sequence[Recording]) -> ListenerAudition:
    """The player's listening path with the keyword spotter, hearing every command plus
    the answers that were recorded."""
    from voicecoach.listening.factory import create_recognizer
    from voicecoach.session.vocabulary import vocabulary_for

    answers = sorted(
        {r.meaning.value for r in recordings if isinstance(r.meaning, Answer)}, key=str
    )
    recognition = settings.recognition

    def make(tuning: Any) -> Any:
        return create_recognizer(recognition, "answer", tuning=tuning)

    vocabulary: Vocabulary = vocabulary_for(settings.recognition)
    return ListenerAudition(make, vocabulary, answers)


def _current_tuning() -> dict[str, tuple[float, float]]:
    try:
        profile = voice_profile.load_profile()
    except voice_profile.EnrolmentError as problem:  # about to be replaced anyway
        print(f"voicecoach: {problem}\nvoicecoach: making a new one.", file=sys.stderr)
        return {}
    return dict(profile.tuning) if profile is not None else {}


def _progress(step: int, total: int, what: str) -> None:
    if step == 1:
        print(
            f"Working out your settings (up to {audition_count()} listening passes)...",
            file=sys.stderr,
        )
    print(f"  {step}: {what}", file=sys.stderr, flush=True)


def _check_holdout(
    holdout: Sequence[Recording],
    audition: ListenerAudition,
    before: dict[str, tuple[float, float]],
    after: dict[str, tuple[float, float]],
) -> tuple[Score, Score] | None:
    if not holdout:
        return None
    vocabulary = audition.vocabulary
    return (
        score(holdout, audition.hear(holdout, before), vocabulary),
        score(holdout, audition.hear(holdout, after), vocabulary),
    )


# ---------------------------------------------------------------- settings and model


def _settings(args: argparse.Namespace) -> Settings:
    from voicecoach.store.settings_file import load_settings

    overrides = {"engine": "kws"}  # the profile tunes the keyword spotter
    if args.model:
        overrides["model_path"] = args.model
    if args.device:
        overrides["input_device"] = overrides["output_device"] = args.device
    return load_settings(overrides=overrides)


def _model_dir(settings: Settings) -> Path:
    from voicecoach.store.models import describe_missing, find_model

    found = find_model("kws", settings.recognition.model_path)
    if found is None:
        raise ModelError(describe_missing("kws", settings.recognition.model_path))
    return found


def _check_model(settings: Settings) -> None:
    """Fail before anything is recorded when the keyword spotter cannot run."""
    import importlib.util

    _model_dir(settings)
    if importlib.util.find_spec("sherpa_onnx") is None:
        raise ModelError(
            "Enrolment tunes the keyword spotter, and the sherpa-onnx package is not "
            "installed: run `pip install sherpa-onnx`."
        )
