"""Recognition parts that need no model: WAV reading and resampling, keyword spelling,
the listener's roles, the evaluation's scoring, and the factory's errors."""

from __future__ import annotations

import wave
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from fakes.scripted_recognizer import ScriptedRecognizer
from needs import need_module
from voicecoach.audio.resampling import resample
from voicecoach.audio.wav_files import read_for_recognizer, read_wav, speech_end
from voicecoach.config.settings import RecognitionSettings
from voicecoach.errors import ModelError, UsageError
from voicecoach.evaluation import eval_commands as ev
from voicecoach.listening.bpe_tokens import PieceTokenizer
from voicecoach.listening.factory import available_engines, create_recognizer
from voicecoach.listening.kws_engine import word_span
from voicecoach.listening.listener import CommandListener
from voicecoach.listening.recognizer import Detection
from voicecoach.session.vocabulary import DEFAULT_VOCABULARY, Answer, Command

# --------------------------------------------------------------------- audio files


def write_wav(path: Path, samples: npt.NDArray[np.float32], rate: int, width: int = 2) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        if width == 2:
            wav.writeframes((samples * 32767).astype("<i2").tobytes())
        else:
            wav.writeframes((samples * 127 + 128).astype(np.uint8).tobytes())
    return path


def tone(frequency: float, rate: int, seconds: float = 1.0) -> npt.NDArray[np.float32]:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def dominant_frequency(samples: npt.NDArray[np.float32], rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_resampling_to_16k_keeps_pitch_level_and_duration(rate: int) -> None:
    out = resample(tone(1000, rate), rate)
    assert len(out) == 16000
    assert dominant_frequency(out, 16000) == pytest.approx(1000, abs=2)
    assert float(np.sqrt(np.mean(out[800:-800] ** 2))) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


def test_resampling_removes_what_16k_cannot_hold() -> None:
    out = resample(tone(12000, 48000), 48000)  # would alias to 4 kHz
    assert float(np.sqrt(np.mean(out[800:-800] ** 2))) < 0.01


def test_8k_wav_is_read_at_16k(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.wav", tone(500, 8000, 0.5), 8000)
    samples = read_for_recognizer(path)
    assert samples.dtype == np.float32 and len(samples) == 8000
    assert dominant_frequency(samples, 16000) == pytest.approx(500, abs=3)


def test_8_bit_wav_is_read_centred(tmp_path: Path) -> None:
    samples, rate = read_wav(write_wav(tmp_path / "b.wav", tone(500, 8000), 8000, width=1))
    assert rate == 8000 and abs(float(samples.mean())) < 0.01 and samples.max() > 0.45


def test_unreadable_audio_says_how_to_convert_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav file at all")
    with pytest.raises(UsageError, match="sox"):
        read_wav(bad)
    with pytest.raises(UsageError, match="no such audio file"):
        read_wav(tmp_path / "missing.wav")


def test_speech_end_is_the_end_of_the_loud_part() -> None:
    word = np.concatenate([np.zeros(1600), tone(300, 16000, 0.4), np.full(4800, 0.001)])
    assert speech_end(word.astype(np.float32)) == pytest.approx(1600 + 6400, abs=160)


# --------------------------------------------------------------------- keyword spelling


def test_phrases_are_spelt_with_the_best_scoring_pieces() -> None:
    scores = {"\u2581ST": -2.0, "\u2581S": -3.0, "T": -3.0, "O": -3.0, "P": -3.0, "OP": -2.5}
    tokenizer = PieceTokenizer(scores)
    assert tokenizer.encode("stop") == ["\u2581ST", "OP"]
    assert tokenizer.encode("stop stop") == ["\u2581ST", "OP", "\u2581ST", "OP"]
    assert tokenizer.encode("stomp") is None  # no piece for M


# --------------------------------------------------------------------- listener roles


def test_spot_role_listens_for_commands_only() -> None:
    recognizer = ScriptedRecognizer()
    listener = CommandListener(recognizer, DEFAULT_VOCABULARY)
    assert {"stop", "pain", "it hurts", "how many left", "go", "next"} <= set(recognizer.phrases)
    assert not {"seven", "yes", "no", "bed", "done"} & set(recognizer.phrases)
    assert listener.phrases == tuple(recognizer.phrases)


def test_answer_role_adds_the_expected_answers_with_their_synonyms() -> None:
    recognizer = ScriptedRecognizer()
    listener = CommandListener(recognizer, DEFAULT_VOCABULARY)
    listener.listen_for("answer", ("yes", "no"))
    assert {"yes", "yeah", "nope", "no", "stop", "pain"} <= set(recognizer.phrases)
    assert "seven" not in recognizer.phrases
    listener.listen_for("answer", ("7", "ten"))
    assert {"seven", "ten", "stop"} <= set(recognizer.phrases)
    assert "yes" not in recognizer.phrases


def test_the_same_role_again_keeps_the_engine_stream() -> None:
    recognizer = ScriptedRecognizer()
    listener = CommandListener(recognizer, DEFAULT_VOCABULARY)
    listener.listen_for("spot", ())
    listener.listen_for("answer", ())  # no answers: the same phrases as spotting
    assert recognizer.phrase_sets == 1


def test_listener_maps_phrases_to_meanings() -> None:
    recognizer = ScriptedRecognizer([(320, "seven"), (640, "that hurts"), (960, "next")])
    listener = CommandListener(recognizer, DEFAULT_VOCABULARY)
    listener.listen_for("answer", [a.value for a in Answer])
    block = np.zeros(320, dtype=np.float32)
    heard = [h for _ in range(3) for h in listener.feed(block)]
    assert [(h.meaning, h.at_sample) for h in heard] == [
        (Answer.SEVEN, 320),
        (Command.PAIN, 640),
        (Command.SKIP, 960),
    ]


class SpanningRecognizer(ScriptedRecognizer):
    """Reports its phrases with where the word started and ended (as the spotter does)."""

    def accept(self, samples: npt.NDArray[np.float32]) -> list[Detection]:
        return [
            replace(d, start_sample=d.at_sample - 8000, end_sample=d.at_sample - 4000)
            for d in super().accept(samples)
        ]


def test_a_heard_word_carries_when_it_was_said_on_the_stream() -> None:
    listener = CommandListener(SpanningRecognizer([(32000, "stop")]), DEFAULT_VOCABULARY)
    block = np.zeros(32000, dtype=np.float32)
    (stop,) = listener.feed(block)
    assert (stop.word().started, stop.word().ended) == (1.5, 1.75)
    plain = CommandListener(ScriptedRecognizer([(16000, "stop")]), DEFAULT_VOCABULARY)
    (reported,) = plain.feed(block)  # no word times: where it was reported (the block's end)
    assert (reported.word().started, reported.word().ended) == (None, 2.0)


def test_word_pieces_are_placed_across_the_spotters_own_restarts() -> None:
    # "stop" (pieces at 0.84, 1.0, 1.12 s) firing in the 4th chunk, no restart before it.
    assert word_span([0.84, 1.0, 1.12], chunks=4) == (0.84 * 16000, 1.16 * 16000)
    # The same word 1.6 s later: the spotter restarted after 40 blank frames, so the pieces'
    # times wrapped; the chunk count puts them back.
    start, end = word_span([0.84, 1.0, 1.12], chunks=9)  # type: ignore[misc]
    assert (start / 16000, end / 16000) == pytest.approx((2.44, 2.76))
    assert word_span([], chunks=3) is None


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="role"):
        CommandListener(ScriptedRecognizer(), DEFAULT_VOCABULARY).listen_for("chat", ())


# --------------------------------------------------------------------- evaluation scoring


def make_manifest(tmp_path: Path, rows: Sequence[tuple[str, str]]) -> Path:
    lines = ["path\tword\tspeaker"]
    for i, (name, word) in enumerate(rows):
        write_wav(tmp_path / name, tone(300, 16000, 0.3), 16000)
        lines.append(f"{name}\t{word}\ts{i}")
    manifest = tmp_path / "MANIFEST.tsv"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def test_evaluation_scores_accuracy_false_accepts_and_latency(tmp_path: Path) -> None:
    manifest = make_manifest(
        tmp_path, [("a.wav", "stop"), ("b.wav", "go"), ("c.wav", "happy"), ("d.wav", "seven")]
    )
    clips = ev.read_manifest(manifest)
    # Every clip's speech ends 0.8 s into the padded stream (0.5 s lead + 0.3 s tone).
    heard_at = 16000 * 0.8 + 3200  # 200 ms after the end of speech
    recognizer = ScriptedRecognizer([(int(heard_at), "stop")])

    report = ev.evaluate(clips, recognizer, DEFAULT_VOCABULARY, "spot", jitter=0.0)
    data = report.to_json()

    assert data["accuracy"] == 0.5  # stop heard; go missed
    assert data["false_accept_rate"] == 1.0  # "happy" produced "stop"
    assert data["off_role_accept_rate"] == 1.0  # "seven" is not a command: also wrong
    assert data["latency_ms_p50"] == pytest.approx(200, abs=20)
    assert data["per_word"]["stop"]["correct"] == 1
    assert data["per_word"]["happy"]["heard"] == {"stop": 1}
    assert [c["kind"] for c in data["clips"]] == ["target", "target", "other", "off_role"]
    assert {"engine", "role", "clips", "latency_ms_p95"} <= set(data)


def test_answer_role_counts_answers_as_targets(tmp_path: Path) -> None:
    clips = ev.read_manifest(make_manifest(tmp_path, [("a.wav", "seven"), ("b.wav", "bed")]))
    report = ev.evaluate(
        clips, ScriptedRecognizer([(13000, "seven")]), DEFAULT_VOCABULARY, "answer"
    )
    # The scripted recogniser says "seven" in every clip: right once, wrong for "bed".
    assert [(c.kind, c.expected, c.heard, c.correct) for c in report.clips] == [
        ("target", "7", "7", True),
        ("target", "bed", "7", False),
    ]


def test_manifest_problems_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "m.tsv"
    bad.write_text("file\tlabel\nx.wav\tstop\n")
    with pytest.raises(UsageError, match="path"):
        ev.read_manifest(bad)
    bad.write_text("path\tword\nx.wav\tstop\n\tgo\n")
    with pytest.raises(UsageError, match=":3:"):
        ev.read_manifest(bad)


def test_splits_keep_each_speaker_on_one_side_and_limit_spreads() -> None:
    clips = [
        ev.Clip(Path(f"{i}.wav"), f"{i}.wav", "stop", f"spk{i % 40}", "sc") for i in range(400)
    ]
    clips += [
        ev.Clip(Path(f"d{i}.wav"), f"d{i}.wav", "one", f"d{i % 3}", "fsdd") for i in range(30)
    ]
    tune, holdout = ev.select(clips, "tune"), ev.select(clips, "test")
    assert len(tune) + len(holdout) == 430
    assert not {c.speaker for c in tune} & {c.speaker for c in holdout}
    assert {c.source for c in tune} == {c.source for c in holdout} == {"sc", "fsdd"}
    limited = ev.select(clips, "all", 10)
    assert len(limited) == 10 and limited[1].name == "43.wav"


# --------------------------------------------------------------------- factory


@pytest.mark.parametrize("engine", ["kws", "vosk", "auto"])
def test_no_model_is_a_model_error_saying_where_and_how(tmp_path: Path, engine: str) -> None:
    settings = RecognitionSettings(engine=engine, model_path=str(tmp_path))
    assert available_engines(settings) == []
    with pytest.raises(ModelError) as error:
        create_recognizer(settings)
    assert str(tmp_path) in str(error.value)
    assert "voicecoach model download" in str(error.value)


# --------------------------------------------------------------------- own speech mixed in


def fake_voice(text: str, speech: object) -> tuple[npt.NDArray[np.float32], int]:
    """A stand-in for synthesis: a 0.6 s tone per sentence, at 22.05 kHz like espeak."""
    return tone(220 + 10 * len(text), 22050, 0.6), 22050


@pytest.mark.parametrize("snr_db", [0.0, 20.0])
def test_own_speech_is_mixed_under_the_clip_at_the_asked_level(snr_db: float) -> None:
    from voicecoach.audio.levels import active_rms
    from voicecoach.evaluation.own_speech_mix import OwnSpeechMixer

    clip = np.concatenate([np.zeros(8000), tone(300, 16000, 0.5), np.zeros(8000)])
    mic, reference = OwnSpeechMixer(snr_db, synthesize=fake_voice).microphone(clip)
    own = mic - clip
    assert len(mic) == len(reference) == len(clip)
    assert active_rms(clip) / active_rms(own) == pytest.approx(10 ** (snr_db / 20), rel=0.01)
    assert float(np.abs(reference).max()) > 0.1  # the canceller gets the clean speech


def test_mixed_clips_reach_the_listener_in_player_blocks(tmp_path: Path) -> None:
    need_module("pyaec", ".venv/bin/pip install pyaec")
    from voicecoach.evaluation.own_speech_mix import OwnSpeechMixer

    clips = ev.read_manifest(make_manifest(tmp_path, [("a.wav", "stop"), ("b.wav", "happy")]))
    sizes: list[int] = []
    mixer = OwnSpeechMixer(snr_db=0.0, synthesize=fake_voice)

    def blocks(padded: npt.NDArray[np.float32]) -> Iterator[npt.NDArray[np.float32]]:
        for block in mixer.blocks(padded):
            sizes.append(len(block))
            yield block

    report = ev.evaluate(clips, ScriptedRecognizer(), DEFAULT_VOCABULARY, "spot", blocks=blocks)
    assert set(sizes) == {320}
    assert len(sizes) * 320 / 16000 == pytest.approx(report.audio_seconds)
