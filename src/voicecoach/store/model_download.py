"""Fetching a speech model: download (or copy from a file), verify, unpack, move into place.

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
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol, TextIO

from voicecoach.errors import ModelError
from voicecoach.store.models import (
    MODEL_DIR_ENV,
    MODEL_SHAPE,
    check_kind,
    first_model,
    is_model_dir,
    user_models_dir,
)

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
    check_kind(kind)
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
        root = first_model(kind, unpacked)
        if root is None:
            raise fail(f"The archive from {source} does not hold {MODEL_SHAPE[kind]}.")
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
