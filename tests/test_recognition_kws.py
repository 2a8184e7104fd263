"""The keyword spotter on real people's recordings (the shared speech corpus).

Thresholds here sit well below the measured figures (docs/recognition.md) so the tests
catch a broken path, not a point of accuracy. Skipped with a printed reason when the
corpus or model is absent (failed instead with VOICECOACH_REQUIRE_CORPUS=1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from corpus import CorpusClip, clips, kws_model_dir
from voicecoach.audio.wav_files import read_for_recognizer, speech_end
from voicecoach.config.settings import RecognitionSettings
from voicecoach.listening.factory import available_engines, create_recognizer
from voicecoach.listening.kws_engine import KwsRecognizer
from voicecoach.listening.listener import CommandListener, HeardPhrase
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, Answer, Command

BLOCK = 320  # 20 ms
SCORES = tuple(str(n) for n in range(11))


@pytest.fixture(scope="module")
def spotter() -> Iterator[KwsRecognizer]:
    yield KwsRecognizer(kws_model_dir())


def silence(seconds: float) -> npt.NDArray[np.float32]:
    return np.zeros(int(seconds * 16000), dtype=np.float32)


def stream(listener: CommandListener, samples: npt.NDArray[np.float32]) -> list[HeardPhrase]:
    heard: list[HeardPhrase] = []
    for start in range(0, len(samples), BLOCK):
        heard.extend(listener.feed(samples[start : start + BLOCK]))
    return heard


def heard_in_clip(
    spotter: KwsRecognizer, listener: CommandListener, clip: CorpusClip
) -> list[HeardPhrase]:
    spotter.reset()
    return stream(
        listener, np.concatenate([silence(0.5), read_for_recognizer(clip.path), silence(1.0)])
    )


def test_most_spoken_stop_yes_no_are_heard(spotter: KwsRecognizer) -> None:
    listener = CommandListener(spotter, DEFAULT_VOCABULARY)
    listener.listen_for("answer", ("yes", "no"))
    expected = {"stop": Command.STOP, "yes": Answer.YES, "no": Answer.NO}
    sample = clips(list(expected), 14)
    right = 0
    for clip in sample:
        heard = heard_in_clip(spotter, listener, clip)
        right += bool(heard) and heard[0].meaning == expected[clip.word]
    assert len(sample) == 42
    assert right / len(sample) >= 0.7, f"{right} of {len(sample)} heard"


def test_other_words_rarely_fire(spotter: KwsRecognizer) -> None:
    listener = CommandListener(spotter, DEFAULT_VOCABULARY)
    words = ["up", "down", "left", "right", "on", "off", "happy", "tree", "house", "bird"]
    sample = clips(words, 3)
    fired = [c.path.name for c in sample if heard_in_clip(spotter, listener, c)]
    assert len(sample) == 30
    assert len(fired) / len(sample) < 0.1, f"fired on {fired}"


def test_stop_is_heard_first_and_within_a_second_and_a_half(spotter: KwsRecognizer) -> None:
    listener = CommandListener(spotter, DEFAULT_VOCABULARY)
    for clip in clips(["stop"], 4):
        samples = read_for_recognizer(clip.path)
        heard = heard_in_clip(spotter, listener, clip)
        if heard:
            break
    assert heard, "none of four stop clips heard"
    end_of_speech = 8000 + speech_end(samples)
    assert heard[0].meaning is Command.STOP
    assert heard[0].at_sample - end_of_speech <= 1.5 * 16000


def test_answer_role_hears_seven_then_still_hears_stop(spotter: KwsRecognizer) -> None:
    listener = CommandListener(spotter, DEFAULT_VOCABULARY)
    listener.listen_for("answer", SCORES)
    seven, stop = _first_heard(spotter, listener, "seven"), _first_heard(spotter, listener, "stop")
    spotter.reset()
    audio = np.concatenate([silence(0.5), seven, silence(1.0), stop, silence(1.0)])
    assert [h.meaning for h in stream(listener, audio)] == [Answer.SEVEN, Command.STOP]


def _first_heard(
    spotter: KwsRecognizer, listener: CommandListener, word: str
) -> npt.NDArray[np.float32]:
    """The first clip of `word` heard alone (so the test is about the sequence)."""
    for clip in clips([word], 5):
        if heard_in_clip(spotter, listener, clip):
            return read_for_recognizer(clip.path)
    pytest.fail(f"none of five {word!r} clips heard on their own")


def test_stop_said_three_times_a_second_apart_is_heard_three_times(
    spotter: KwsRecognizer,
) -> None:
    listener = CommandListener(spotter, DEFAULT_VOCABULARY)
    stops = [read_for_recognizer(c.path) for c in clips(["stop"], 3)]
    spotter.reset()
    audio = np.concatenate([silence(0.5), stops[0], silence(1.0), stops[1], silence(1.0)])
    audio = np.concatenate([audio, stops[2], silence(1.0)])
    assert [h.meaning for h in stream(listener, audio)] == [Command.STOP] * 3


def test_spot_role_does_not_hear_answers(spotter: KwsRecognizer) -> None:
    listener = CommandListener(spotter, DEFAULT_VOCABULARY)
    listener.listen_for("answer", SCORES)
    seven = _first_heard(spotter, listener, "seven")
    listener.listen_for("spot", ())
    spotter.reset()
    assert stream(listener, np.concatenate([silence(0.5), seven, silence(1.0)])) == []


def test_keywords_are_spelt_as_the_model_ships_them(spotter: KwsRecognizer) -> None:
    shipped = (kws_model_dir() / "keywords.txt").read_text(encoding="utf-8").splitlines()
    for line in shipped:
        parts = line.split()
        pieces = [p for p in parts if p[0] not in ":#@"]
        word = parts[-1].lstrip("@")
        assert spotter.keyword_line(word).split()[: len(pieces)] == pieces  # type: ignore[union-attr]
    assert spotter.keyword_line("how many left").startswith("\u2581HOW \u2581MANY \u2581LEFT :")  # type: ignore[union-attr]


def test_the_factory_builds_the_spotter_from_settings() -> None:
    settings = RecognitionSettings(engine="auto", model_path=str(kws_model_dir()))
    assert available_engines(settings) == ["kws"]
    assert create_recognizer(settings, "answer").name == "kws"


def test_eval_commands_reports_json_for_a_small_manifest(tmp_path: Path) -> None:
    rows = clips(["stop", "yes"], 2) + clips(["happy"], 1)
    lines = ["path\tword\tspeaker"]
    for clip in rows:  # paths relative to the manifest, pointing at the shared clips
        lines.append(f"{os.path.relpath(clip.path, tmp_path)}\t{clip.word}\t{clip.speaker}")
    manifest = tmp_path / "MANIFEST.tsv"
    manifest.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "VOICECOACH_MODEL_DIR": str(kws_model_dir())}
    command = [sys.executable, "-m", "voicecoach", "eval-commands", str(manifest)]
    done = subprocess.run(
        [*command, "--engine", "kws", "--role", "answer", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    expected_keys = {"accuracy", "false_accept_rate", "per_word", "latency_ms_p50"}
    assert expected_keys | {"latency_ms_p95", "clips", "engine", "role"} <= set(report)
    assert (report["engine"], report["role"], len(report["clips"])) == ("kws", "answer", 5)
    assert set(report["per_word"]) == {"stop", "yes", "happy"}


def test_a_heard_stop_is_placed_where_it_was_said(spotter: KwsRecognizer) -> None:
    """After seconds of silence (the spotter restarts itself every 1.6 s of it), the word's
    times still land on the word: start within it, end near its end, both before the
    detection."""
    listener = CommandListener(spotter, DEFAULT_VOCABULARY)
    placed = 0
    for clip in clips(["stop"], 6):
        samples = read_for_recognizer(clip.path)
        lead = 40000  # 2.5 s
        spotter.reset()
        heard = stream(listener, np.concatenate([silence(2.5), samples, silence(1.0)]))
        if not heard:
            continue
        word, end_of_speech = heard[0].word(), (lead + speech_end(samples)) / 16000
        assert word.started is not None and word.ended is not None
        assert end_of_speech - 1.0 < word.started < word.ended <= heard[0].at_sample / 16000
        assert abs(word.ended - end_of_speech) < 0.35, (clip.path.name, word, end_of_speech)
        placed += 1
    assert placed >= 3


def test_the_second_look_at_the_end_of_speech_hears_stop_once_and_no_later() -> None:
    """Decoding the last second again when speech ends reports the word once, never
    later than the live streams alone would have."""
    quick, live_only = (
        KwsRecognizer(kws_model_dir()),
        KwsRecognizer(kws_model_dir(), speech_ends=False),
    )
    sooner = 0
    for clip in clips(["stop"], 5):
        audio = np.concatenate([silence(1.3), read_for_recognizer(clip.path), silence(1.5)])
        reports = []
        for recognizer in (quick, live_only):
            listener = CommandListener(recognizer, DEFAULT_VOCABULARY)
            recognizer.reset()
            reports.append([h.at_sample for h in stream(listener, audio)])
        if not reports[1]:
            continue
        assert len(reports[0]) == 1, clip.path.name
        assert reports[0][0] <= reports[1][0]
        sooner += reports[0][0] < reports[1][0]
    assert sooner >= 2
