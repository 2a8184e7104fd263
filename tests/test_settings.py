"""The settings file and `voicecoach settings`: what a person sees when setting things."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from needs import need_espeak
from voicecoach.cli.main import main
from voicecoach.config.settings import Settings
from voicecoach.errors import SettingsError
from voicecoach.session.vocabulary import Command, vocabulary_for
from voicecoach.store import settings_file
from voicecoach.store.settings_file import (
    SETTING_KEYS,
    load_settings,
    reset_setting,
    save_setting,
    settings_path,
)


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(settings_file.CONFIG_DIR_ENV, str(tmp_path))
    return tmp_path


def _voicecoach(config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("voicecoach")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "voicecoach"]
    env = {**os.environ, settings_file.CONFIG_DIR_ENV: str(config_dir)}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


# ---------------------------------------------------------------- round trips


def test_the_file_lives_in_the_config_dir_from_the_environment(config_dir: Path) -> None:
    assert settings_path() == config_dir / "settings.yaml"


def test_no_file_means_every_default(config_dir: Path) -> None:
    assert load_settings() == Settings()


def test_a_saved_value_is_loaded_back(config_dir: Path) -> None:
    assert save_setting("speech_rate", "120") == "120"
    assert save_setting("heat_note", "off") == "off"
    assert save_setting("volume", "0.5") == "0.5"
    assert save_setting("default_position", "chair") == "chair"
    assert save_setting("count_style", "Beeps") == "beeps"
    assert save_setting("input_device", "3") == "3"
    settings = load_settings()
    assert settings.speech.rate == 120
    assert settings.session.heat_note is False
    assert settings.speech.volume == 0.5
    assert settings.default_position == "chair"
    assert settings.session.count_style == "beeps"
    assert settings.audio.input_device == "3"
    assert settings.session.rest_seconds == Settings().session.rest_seconds


def test_words_meaning_none_give_the_default(config_dir: Path) -> None:
    save_setting("default_position", "bed")
    save_setting("default_position", "ask")
    save_setting("voice", "default")
    save_setting("model_path", "auto")
    settings = load_settings()
    assert settings.default_position is None
    assert settings.speech.voice is None
    assert settings.recognition.model_path is None


def test_a_value_needing_quotes_survives_the_file(config_dir: Path) -> None:
    save_setting("input_device", "mic: front")
    save_setting("output_device", "USB Audio #2")
    settings = load_settings()
    assert settings.audio.input_device == "mic: front"
    assert settings.audio.output_device == "USB Audio #2"


def test_setting_a_key_keeps_comments_and_other_keys(config_dir: Path) -> None:
    path = settings_path()
    mine = "# my settings\nspeech_rate: 120  # slower please\n\n# rests\nrest_seconds: {}\n"
    path.write_text(mine.format(90))
    save_setting("rest_seconds", "120")
    save_setting("pace", "1.5")
    text = path.read_text()
    assert text.startswith(mine.format(120))
    assert text.endswith("pace: 1.5\n")
    settings = load_settings()
    assert (settings.speech.rate, settings.session.rest_seconds, settings.session.pace) == (
        120,
        120,
        1.5,
    )


def test_reset_puts_back_the_default_and_keeps_the_rest(config_dir: Path) -> None:
    save_setting("speech_rate", "100")
    save_setting("pace", "2")
    assert reset_setting("speech_rate") == "140"
    settings = load_settings()
    assert settings.speech.rate == 140
    assert settings.session.pace == 2.0
    assert "speech_rate" not in settings_path().read_text()


def test_a_write_leaves_no_temporary_file_behind(config_dir: Path) -> None:
    save_setting("speech_rate", "100")
    with pytest.raises(SettingsError):
        save_setting("speech_rate", "fast")
    assert sorted(p.name for p in config_dir.iterdir()) == ["settings.yaml"]


def test_command_line_overrides_win_over_the_file(config_dir: Path) -> None:
    save_setting("speech_rate", "100")
    settings = load_settings(overrides={"speech_rate": "160", "heat_note": "no"})
    assert settings.speech.rate == 160
    assert settings.session.heat_note is False


def test_a_bad_override_names_the_command_line(config_dir: Path) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(overrides={"volume": "loud"})
    assert "on the command line: volume: 'loud' is not a number" in str(error.value)
    assert "0.1 to 1.0" in str(error.value)


def test_assignments_from_the_command_line() -> None:
    assert settings_file.parse_assignments(["speech_rate=120", "voice = x"]) == {
        "speech_rate": "120",
        "voice": " x",
    }
    with pytest.raises(SettingsError, match="KEY=VALUE"):
        settings_file.parse_assignments(["speech_rate"])


def _leaf_fields(cls: type, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for f in dataclasses.fields(cls):
        kind = f.default_factory if f.default_factory is not dataclasses.MISSING else None
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            found |= _leaf_fields(kind, (*prefix, f.name))
        else:
            found.add((*prefix, f.name))
    return found


def test_every_settings_field_can_be_set_from_the_file() -> None:
    reachable = {key.field for key in SETTING_KEYS}
    reachable |= {("recognition", "personal_words"), ("recognition", "removed_words")}
    assert _leaf_fields(Settings) - reachable == set()


# ---------------------------------------------------------------- personal words


def test_personal_words_feed_the_vocabulary(config_dir: Path) -> None:
    assert save_setting("personal_words.stop", "halt, Enough!") == "halt, enough"
    save_setting("personal_words.more_rest", "longer please")
    save_setting("removed_words.skip", "next")
    vocabulary = vocabulary_for(load_settings().recognition)
    assert vocabulary.lookup("halt") is Command.STOP
    assert vocabulary.lookup("enough") is Command.STOP
    assert vocabulary.lookup("longer please") is Command.MORE_REST
    assert vocabulary.lookup("next") is None
    assert vocabulary.lookup("skip") is Command.SKIP


def test_personal_words_can_be_a_yaml_list(config_dir: Path) -> None:
    settings_path().write_text("personal_words.pause:\n  - hang on\n  - one moment\n")
    vocabulary = vocabulary_for(load_settings().recognition)
    assert vocabulary.lookup("one moment") is Command.PAUSE


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("personal_words.pause", "stop", "'stop' already means stop"),
        ("personal_words.fly", "away", "'fly' is not a command or answer"),
        ("removed_words.stop", "stop", "is the main word for stop and cannot be removed"),
        ("removed_words.pain", "banana", "'banana' is not one of the words for pain"),
        ("personal_words.stop", " , ", "no words given"),
    ],
)
def test_word_lists_that_would_confuse_the_player_are_refused(
    config_dir: Path, key: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        save_setting(key, value)
    assert not settings_path().exists()


def test_accents_are_dropped_and_hyphens_become_spaces(config_dir: Path) -> None:
    assert save_setting("personal_words.stop", "Ünïcode, x-ray, Straße") == (
        "unicode, x ray, strasse"
    )
    assert vocabulary_for(load_settings().recognition).lookup("x ray") is Command.STOP


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "personal_words.stop",
            "halt, 42",
            "'42' has a number in it, and the recogniser hears words, not digits: "
            "write numbers as words",
        ),
        (
            "personal_words.stop",
            "halt, 停止",
            "'停止' has letters the recogniser cannot spell (停止): write the word "
            "with the letters a to z",
        ),
        # Sounds like another command: a false "harder" is the unsafe case.
        ("personal_words.harder", "easy", "'easy' sounds too like 'easier', which means easier"),
        (
            "personal_words.easier",
            "easy",
            "'easy' sounds too like 'easy' in 'too easy', which means harder: words that are "
            "the same or start with the same three letters can be heard as each other",
        ),
        ("personal_words.stop", "go away", "'go away' sounds too like 'go', which means continue"),
        ("personal_words.faster", "slowly", "'slowly' sounds too like 'slower'"),
    ],
)
def test_words_the_recogniser_could_not_spell_or_would_mishear_are_refused(
    config_dir: Path, key: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError) as error:
        save_setting(key, value)
    assert str(error.value).startswith(f"{key}: {message}")
    assert not settings_path().exists()


def test_a_personal_word_may_sound_like_another_personal_word_of_its_own_command(
    config_dir: Path,
) -> None:
    save_setting("personal_words.easier", "too much")
    save_setting("personal_words.stop", "halt")
    with pytest.raises(SettingsError, match="'halting' sounds too like 'halt', which means stop"):
        save_setting("personal_words.pause", "halting")
    # Words that differ after a shared first word are fine, and so is the same command.
    assert save_setting("personal_words.stop", "halt, halting") == "halt, halting"


def test_a_sound_alike_word_already_in_the_file_still_loads(config_dir: Path) -> None:
    # Checked when set, so a file that loaded before this check still loads.
    settings_path().write_text("personal_words.harder: easy\n")
    assert vocabulary_for(load_settings().recognition).lookup("easy") is Command.HARDER


def test_one_word_cannot_mean_two_commands(config_dir: Path) -> None:
    save_setting("personal_words.pause", "hang on")
    save_setting("personal_words.stop", "halt")
    with pytest.raises(SettingsError) as error:
        save_setting("personal_words.pause", "halt")
    assert str(error.value) == (
        "personal_words.pause: 'halt' is also in personal_words.stop; "
        "a word can mean only one thing"
    )
    assert vocabulary_for(load_settings().recognition).lookup("hang on") is Command.PAUSE


# ---------------------------------------------------------------- broken files


def test_broken_yaml_names_the_file_and_line(config_dir: Path) -> None:
    path = settings_path()
    path.write_text("speech_rate: 120\nvolume: [0.5\nheat_note: off\n")
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert f"{path}:3:" in message
    assert "line 2" in message
    assert "not valid YAML" in message
    assert "voicecoach settings reset --all" in message


def test_every_bad_value_in_the_file_is_reported_with_its_line_and_fix(
    config_dir: Path,
) -> None:
    path = settings_path()
    path.write_text("speech_rate: fast\nvolume: 0.5\nrest_seconds: 5\nspeach_rate: 100\n")
    with pytest.raises(SettingsError) as error:
        load_settings()
    lines = str(error.value).splitlines()
    assert lines[0] == (
        f"{path}:1:14: speech_rate: 'fast' is not a number "
        "(expected words per minute from 80 to 220)"
    )
    assert lines[1] == f"{path}:3:15: rest_seconds: 5 is too low (expected seconds from 10 to 600)"
    assert lines[2].startswith(f"{path}:4:1: speach_rate: there is no such setting")
    assert "speech_rate" in lines[2]
    assert "voicecoach settings reset KEY" in lines[3]


def test_a_key_written_twice_is_reported(config_dir: Path) -> None:
    path = settings_path()
    path.write_text("pace: 1.5\npace: 2\n")
    with pytest.raises(SettingsError, match=r":2:1: pace: set twice \(also at .*:1:1\)"):
        load_settings()


def test_pain_zones_must_stay_in_order(config_dir: Path) -> None:
    save_setting("pain_amber_max", "7")
    save_setting("pain_green_max", "6")
    with pytest.raises(SettingsError) as error:
        save_setting("pain_amber_max", "5")
    assert "pain_amber_max: 5 must be above pain_green_max (6)" in str(error.value)
    zones = load_settings().session.pain_zones
    assert (zones.green_max, zones.amber_max) == (6, 7)


def test_reset_all_moves_the_file_aside(config_dir: Path) -> None:
    path = settings_path()
    path.write_text("speech_rate: [\n")
    backup = settings_file.reset_all()
    assert backup == config_dir / "settings.yaml.bak"
    assert backup.read_text() == "speech_rate: [\n"
    assert load_settings() == Settings()


# ---------------------------------------------------------------- the command


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "speech_rate",
            "fast",
            "speech_rate: 'fast' is not a number (expected words per minute from 80 to 220)",
        ),
        ("speech_rate", "400", "speech_rate: 400 is too high (expected words per minute"),
        ("volume", "2", "volume: 2 is too high (expected a number from 0.1 to 1.0)"),
        (
            "count_style",
            "bells",
            "count_style: 'bells' is not one of the choices (expected numbers or beeps)",
        ),
        ("heat_note", "maybe", "heat_note: 'maybe' is neither on nor off (expected on or off)"),
        ("default_position", "floor", "(expected bed, chair or ask)"),
        ("pain_green_max", "5", "pain_green_max: 5 must be below pain_amber_max (5)"),
        ("personal_words.continue", "stop", "'stop' already means stop"),
        ("speach_rate", "120", "speach_rate: there is no such setting. Did you mean: speech_rate"),
    ],
)
def test_invalid_values_exit_2_and_write_nothing(
    config_dir: Path, key: str, value: str, expected: str
) -> None:
    path = settings_path()
    before = "# mine\nspeech_rate: 120\n"
    path.write_text(before)
    result = _voicecoach(config_dir, "settings", "set", key, value)
    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stdout == ""
    assert path.read_text() == before


def test_a_valid_value_is_echoed_and_listed(config_dir: Path) -> None:
    result = _voicecoach(config_dir, "settings", "set", "speech_rate", "115")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "speech_rate = 115\n"
    listing = _voicecoach(config_dir, "settings")
    assert listing.returncode == 0, listing.stderr
    assert "speech_rate = 115   (changed; default 140)" in listing.stdout
    assert "Allowed: words per minute from 80 to 220." in listing.stdout


def test_the_listing_shows_every_key_with_value_default_allowed_and_meaning(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_setting("personal_words.stop", "halt")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    for key in SETTING_KEYS:
        assert f"\n{key.name} = " in out
        assert key.meaning in out
    assert "rest_seconds = 60\n" in out
    assert "personal_words.stop = halt   (changed; default (none))" in out
    assert "removed_words.<command> = (none)" in out


def test_the_json_listing(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save_setting("pace", "1.5")
    assert main(["settings", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["path"] == str(settings_path())
    pace = next(row for row in listing["settings"] if row["key"] == "pace")
    assert pace == {
        "key": "pace",
        "value": "1.5",
        "default": "1.0",
        "allowed": "a number from 0.5 to 3.0",
        "meaning": "Tempo multiplier for counted reps: 1.5 is a gentler pace.",
        "changed": True,
    }


def test_words_may_follow_set_without_quotes(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["settings", "set", "personal_words.stop", "halt,", "enough"]) == 0
    assert capsys.readouterr().out == "personal_words.stop = halt, enough\n"
    assert vocabulary_for(load_settings().recognition).lookup("enough") is Command.STOP


def test_reset_and_path_commands(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save_setting("rest_seconds", "90")
    assert main(["settings", "reset", "rest_seconds"]) == 0
    assert capsys.readouterr().out == "rest_seconds = 60 (the default)\n"
    assert main(["settings", "path"]) == 0
    assert capsys.readouterr().out == f"{settings_path()}\n"
    assert main(["settings", "reset"]) == 2
    assert "name one KEY" in capsys.readouterr().err


# ---------------------------------------------------------------- checked against this computer


def _need_espeak() -> None:
    need_espeak()


def test_an_installed_voice_is_saved(config_dir: Path) -> None:
    _need_espeak()
    result = _voicecoach(config_dir, "settings", "set", "voice", "en-us")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "voice = en-us\n"
    assert load_settings().speech.voice == "en-us"


def test_a_voice_that_is_not_installed_is_refused_with_the_command_to_use(
    config_dir: Path,
) -> None:
    _need_espeak()
    result = _voicecoach(config_dir, "settings", "set", "voice", "nosuchvoice")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "voicecoach: voice: 'nosuchvoice' is not installed on this computer. "
        "Fix: `voicecoach settings set voice en-us` (English voices here: "
    )
    assert "en-gb" in result.stderr
    assert not settings_path().exists()


def test_a_voice_in_the_file_is_not_checked_when_loading(config_dir: Path) -> None:
    # A missing voice falls back at play time (speech_synth.SpeechCache), never blocks.
    settings_path().write_text("voice: nosuchvoice\n")
    assert load_settings().speech.voice == "nosuchvoice"


def test_model_path_must_hold_a_speech_model(config_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    result = _voicecoach(config_dir, "settings", "set", "model_path", str(missing))
    assert result.returncode == 2
    assert f"model_path: {missing} does not exist. Fix:" in result.stderr
    assert "`voicecoach settings set model_path auto`" in result.stderr

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SettingsError) as error:
        save_setting("model_path", str(empty))
    assert f"{empty} holds no speech model: looked in it and the folders" in str(error.value)
    assert "tokens.txt" in str(error.value) and "am/final.mdl" in str(error.value)
    assert not settings_path().exists()

    (empty / "vosk-small" / "am").mkdir(parents=True)
    (empty / "vosk-small" / "am" / "final.mdl").write_bytes(b"am")
    assert save_setting("model_path", str(empty)) == str(empty)
    assert load_settings().recognition.model_path == str(empty)


def test_rest_between_exercises_is_a_setting_with_a_thirty_second_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path))
    assert load_settings().session.rest_between_exercises == 30
    save_setting("rest_between_exercises", "60")
    assert load_settings().session.rest_between_exercises == 60
    with pytest.raises(SettingsError):
        save_setting("rest_between_exercises", "900")
