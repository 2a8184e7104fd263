"""Speech-model discovery and download, with fake servers only: no test uses the network."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import urllib.error
import zipfile
from email.message import Message
from pathlib import Path

import platformdirs
import pytest

from needs import need_module
from voicecoach.cli import main as cli
from voicecoach.errors import ModelError
from voicecoach.store import model_download
from voicecoach.store import models as model_store

VOSK_DIR = "vosk-model-small-en-us-0.15"
KWS_DIR = "sherpa-onnx-kws-zipformer-gigaspeech-3.3M-2024-01-01"
SHARED_MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"


# --- helpers -----------------------------------------------------------------------------


def make_vosk(path: Path) -> Path:
    (path / "am").mkdir(parents=True)
    (path / "am" / "final.mdl").write_bytes(b"am")
    (path / "conf").mkdir()
    (path / "conf" / "model.conf").write_text("--sample-frequency=16000\n")
    return path


def make_kws(path: Path, int8: bool = True) -> Path:
    path.mkdir(parents=True)
    for name in ("tokens.txt", "bpe.model"):
        (path / name).write_text("x")
    stem = "epoch-12-avg-2-chunk-16-left-64"
    for part in ("encoder", "decoder", "joiner"):
        (path / f"{part}-{stem}.onnx").write_bytes(b"float")
        if int8:
            (path / f"{part}-{stem}.int8.onnx").write_bytes(b"int8")
    return path


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_bz2_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:bz2") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def vosk_archive() -> bytes:
    return zip_bytes(
        {
            f"{VOSK_DIR}/am/final.mdl": b"acoustic model",
            f"{VOSK_DIR}/conf/model.conf": b"--sample-frequency=16000\n",
            f"{VOSK_DIR}/README": b"small model",
        }
    )


def kws_archive() -> bytes:
    stem = "epoch-12-avg-2-chunk-16-left-64"
    return tar_bz2_bytes(
        {
            f"{KWS_DIR}/tokens.txt": b"<blk> 0\n",
            f"{KWS_DIR}/bpe.model": b"bpe",
            f"{KWS_DIR}/encoder-{stem}.onnx": b"e",
            f"{KWS_DIR}/encoder-{stem}.int8.onnx": b"e8",
            f"{KWS_DIR}/decoder-{stem}.onnx": b"d",
            f"{KWS_DIR}/joiner-{stem}.int8.onnx": b"j8",
            f"{KWS_DIR}/test_wavs/0.wav": b"RIFF",
        }
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FakeResponse:
    def __init__(self, data: bytes, fail_after: int | None = None) -> None:
        self.body = io.BytesIO(data)
        self.headers = Message()
        self.headers["Content-Length"] = str(len(data))
        self.fail_after = fail_after

    def read(self, size: int = -1) -> bytes:
        if self.fail_after is not None and self.body.tell() >= self.fail_after:
            raise ConnectionResetError(104, "Connection reset by peer")
        limit = size if self.fail_after is None else min(size, self.fail_after)
        return self.body.read(limit)

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.body.close()


class FakeServer:
    """Serves one archive from memory and records every URL asked for."""

    def __init__(self, data: bytes = b"", error: Exception | None = None, **kw: int) -> None:
        self.data, self.error, self.kw = data, error, kw
        self.urls: list[str] = []

    def __call__(self, url: str, *, timeout: float) -> FakeResponse:
        self.urls.append(url)
        if self.error is not None:
            raise self.error
        return FakeResponse(self.data, **self.kw)


def leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Every search place redirected into tmp_path; none holds a model yet."""
    paths = {
        "env": tmp_path / "env",
        "repo": tmp_path / "repo-models",
        "data": tmp_path / "data",
        "home": tmp_path / "home",
        "config": tmp_path / "config",
    }
    for path in paths.values():
        path.mkdir()
    monkeypatch.setenv(model_store.MODEL_DIR_ENV, str(paths["env"]))
    monkeypatch.setattr(model_store, "repo_models_dir", lambda: paths["repo"])
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(paths["data"]))
    monkeypatch.setenv("HOME", str(paths["home"]))
    monkeypatch.setenv("USERPROFILE", str(paths["home"]))
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(paths["config"]))
    return paths


# --- discovery ---------------------------------------------------------------------------


def test_nothing_found_lists_every_place_and_the_fix(places: dict[str, Path]) -> None:
    assert model_store.find_model("vosk") is None
    message = model_store.describe_missing("vosk")
    for where in (places["env"], places["repo"], places["data"] / "models"):
        assert str(where) in message
    assert str(places["home"] / ".cache" / "vosk") in message
    assert "voicecoach model download --engine vosk" in message
    assert "keyboard" in message


def test_the_first_line_of_nothing_found_stands_alone(places: dict[str, Path]) -> None:
    # The player quotes only this line in its spoken and printed note.
    first = model_store.describe_missing("kws").splitlines()[0]
    assert first == (
        "No kws speech model found in the 3 places looked at; `voicecoach model where` lists them."
    )


def test_search_order_env_then_repo_then_user_data_then_vosk_cache(
    places: dict[str, Path],
) -> None:
    cache = make_vosk(places["home"] / ".cache" / "vosk" / "vosk-model-small-en-us-0.15")
    assert model_store.find_model("vosk") == cache
    data = make_vosk(places["data"] / "models" / "vosk-a")
    assert model_store.find_model("vosk") == data
    repo = make_vosk(places["repo"] / "vosk-b")
    assert model_store.find_model("vosk") == repo
    env = make_vosk(places["env"] / "vosk-c")
    assert model_store.find_model("vosk") == env
    assert model_store.search_paths("vosk") == [
        places["env"],
        places["repo"],
        places["data"] / "models",
        places["home"] / ".cache" / "vosk",
    ]


def test_vosk_cache_is_not_searched_for_keyword_spotters(places: dict[str, Path]) -> None:
    make_kws(places["home"] / ".cache" / "vosk" / "kws")
    assert model_store.find_model("kws") is None
    assert places["home"] / ".cache" / "vosk" not in model_store.search_paths("kws")


def test_env_dir_may_be_the_model_itself(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = make_kws(places["env"] / "only-model")
    monkeypatch.setenv(model_store.MODEL_DIR_ENV, str(model))
    assert model_store.find_model("kws") == model


def test_unset_env_dir_is_not_listed(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(model_store.MODEL_DIR_ENV)
    assert model_store.search_paths("kws") == [places["repo"], places["data"] / "models"]


def test_kinds_do_not_mix(places: dict[str, Path]) -> None:
    make_vosk(places["env"] / "vosk")
    kws = make_kws(places["data"] / "models" / "kws")
    assert model_store.find_model("kws") == kws
    assert model_store.find_model("vosk") == places["env"] / "vosk"


def test_explicit_path_is_the_only_place_looked_at(places: dict[str, Path]) -> None:
    make_vosk(places["env"] / "vosk")
    chosen = make_vosk(places["data"] / "mine")
    assert model_store.find_model("vosk", str(chosen)) == chosen
    # A parent directory holding the model is accepted too.
    assert model_store.find_model("vosk", str(places["data"])) == chosen
    wrong = places["home"] / "not-a-model"
    wrong.mkdir()
    assert model_store.find_model("vosk", str(wrong)) is None
    message = model_store.describe_missing("vosk", str(wrong))
    assert str(wrong) in message and "am/final.mdl" in message


def test_unfinished_downloads_are_ignored(places: dict[str, Path]) -> None:
    make_vosk(places["data"] / "models" / ".download-abc123" / "unpacked")
    make_vosk(places["data"] / "models" / ".download-abc123")
    assert model_store.find_model("vosk") is None


def test_kws_picks_int8_encoder_and_joiner_and_float_decoder(tmp_path: Path) -> None:
    files = model_store.kws_files(make_kws(tmp_path / "kws"))
    assert files.encoder.name == "encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx"
    assert files.joiner.name == "joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx"
    assert files.decoder.name == "decoder-epoch-12-avg-2-chunk-16-left-64.onnx"
    float_only = model_store.kws_files(make_kws(tmp_path / "float", int8=False))
    assert float_only.encoder.name == "encoder-epoch-12-avg-2-chunk-16-left-64.onnx"


def test_kws_missing_file_is_named(tmp_path: Path) -> None:
    model = make_kws(tmp_path / "kws")
    (model / "bpe.model").unlink()
    assert not model_store.is_model_dir("kws", model)
    with pytest.raises(ModelError, match=r"bpe\.model"):
        model_store.kws_files(model)


def test_shared_keyword_spotter_is_recognised(monkeypatch: pytest.MonkeyPatch) -> None:
    if not SHARED_MODELS.is_dir():
        if os.environ.get("VOICECOACH_REQUIRE_CORPUS"):
            pytest.fail(f"{SHARED_MODELS} is missing but VOICECOACH_REQUIRE_CORPUS is set")
        pytest.skip(f"{SHARED_MODELS} not present")
    monkeypatch.setenv(model_store.MODEL_DIR_ENV, str(SHARED_MODELS))
    found = model_store.find_model("kws")
    assert found is not None and found.parent == SHARED_MODELS
    assert ".int8." in model_store.kws_files(found).encoder.name


# --- downloading -------------------------------------------------------------------------


def test_vosk_zip_download_unpacks_and_is_found(places: dict[str, Path]) -> None:
    data = vosk_archive()
    server = FakeServer(data)
    log = io.StringIO()
    dest = places["data"] / "models"
    path = model_download.download_model(
        "vosk", url="https://mirror.test/v.zip", opener=server, sha256=sha(data), progress=log
    )
    assert path == dest / VOSK_DIR
    assert (path / "am" / "final.mdl").read_bytes() == b"acoustic model"
    assert leftovers(dest) == [VOSK_DIR]
    assert server.urls == ["https://mirror.test/v.zip"]
    assert "100 %" in log.getvalue() and "ready" in log.getvalue()
    assert model_store.find_model("vosk") == path


def test_kws_tar_bz2_download_unpacks(tmp_path: Path) -> None:
    data = kws_archive()
    dest = tmp_path / "models"
    path = model_download.download_model(
        "kws",
        dest,
        url="https://mirror.test/k.tar.bz2",
        opener=FakeServer(data),
        sha256=sha(data),
        progress=io.StringIO(),
    )
    assert path == dest / KWS_DIR
    assert model_store.kws_files(path).encoder.name.endswith(".int8.onnx")
    assert leftovers(dest) == [KWS_DIR]


def test_pinned_archive_is_fetched_from_its_published_url(tmp_path: Path) -> None:
    server = FakeServer(b"not the real archive")
    with pytest.raises(ModelError):
        model_download.download_model("kws", tmp_path, opener=server, progress=io.StringIO())
    assert server.urls == [model_download.ARCHIVES["kws"].url]
    assert server.urls[0].endswith(".tar.bz2")


def test_checksum_mismatch_installs_nothing(tmp_path: Path) -> None:
    data = vosk_archive()
    with pytest.raises(ModelError, match="checksum") as caught:
        model_download.download_model(
            "vosk",
            tmp_path,
            url="https://mirror.test/v.zip",
            opener=FakeServer(data),
            sha256="0" * 64,
            progress=io.StringIO(),
        )
    assert "Nothing was installed" in str(caught.value)
    assert leftovers(tmp_path) == []


def test_wrong_size_against_the_pinned_archive_installs_nothing(tmp_path: Path) -> None:
    data = vosk_archive()  # the pinned size and SHA-256 apply when no sha256 is given
    with pytest.raises(ModelError, match="41205931"):
        model_download.download_model(
            "vosk",
            tmp_path,
            url="https://mirror.test/v.zip",
            opener=FakeServer(data),
            progress=io.StringIO(),
        )
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["../escaped.txt", "ABSOLUTE", "a/../../escaped.txt"])
def test_zip_with_escaping_path_is_rejected(tmp_path: Path, name: str) -> None:
    dest = tmp_path / "models"
    if name == "ABSOLUTE":
        name = str(tmp_path / "escaped.txt")
    data = zip_bytes({f"{VOSK_DIR}/am/final.mdl": b"x", name: b"owned"})
    with pytest.raises(ModelError, match="unsafe path"):
        model_download.download_model(
            "vosk",
            dest,
            url="https://mirror.test/v.zip",
            opener=FakeServer(data),
            sha256=sha(data),
            progress=io.StringIO(),
        )
    assert leftovers(dest) == []
    assert not (tmp_path / "escaped.txt").exists()


def test_tar_with_escaping_path_is_rejected(tmp_path: Path) -> None:
    dest = tmp_path / "models"
    data = tar_bz2_bytes({f"{KWS_DIR}/tokens.txt": b"x", "../../escaped.txt": b"owned"})
    with pytest.raises(ModelError, match="unsafe path"):
        model_download.download_model(
            "kws",
            dest,
            url="https://mirror.test/k.tar.bz2",
            opener=FakeServer(data),
            sha256=sha(data),
            progress=io.StringIO(),
        )
    assert leftovers(dest) == []
    assert not (tmp_path / "escaped.txt").exists()


def test_tar_links_are_not_unpacked(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:bz2") as archive:
        for name, payload in tarfile_entries().items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
        link = tarfile.TarInfo(f"{KWS_DIR}/passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    data = buffer.getvalue()
    path = model_download.download_model(
        "kws",
        tmp_path,
        url="https://mirror.test/k.tar.bz2",
        opener=FakeServer(data),
        sha256=sha(data),
        progress=io.StringIO(),
    )
    assert not (path / "passwd").exists() and not (path / "passwd").is_symlink()


def tarfile_entries() -> dict[str, bytes]:
    stem = "epoch-12-avg-2-chunk-16-left-64"
    return {
        f"{KWS_DIR}/tokens.txt": b"t",
        f"{KWS_DIR}/bpe.model": b"b",
        f"{KWS_DIR}/encoder-{stem}.onnx": b"e",
        f"{KWS_DIR}/decoder-{stem}.onnx": b"d",
        f"{KWS_DIR}/joiner-{stem}.onnx": b"j",
    }


def test_no_network_gives_url_and_fix(tmp_path: Path) -> None:
    server = FakeServer(error=urllib.error.URLError("[Errno -2] Name or service not known"))
    with pytest.raises(ModelError) as caught:
        model_download.download_model("vosk", tmp_path, opener=server, progress=io.StringIO())
    message = str(caught.value)
    assert model_download.ARCHIVES["vosk"].url in message
    assert "Name or service not known" in message
    assert "--from FILE" in message and str(tmp_path) in message
    assert model_store.MODEL_DIR_ENV in message
    assert leftovers(tmp_path) == []


def test_http_error_is_reported(tmp_path: Path) -> None:
    url = model_download.ARCHIVES["kws"].url
    error = urllib.error.HTTPError(url, 404, "Not Found", Message(), None)
    with pytest.raises(ModelError, match="404 Not Found"):
        model_download.download_model("kws", tmp_path, opener=FakeServer(error=error))
    assert leftovers(tmp_path) == []


def test_broken_connection_installs_nothing(tmp_path: Path) -> None:
    data = vosk_archive()
    with pytest.raises(ModelError, match="broke off"):
        model_download.download_model(
            "vosk",
            tmp_path,
            url="https://mirror.test/v.zip",
            opener=FakeServer(data, fail_after=len(data) // 2),
            sha256=sha(data),
            progress=io.StringIO(),
        )
    assert leftovers(tmp_path) == []


def test_truncated_archive_is_reported_as_damaged(tmp_path: Path) -> None:
    data = kws_archive()[:200]
    with pytest.raises(ModelError, match="damaged"):
        model_download.download_model(
            "kws",
            tmp_path,
            url="https://mirror.test/k.tar.bz2",
            opener=FakeServer(data),
            sha256=sha(data),
            progress=io.StringIO(),
        )
    assert leftovers(tmp_path) == []


def test_archive_without_a_model_is_refused(tmp_path: Path) -> None:
    data = zip_bytes({"something/else.txt": b"hello"})
    with pytest.raises(ModelError, match="does not hold a Vosk model"):
        model_download.download_model(
            "vosk",
            tmp_path,
            url="https://mirror.test/v.zip",
            opener=FakeServer(data),
            sha256=sha(data),
            progress=io.StringIO(),
        )
    assert leftovers(tmp_path) == []


def test_broken_copy_is_replaced_and_a_good_one_kept(tmp_path: Path) -> None:
    broken = tmp_path / VOSK_DIR
    broken.mkdir()
    (broken / "README").write_text("half a model")
    data = vosk_archive()
    path = model_download.download_model(
        "vosk",
        tmp_path,
        url="https://mirror.test/v.zip",
        opener=FakeServer(data),
        sha256=sha(data),
        progress=io.StringIO(),
    )
    assert path == broken and (path / "am" / "final.mdl").is_file()
    assert leftovers(tmp_path) == [VOSK_DIR]
    server = FakeServer(data)
    assert model_download.download_model("vosk", tmp_path, opener=server, progress=io.StringIO())
    assert server.urls == []  # already there: nothing fetched


# --- the command -------------------------------------------------------------------------


def test_model_where_prints_each_kind(
    places: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["model", "where"]) == 1
    assert "kws: not found" in capsys.readouterr().out
    kws = make_kws(places["env"] / "kws")
    assert cli.main(["model", "where"]) == 0
    out = capsys.readouterr().out
    assert f"kws: {kws}" in out
    assert "vosk: not found" in out and "voicecoach model download --engine vosk" in out


def test_model_where_uses_the_model_path_from_settings(
    places: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    make_kws(places["env"] / "kws")
    chosen = make_vosk(places["home"] / "my-vosk")
    (places["config"] / "settings.yaml").write_text(f"model_path: {chosen}\n")
    assert cli.main(["model", "where"]) == 0
    out = capsys.readouterr().out
    assert f"vosk: {chosen}" in out
    assert "kws: not found" in out and f"{chosen} is not a sherpa-onnx" in out


def test_model_download_from_a_file_checks_the_pinned_checksum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "vosk-model-small-en-us-0.15.zip"
    copy.write_bytes(vosk_archive())
    dest = tmp_path / "models"
    status = cli.main(
        ["model", "download", "--engine", "vosk", "--from", str(copy), "--dest", str(dest)]
    )
    assert status == 1
    assert "41205931" in capsys.readouterr().err
    assert leftovers(dest) == []


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_model_download_from_a_missing_file_says_so_not_the_internet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    given = tmp_path / "sherpa.tar.bz2"
    if what == "folder":
        given.mkdir()
    dest = tmp_path / "models"
    status = cli.main(["model", "download", "--from", str(given), "--dest", str(dest)])
    assert status == 1
    err = capsys.readouterr().err
    problem = "is a folder, not" if what == "folder" else "does not exist; expected"
    assert f"{given} {problem} the downloaded archive" in err
    assert "internet" not in err
    assert "give --from the archive file itself" in err
    assert not dest.exists()


def test_check_model_folder_says_what_it_looked_for(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        model_store.check_model_folder(tmp_path / "nowhere")
    with pytest.raises(ModelError) as caught:
        model_store.check_model_folder(tmp_path)
    assert "tokens.txt" in str(caught.value) and "am/final.mdl" in str(caught.value)
    make_kws(tmp_path / "kws")
    assert model_store.check_model_folder(tmp_path) == ["kws"]


# --- the real vosk package ---------------------------------------------------------------


def test_real_vosk_raises_a_bare_exception_for_a_missing_model() -> None:
    vosk = need_module("vosk", ".venv/bin/pip install vosk")
    with pytest.raises(Exception, match="Failed to create a model"):
        vosk.Model("/nonexistent")


def test_open_vosk_model_missing_path_says_how_to_fix() -> None:
    with pytest.raises(ModelError) as caught:
        model_store.open_vosk_model("/nonexistent")
    message = str(caught.value)
    assert "/nonexistent" in message
    assert "voicecoach model download --engine vosk" in message


def test_open_vosk_model_converts_vosk_failure(tmp_path: Path) -> None:
    need_module("vosk", ".venv/bin/pip install vosk")
    model = make_vosk(tmp_path / "damaged")  # looks like a model, holds no real files
    with pytest.raises(ModelError, match="could not load") as caught:
        model_store.open_vosk_model(model)
    assert "voicecoach model download --engine vosk" in str(caught.value)
