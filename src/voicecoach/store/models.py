"""Where speech models live, how to find one, and how to fetch one.

Two kinds of model:
- "vosk": a Vosk model directory (it holds am/final.mdl or conf/model.conf).
- "kws": a sherpa-onnx keyword-spotter directory (tokens.txt, bpe.model and
  encoder*/decoder*/joiner* .onnx files).

Search order, first match wins (each place counts if it is a model itself or holds one
directly inside it):
1. an explicit path (settings.recognition.model_path or --model PATH); when given, only it;
2. $VOICECOACH_MODEL_DIR;
3. models/ in the source tree (editable installs and checkouts only);
4. the user data directory: platformdirs.user_data_dir("voicecoach")/models;
5. for vosk only, the Vosk package's own cache, ~/.cache/vosk.

`download_model()` is the only code in voicecoach that touches the network, and only when
the person asks for it. It never leaves a half-written model directory behind: everything
happens in a hidden work directory next to the destination and the finished model is moved
into place with one rename.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import sys
import tempfile
import urllib.error
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol, TextIO

import platformdirs

from voicecoach.errors import ModelError, UsageError

KINDS = ("kws", "vosk")
"""Model kinds, in the order `voicecoach model where` reports them."""

MODEL_DIR_ENV = "VOICECOACH_MODEL_DIR"

DOWNLOAD_TIMEOUT = 30.0
"""Seconds without an answer from the server before the download gives up."""

MAX_UNPACKED_BYTES = 2 * 1024**3
"""Refuse archives that claim to unpack to more than this (both models are far smaller)."""

_CHUNK = 256 * 1024


@dataclass(frozen=True)
class ModelArchive:
    """One published model archive and what we know about it."""

    kind: str
    url: str
    sha256: str
    """Pinned SHA-256 of the archive file."""
    size: int
    """Archive size in bytes."""
    dir_name: str
    """The directory the archive unpacks to, and the name it gets in the destination."""


# The Vosk site publishes no checksums. This SHA-256 and size are the values pinned for
# this exact file by several unrelated public projects (Yocto recipes, app build scripts and
# download helpers) that verify it on every build; they agree with each other. They could
# not be re-measured here (no network), so a mismatch means: a different file was served.
_VOSK = ModelArchive(
    kind="vosk",
    url="https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
    sha256="30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
    size=41_205_931,
    dir_name="vosk-model-small-en-us-0.15",
)

# The full archive, not the "-mobile" one: the -mobile int8 encoder fails to load in
# onnxruntime (a Reshape error; shared/models/*/SOURCE.txt describes it), while the full
# archive ships a working int8 encoder next to the float one. SHA-256 and size as pinned
# by several unrelated public projects that download this GitHub release asset; GitHub
# publishes no checksum file for it and it could not be re-measured here (no network).
_KWS = ModelArchive(
    kind="kws",
    url="https://github.com/k2-fsa/sherpa-onnx/releases/download/kws-models/"
    "sherpa-onnx-kws-zipformer-gigaspeech-3.3M-2024-01-01.tar.bz2",
    sha256="f170013b4716e41b62b9bfd809687c207cef798ef9bc6534d524e17af9b6561a",
    size=17_626_723,
    dir_name="sherpa-onnx-kws-zipformer-gigaspeech-3.3M-2024-01-01",
)

ARCHIVES: dict[str, ModelArchive] = {"vosk": _VOSK, "kws": _KWS}

_MODEL_SHAPE = {
    "vosk": "a Vosk model directory (with am/final.mdl or conf/model.conf)",
    "kws": "a sherpa-onnx keyword-spotter directory (with tokens.txt, bpe.model and "
    "encoder, decoder and joiner .onnx files)",
}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UsageError(f"Unknown model kind {kind!r}: use one of {', '.join(KINDS)}.")


# ---------------------------------------------------------------------------------------
# What a model directory looks like


@dataclass(frozen=True)
class KwsFiles:
    """The files a sherpa-onnx keyword spotter is built from."""

    encoder: Path
    decoder: Path
    joiner: Path
    tokens: Path
    bpe_model: Path


def _pick_onnx(model_dir: Path, part: str, prefer_int8: bool) -> Path | None:
    try:
        found = sorted(p for p in model_dir.glob(f"{part}*.onnx") if p.is_file())
    except OSError:
        return None
    if not found:
        return None
    int8 = [p for p in found if ".int8." in p.name]
    plain = [p for p in found if ".int8." not in p.name]
    ordered = int8 + plain if prefer_int8 else plain + int8
    return ordered[0]


def kws_encoder(model_dir: Path) -> Path | None:
    """The encoder file, the int8 one when there is one (smaller and faster)."""
    return _pick_onnx(model_dir, "encoder", prefer_int8=True)


def kws_joiner(model_dir: Path) -> Path | None:
    """The joiner file, the int8 one when there is one."""
    return _pick_onnx(model_dir, "joiner", prefer_int8=True)


def kws_decoder(model_dir: Path) -> Path | None:
    """The decoder file; the float one when both exist, as sherpa-onnx's examples use."""
    return _pick_onnx(model_dir, "decoder", prefer_int8=False)


def kws_files(model_dir: Path) -> KwsFiles:
    """All files of a keyword-spotter model, or ModelError naming the missing ones."""
    encoder, decoder, joiner = kws_encoder(model_dir), kws_decoder(model_dir), kws_joiner(model_dir)
    tokens, bpe = model_dir / "tokens.txt", model_dir / "bpe.model"
    missing = [
        name
        for name, present in (
            ("encoder*.onnx", encoder is not None),
            ("decoder*.onnx", decoder is not None),
            ("joiner*.onnx", joiner is not None),
            ("tokens.txt", tokens.is_file()),
            ("bpe.model", bpe.is_file()),
        )
        if not present
    ]
    if missing or encoder is None or decoder is None or joiner is None:
        raise ModelError(
            f"{model_dir} is not a complete keyword-spotter model: missing "
            f"{', '.join(missing)}. Run `voicecoach model download --engine kws` for a fresh copy."
        )
    return KwsFiles(encoder, decoder, joiner, tokens, bpe)


def is_model_dir(kind: str, path: Path) -> bool:
    """True when `path` is a model directory of this kind."""
    _check_kind(kind)
    try:
        if not path.is_dir():
            return False
        if kind == "vosk":
            return (path / "am" / "final.mdl").is_file() or (path / "conf" / "model.conf").is_file()
        kws_files(path)
    except ModelError:
        return False
    except OSError:  # unreadable directory: not a usable model
        return False
    return True


# ---------------------------------------------------------------------------------------
# Where to look


def user_models_dir() -> Path:
    """Where `voicecoach model download` puts models unless told otherwise."""
    return Path(platformdirs.user_data_dir("voicecoach", appauthor=False)) / "models"


def repo_models_dir() -> Path | None:
    """models/ in the source checkout this package runs from, when there is one."""
    root = Path(__file__).resolve().parents[3]
    models = root / "models"
    if (root / "pyproject.toml").is_file() and models.is_dir():
        return models
    return None


def vosk_cache_dir() -> Path:
    """Where the vosk package itself caches models it downloads."""
    return Path.home() / ".cache" / "vosk"


def labelled_search_paths(kind: str) -> list[tuple[str, Path]]:
    """(label, directory) for each place searched, in order; explicit paths excluded."""
    _check_kind(kind)
    places: list[tuple[str, Path]] = []
    env_dir = os.environ.get(MODEL_DIR_ENV, "").strip()
    if env_dir:
        places.append((f"${MODEL_DIR_ENV}", Path(env_dir).expanduser()))
    repo = repo_models_dir()
    if repo is not None:
        places.append(("models/ in the source tree", repo))
    places.append(("user data directory", user_models_dir()))
    if kind == "vosk":
        places.append(("Vosk cache", vosk_cache_dir()))
    return places


def search_paths(kind: str) -> list[Path]:
    """The directories searched for a model of this kind, in order."""
    return [path for _, path in labelled_search_paths(kind)]


def _candidates(root: Path) -> Iterator[Path]:
    """The root itself, then the directories directly inside it (hidden ones skipped)."""
    yield root
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:  # missing or unreadable: nothing to offer
        return
    yield from children


def _first_model(kind: str, root: Path) -> Path | None:
    for candidate in _candidates(root):
        if is_model_dir(kind, candidate):
            return candidate
    return None


def find_model(kind: str, explicit: str | None = None) -> Path | None:
    """The model directory to use for `kind`, or None.

    An explicit path is the only place looked at when given, so a wrong path is noticed
    instead of silently replaced by some other model.
    """
    _check_kind(kind)
    if explicit:
        return _first_model(kind, Path(explicit).expanduser())
    for root in search_paths(kind):
        found = _first_model(kind, root)
        if found is not None:
            return found
    return None


def describe_missing(kind: str, explicit: str | None = None) -> str:
    """Why no model of this kind was found, and the command that fixes it."""
    _check_kind(kind)
    fix = (
        f"To fix: run `voicecoach model download --engine {kind}` (or `scripts/run model "
        f"download --engine {kind}` in the source tree), or set {MODEL_DIR_ENV} to a "
        "directory that holds the model. The keyboard works without a model."
    )
    if explicit:
        return f"{explicit} is not {_MODEL_SHAPE[kind]}.\n{fix}"
    places = labelled_search_paths(kind)
    # The first line stands alone: the player quotes only it.
    count = "the one place" if len(places) == 1 else f"the {len(places)} places"
    lines = [
        f"No {kind} speech model found in {count} looked at; `voicecoach model where` lists them.",
        "Looked in:",
    ]
    for label, path in places:
        note = "" if path.is_dir() else ", does not exist"
        lines.append(f"  - {path} ({label}{note})")
    lines.append(fix)
    return "\n".join(lines)


def check_model_folder(path: str | Path) -> list[str]:
    """The kinds of model a session would find with `path` as its model_path; ModelError
    saying what was looked for when it is missing or holds none."""
    folder = Path(path).expanduser()
    if not folder.exists():
        raise ModelError(f"{folder} does not exist")
    if not folder.is_dir():
        raise ModelError(f"{folder} is a file; a speech model is a folder")
    kinds = [kind for kind in KINDS if _first_model(kind, folder) is not None]
    if not kinds:
        raise ModelError(
            f"{folder} holds no speech model: looked in it and the folders directly inside "
            f"it for {_MODEL_SHAPE['kws']}, or {_MODEL_SHAPE['vosk']}"
        )
    return kinds


# ---------------------------------------------------------------------------------------
# Opening a Vosk model


def open_vosk_model(path: str | Path) -> object:
    """Load a Vosk model, turning every failure into a ModelError that says what to do."""
    model_dir = Path(path).expanduser()
    if not is_model_dir("vosk", model_dir):
        raise ModelError(f"{model_dir} is not {_MODEL_SHAPE['vosk']}.\n" + _vosk_fix(model_dir))
    try:
        import vosk
    except ImportError as error:
        raise ModelError(
            "The vosk package is not installed. Run scripts/run once (it installs it), or "
            "`pip install vosk`."
        ) from error
    vosk.SetLogLevel(-1)  # Kaldi's info lines would bury our own messages
    try:
        return vosk.Model(str(model_dir))
    except Exception as error:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelError(
            f"Vosk could not load the model in {model_dir} ({error}); it may be incomplete "
            f"or damaged.\n" + _vosk_fix(model_dir)
        ) from error


def _vosk_fix(model_dir: Path) -> str:
    return (
        f"To fix: delete {model_dir} if it is a broken copy and run "
        "`voicecoach model download --engine vosk`, or point --model / "
        f"{MODEL_DIR_ENV} at a working Vosk model. The keyboard works without a model."
    )


# ---------------------------------------------------------------------------------------
# Downloading


class Opener(Protocol):
    """urllib.request.urlopen, or a fake of it in tests."""

    def __call__(self, url: str, *, timeout: float) -> Any: ...


def download_model(
    kind: str,
    dest_dir: str | Path | None = None,
    url: str | None = None,
    opener: Opener | None = None,
    *,
    sha256: str | None = None,
    progress: TextIO | None = None,
) -> Path:
    """Fetch, verify and unpack the model archive for `kind`; return the model directory.

    `url` fetches the same archive from elsewhere (a mirror, or a file:// URL of a copy
    downloaded by hand); the pinned SHA-256 still applies unless `sha256` replaces it.
    Progress goes to `progress` (stderr by default). Any failure raises ModelError and
    leaves nothing behind. `opener` defaults to urllib.request.urlopen (imported here, so
    commands that never download start faster).
    """
    _check_kind(kind)
    if opener is None:
        import urllib.request

        opener = urllib.request.urlopen
    archive = ARCHIVES[kind]
    source = url or archive.url
    expected_sha = (sha256 or archive.sha256).lower()
    expected_size = archive.size if sha256 is None else None
    dest = Path(dest_dir).expanduser() if dest_dir is not None else user_models_dir()
    out = progress if progress is not None else sys.stderr

    existing = dest / archive.dir_name
    if is_model_dir(kind, existing):
        print(f"The {kind} model is already in {existing}.", file=out)
        return existing

    local = _local_file(source)

    def fail(why: str) -> ModelError:
        if local is not None:
            return ModelError(_from_file_fix(why, kind, archive))
        return ModelError(_download_fix(why, kind, archive.url, dest))

    if local is not None and not local.is_file():
        missing = "is a folder, not" if local.is_dir() else "does not exist; expected"
        raise fail(f"{local} {missing} the downloaded archive.")
    if local is not None and not os.access(local, os.R_OK):
        raise fail(f"{local} cannot be read: check its permissions.")

    try:
        dest.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".download-", dir=dest))
    except OSError as error:
        raise fail(f"Cannot write to {dest}: {error.strerror or error}.") from error
    try:
        archive_path = work / "archive"
        digest, size = _fetch(source, archive_path, opener, expected_size, out, fail)
        if expected_size is not None and size != expected_size:
            raise fail(
                f"The download from {source} is {size} bytes, expected {expected_size}: "
                "it was cut short or is a different file."
            )
        if digest != expected_sha:
            raise fail(
                f"The download from {source} failed its checksum (SHA-256 {digest}, "
                f"expected {expected_sha}): it is damaged or a different file."
            )
        unpacked = work / "unpacked"
        unpacked.mkdir()
        _extract(archive_path, unpacked, fail)
        root = _first_model(kind, unpacked)
        if root is None:
            raise fail(f"The archive from {source} does not hold {_MODEL_SHAPE[kind]}.")
        final = dest / (archive.dir_name if root == unpacked else root.name)
        _move_into_place(root, final, work)
    except OSError as error:  # disk full, permissions, and the like while writing files
        raise fail(f"Could not write the model into {dest}: {error.strerror or error}.") from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"The {kind} model is ready in {final}.", file=out)
    return final


def _download_fix(why: str, kind: str, source: str, dest: Path) -> str:
    return (
        f"{why}\nNothing was installed. To fix: check the internet connection and run "
        f"`voicecoach model download --engine {kind}` again; or download {source} on another "
        f"computer, copy the file here and run `voicecoach model download --engine {kind} "
        f"--from FILE`; or unpack it yourself into {dest} (or a directory named by "
        f"{MODEL_DIR_ENV}). The keyboard works without a model."
    )


def _from_file_fix(why: str, kind: str, archive: ModelArchive) -> str:
    return (
        f"{why}\nNothing was installed. To fix: give --from the archive file itself "
        f"({_file_name(archive.url)}, downloaded from {archive.url}), check the path and "
        f"that you can read it; or run `voicecoach model download --engine {kind}` without "
        "--from to download it. The keyboard works without a model."
    )


def _local_file(source: str) -> Path | None:
    """The file a file:// URL names (as `--from FILE` makes), else None."""
    parts = urllib.parse.urlparse(source)
    if parts.scheme != "file":
        return None
    from urllib.request import url2pathname

    return Path(url2pathname(parts.path))


class _Failure(Protocol):
    def __call__(self, why: str) -> ModelError: ...


def _fetch(
    source: str,
    target: Path,
    opener: Opener,
    expected_size: int | None,
    out: TextIO,
    fail: _Failure,
) -> tuple[str, int]:
    """Stream `source` into `target`; return its SHA-256 and size."""
    try:
        response = opener(source, timeout=DOWNLOAD_TIMEOUT)
    except urllib.error.HTTPError as error:
        raise fail(f"The server answered {error.code} {error.reason} for {source}.") from error
    except urllib.error.URLError as error:
        raise fail(f"Could not reach {source}: {error.reason}.") from error
    except OSError as error:  # timeouts, refused connections, missing file:// files
        raise fail(f"Could not reach {source}: {error.strerror or error}.") from error
    total = _content_length(response) or expected_size
    digest = hashlib.sha256()
    size = 0
    meter = _Progress(out, total, _file_name(source))
    with response, open(target, "wb") as sink:
        while True:
            try:
                chunk: bytes = response.read(_CHUNK)
            except (urllib.error.URLError, OSError) as error:
                raise fail(f"The download from {source} broke off: {error}.") from error
            if not chunk:
                break
            size += len(chunk)
            if expected_size is not None and size > expected_size:
                raise fail(f"The download from {source} is larger than the expected file.")
            digest.update(chunk)
            try:
                sink.write(chunk)
            except OSError as error:
                raise fail(
                    f"Could not save the download in {target.parent}: "
                    f"{error.strerror or error} (is the disk full?)."
                ) from error
            meter.update(size)
    meter.done(size)
    return digest.hexdigest(), size


def _content_length(response: Any) -> int | None:
    headers = getattr(response, "headers", None)
    value = headers.get("Content-Length") if headers is not None else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _file_name(source: str) -> str:
    return PurePosixPath(urllib.parse.urlparse(source).path).name or source


class _Progress:
    """Download progress on stderr: one updating line on a terminal, else every 10 %."""

    def __init__(self, out: TextIO, total: int | None, name: str) -> None:
        self.out, self.total = out, total
        self.live = out.isatty()
        self.next_step = 10
        size = f" ({total / 1e6:.1f} MB)" if total else ""
        print(f"Downloading {name}{size} ...", file=out, flush=True)

    def update(self, done: int) -> None:
        if not self.total:
            return
        percent = min(100, done * 100 // self.total)
        if self.live:
            print(f"\r  {done / 1e6:6.1f} MB  {percent:3d} %", end="", file=self.out, flush=True)
        elif percent >= self.next_step:
            print(f"  {percent} %", file=self.out, flush=True)
            self.next_step = percent - percent % 10 + 10

    def done(self, size: int) -> None:
        if self.live and self.total:
            print(file=self.out)
        print(f"Downloaded {size / 1e6:.1f} MB; checking it.", file=self.out, flush=True)


# ---------------------------------------------------------------------------------------
# Unpacking


def _safe_target(dest: Path, name: str, fail: _Failure) -> Path | None:
    """Where an archive entry goes inside `dest`; refuses entries that would escape it."""
    clean = name.replace("\\", "/")
    parts = [part for part in PurePosixPath(clean).parts if part not in ("", ".")]
    if clean.startswith("/") or re.match(r"^[A-Za-z]:", clean) or ".." in parts:
        raise fail(f"The archive holds an unsafe path ({name!r}); it was not unpacked.")
    if not parts:
        return None
    target = dest.joinpath(*parts)
    if not target.resolve().is_relative_to(dest.resolve()):
        raise fail(f"The archive holds an unsafe path ({name!r}); it was not unpacked.")
    return target


def _write_entry(source: IO[bytes], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as sink:
        shutil.copyfileobj(source, sink, _CHUNK)


def _extract(archive_path: Path, dest: Path, fail: _Failure) -> None:
    """Unpack a zip or tar archive into `dest`; links and special files are skipped."""
    import tarfile
    import zipfile

    try:
        if zipfile.is_zipfile(archive_path):
            _extract_zip(archive_path, dest, fail)
        else:
            _extract_tar(archive_path, dest, fail)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as error:
        raise fail(f"The archive is damaged or not a zip/tar file ({error}).") from error


def _extract_zip(archive_path: Path, dest: Path, fail: _Failure) -> None:
    import zipfile

    with zipfile.ZipFile(archive_path) as archive:
        entries = archive.infolist()
        if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
            raise fail("The archive would unpack to more than 2 GB; it was not unpacked.")
        for entry in entries:
            target = _safe_target(dest, entry.filename, fail)
            if target is None:
                continue
            if entry.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            elif not stat.S_ISLNK(entry.external_attr >> 16):
                with archive.open(entry) as source:
                    _write_entry(source, target)


def _extract_tar(archive_path: Path, dest: Path, fail: _Failure) -> None:
    import tarfile

    unpacked = 0
    with tarfile.open(archive_path, "r:*") as archive:
        for member in archive:  # streams: the archive is read once
            target = _safe_target(dest, member.name, fail)
            if target is None:
                continue
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                unpacked += member.size
                if unpacked > MAX_UNPACKED_BYTES:
                    raise fail("The archive would unpack to more than 2 GB; it was not unpacked.")
                source = archive.extractfile(member)
                if source is not None:
                    with source:
                        _write_entry(source, target)


def _move_into_place(model: Path, final: Path, work: Path) -> None:
    """Rename the unpacked model to `final` in one step; a broken old copy is set aside."""
    set_aside: Path | None = None
    if final.exists() or final.is_symlink():
        set_aside = work / "previous"
        os.replace(final, set_aside)
    try:
        os.replace(model, final)
    except OSError:
        if set_aside is not None:
            os.replace(set_aside, final)
        raise
