"""Speech synthesis: real espeak-ng speech through pyttsx3, level, cache, quiet stdout."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest

from needs import need_espeak
from voicecoach.audio.levels import active_rms
from voicecoach.config.settings import SpeechSettings
from voicecoach.errors import DeviceError, SettingsError
from voicecoach.speech.synth import (
    FALLBACK_VOICE_NOTE,
    LEVEL_FLOOR_DB,
    LEVEL_FRAME,
    NOTE_GAP_SECONDS,
    TARGET_RMS,
    SpeechCache,
    Synthesizer,
    UnknownVoiceError,
    _espeak_command,
    _LineFilteredStdout,
    count_words,
    installed_voices,
    resolve_voice,
    synthesize,
)


def speech_level(samples: np.ndarray) -> float:
    """The level synthesis sets: active RMS as the synthesiser measures it."""
    return active_rms(samples, LEVEL_FRAME, LEVEL_FLOOR_DB)


SENTENCE = "Lie on your back with your knees bent and your feet flat on the bed."


def _need_tts() -> None:
    try:
        import pyttsx3  # noqa: F401
    except ImportError:
        need_espeak()


def test_a_sentence_becomes_audible_speech_of_plausible_length(
    capfd: pytest.CaptureFixture[str],
) -> None:
    _need_tts()
    samples, rate = synthesize(SENTENCE, SpeechSettings(rate=140, volume=1.0))
    seconds = len(samples) / rate
    # 14 words at 140 words a minute is about 6 s; espeak is a little quicker.
    assert 3.0 < seconds < 9.0
    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert np.max(np.abs(samples)) <= 1.0
    assert speech_level(samples) == pytest.approx(TARGET_RMS, rel=0.05)
    out, _ = capfd.readouterr()
    assert out == ""  # pyttsx3's "Audio saved to ..." must not reach stdout


def test_nothing_reaches_stdout_from_a_synthesising_thread(
    capfd: pytest.CaptureFixture[str],
) -> None:
    _need_tts()
    done: list[int] = []
    worker = threading.Thread(
        target=lambda: done.append(len(synthesize("one", SpeechSettings())[0]))
    )
    worker.start()
    worker.join(timeout=30)
    assert done and done[0] > 0
    assert capfd.readouterr().out == ""


def test_a_faster_rate_gives_shorter_speech() -> None:
    _need_tts()
    slow, rate = synthesize(SENTENCE, SpeechSettings(rate=100))
    fast, _ = synthesize(SENTENCE, SpeechSettings(rate=200))
    assert len(fast) < 0.75 * len(slow)
    assert rate > 0


def test_volume_scales_the_level_and_voices_come_out_equally_loud() -> None:
    _need_tts()
    full, _ = synthesize("Breathe in slowly.", SpeechSettings(volume=1.0))
    half, _ = synthesize("Breathe in slowly.", SpeechSettings(volume=0.5))
    assert speech_level(half) == pytest.approx(speech_level(full) / 2, rel=0.05)
    other, _ = synthesize("Breathe in slowly.", SpeechSettings(voice="en-us", volume=1.0))
    assert speech_level(other) == pytest.approx(speech_level(full), rel=0.05)


def test_trailing_silence_is_trimmed_so_counts_start_on_time() -> None:
    _need_tts()
    samples, rate = synthesize("one", SpeechSettings())
    tail = samples[-int(0.1 * rate) :]
    assert len(samples) / rate < 0.7  # espeak alone adds ~0.4 s of silence
    assert np.max(np.abs(tail)) > 0.0  # ends within 100 ms of the word


def test_an_unknown_voice_is_a_settings_error_naming_voices_to_use() -> None:
    class Voice:
        def __init__(self, id: str, name: str) -> None:
            self.id, self.name = id, name

    voices = [Voice("gmw/en", "English (Great Britain)"), Voice("gmw/en-us", "English (America)")]
    assert resolve_voice("en-us", voices) == "gmw/en-us"
    assert resolve_voice("English (America)", voices) == "gmw/en-us"
    assert resolve_voice("gmw/en+f3", voices) == "gmw/en+f3"
    with pytest.raises(SettingsError, match="en-us") as caught:
        resolve_voice("no-such-voice", voices)
    # The fix names the real key and the exact command, not a dotted field name.
    assert "`voicecoach settings set voice en-us`" in str(caught.value)
    assert "speech.voice" not in str(caught.value)


def test_the_installed_voices_include_the_ones_the_fix_suggests() -> None:
    _need_tts()
    voices = installed_voices()
    assert resolve_voice("en-us", voices).endswith("en-us")
    with pytest.raises(UnknownVoiceError, match="`voicecoach settings set voice en-us`"):
        resolve_voice("nosuchvoice", voices)


def test_the_espeak_command_refuses_an_unknown_voice_by_name() -> None:
    need_espeak()
    with pytest.raises(UnknownVoiceError, match="'nosuchvoice' is not installed"):
        _espeak_command("Hold it there.", SpeechSettings(voice="nosuchvoice"))


def _synth_knowing(voices: set[str | None]) -> tuple[list[tuple[str, str | None]], Synthesizer]:
    """A fake synthesiser: one sample per letter of the text, for the voices given."""
    calls: list[tuple[str, str | None]] = []

    def synth(text: str, speech: SpeechSettings) -> tuple[np.ndarray, int]:
        calls.append((text, speech.voice))
        if speech.voice not in voices:
            raise UnknownVoiceError(str(speech.voice), "`voicecoach settings set voice en-us`")
        return np.full(len(text), 0.1, dtype=np.float32), 1000

    return calls, synth


def test_a_missing_voice_falls_back_to_the_default_with_a_note_shown_and_spoken() -> None:
    calls, synth = _synth_knowing({None})
    shown = io.StringIO()
    cache = SpeechCache(SpeechSettings(voice="nosuchvoice"), synth=synth, notes=shown)

    first, rate = cache.get("Welcome.")
    gap = int(NOTE_GAP_SECONDS * rate)
    # The note is said first, then a pause, then the sentence, all in the default voice.
    assert len(first) == len(FALLBACK_VOICE_NOTE) + gap + len("Welcome.")
    assert not first[len(FALLBACK_VOICE_NOTE) : len(FALLBACK_VOICE_NOTE) + gap].any()
    assert (FALLBACK_VOICE_NOTE, None) in calls and ("Welcome.", None) in calls
    assert "voice 'nosuchvoice' is not installed; using the default voice" in shown.getvalue()
    assert "`voicecoach settings set voice en-us`" in shown.getvalue()
    # Said once only.
    second, _ = cache.get("Hold.")
    assert len(second) == len("Hold.")
    assert shown.getvalue().count("not installed") == 1


def test_warming_up_never_raises_and_the_error_comes_when_the_sentence_is_said() -> None:
    calls: list[str] = []

    def broken(text: str, speech: SpeechSettings) -> tuple[np.ndarray, int]:
        calls.append(text)
        raise DeviceError("no speech synthesiser. Fix: `sudo apt install espeak-ng`")

    cache = SpeechCache(SpeechSettings(), synth=broken)
    # On its background thread an escaping error would print "Exception in thread".
    cache.warm(["one", "two", "three"])
    assert calls == ["one"]  # stops at the first failure
    with pytest.raises(DeviceError, match="sudo apt install espeak-ng"):
        cache.get("one")


def test_the_espeak_command_fallback_gives_speech() -> None:
    need_espeak()
    samples, rate = _espeak_command("Hold it there.", SpeechSettings())
    assert len(samples) / rate > 0.5
    assert active_rms(samples) > 0.01


def test_the_cache_synthesises_each_text_once_at_full_level() -> None:
    calls: list[tuple[str, SpeechSettings]] = []

    def fake_synth(text: str, speech: SpeechSettings) -> tuple[np.ndarray, int]:
        calls.append((text, speech))
        return np.full(100, 0.1, dtype=np.float32), 16000

    cache = SpeechCache(SpeechSettings(rate=120, volume=0.4), synth=fake_synth)
    cache.warm(["one", "two", "one"])
    first, rate = cache.get("one")
    again, _ = cache.get("one")
    assert [text for text, _ in calls] == ["one", "two"]
    assert again is first and rate == 16000
    assert all(speech.volume == 1.0 and speech.rate == 120 for _, speech in calls)


def test_count_words_cover_a_sixty_second_hold() -> None:
    words = count_words()
    assert words[0] == "Hold."
    assert "one" in words and "sixty" in words and "And relax." in words
    assert len(words) == len(set(words))


def test_the_stdout_filter_drops_only_the_announced_line() -> None:
    real = io.StringIO()
    quiet = _LineFilteredStdout(real, "Audio saved to /tmp/x.wav")
    print("Said: hello", file=quiet)
    print("Audio saved to /tmp/x.wav", file=quiet)
    print("Audio saved to /tmp/other.wav", file=quiet)
    assert real.getvalue() == "Said: hello\nAudio saved to /tmp/other.wav\n"
