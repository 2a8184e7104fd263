"""Where speech models live and how to find one.

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

Fetching a model is model_download.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from voicecoach.errors import ModelError, UsageError

KINDS = ("kws", "vosk")
"""Model kinds, in the order `voicecoach model where` reports them."""

MODEL_DIR_ENV = "VOICECOACH_MODEL_DIR"

MODEL_SHAPE = {
    "vosk": "a Vosk model directory (with am/final.mdl or conf/model.conf)",
    "kws": "a sherpa-onnx keyword-spotter directory (with tokens.txt, bpe.model and "
    "encoder, decoder and joiner .onnx files)",
}


def check_kind(kind: str) -> None:
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
    check_kind(kind)
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
    check_kind(kind)
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


def first_model(kind: str, root: Path) -> Path | None:
    for candidate in _candidates(root):
        if is_model_dir(kind, candidate):
            return candidate
    return None


def find_model(kind: str, explicit: str | None = None) -> Path | None:
    """The model directory to use for `kind`, or None.

    An explicit path is the only place looked at when given, so a wrong path is noticed
    instead of silently replaced by some other model.
    """
    check_kind(kind)
    if explicit:
        return first_model(kind, Path(explicit).expanduser())
    for root in search_paths(kind):
        found = first_model(kind, root)
        if found is not None:
            return found
    return None


def describe_missing(kind: str, explicit: str | None = None) -> str:
    """Why no model of this kind was found, and the command that fixes it."""
    check_kind(kind)
    fix = (
        f"To fix: run `voicecoach model download --engine {kind}` (or `scripts/run model "
        f"download --engine {kind}` in the source tree), or set {MODEL_DIR_ENV} to a "
        "directory that holds the model. The keyboard works without a model."
    )
    if explicit:
        return f"{explicit} is not {MODEL_SHAPE[kind]}.\n{fix}"
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
    kinds = [kind for kind in KINDS if first_model(kind, folder) is not None]
    if not kinds:
        raise ModelError(
            f"{folder} holds no speech model: looked in it and the folders directly inside "
            f"it for {MODEL_SHAPE['kws']}, or {MODEL_SHAPE['vosk']}"
        )
    return kinds


# ---------------------------------------------------------------------------------------
# Opening a Vosk model


def open_vosk_model(path: str | Path) -> object:
    """Load a Vosk model, turning every failure into a ModelError that says what to do."""
    model_dir = Path(path).expanduser()
    if not is_model_dir("vosk", model_dir):
        raise ModelError(f"{model_dir} is not {MODEL_SHAPE['vosk']}.\n" + _vosk_fix(model_dir))
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
