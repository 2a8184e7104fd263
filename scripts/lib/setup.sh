# shellcheck shell=bash disable=SC2034  # VC_CHANGED and friends are read by the scripts
# Shared set-up for scripts/run and scripts/test (sourced, not run).
#
# Installs what is missing and nothing else, so a second run is quick and silent:
#   1. Debian packages (apt-get, only when dpkg-query says one is missing);
#   2. .venv in the repository root (made again when missing or broken);
#   3. `pip install -e '.[audio,dev]'`, only when pyproject.toml changed since the last
#      install (its SHA-256 is kept in .venv) or the package is not importable from src/.
# Messages go to stderr, prefixed "set-up:". VC_CHANGED is 1 after vc_setup if anything
# was installed.

VC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VC_VENV="$VC_ROOT/.venv"
VC_STAMP="$VC_VENV/.voicecoach-install-stamp"
VC_MODEL_MARKER="$VC_VENV/.voicecoach-model-download-tried"
VC_APT_PACKAGES=(espeak-ng libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins sox desktop-file-utils)
VC_PYTHON_APT_PACKAGES=(python3 python3-venv python3-pip)
VC_CHANGED=0

vc_say() { echo "set-up: $*" >&2; }

# Prints those of the given Debian packages that are not installed (one dpkg-query call).
vc_missing_packages() {
  local installed pkg
  installed="$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)"
  for pkg in "$@"; do
    if ! grep -qxF "$pkg install ok installed" <<<"$installed"; then
      echo "$pkg"
    fi
  done
}

vc_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    vc_say "not root and no sudo: cannot run $*"
    return 1
  fi
}

# Prints the path of a Python >= 3.10 that can make a virtualenv; fails if there is none.
vc_find_python() {
  local candidate
  for candidate in ${VOICECOACH_PYTHON:-} python3 python3.14 python3.13 python3.12 \
    python3.11 python3.10 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' \
        >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

vc_install_system_packages() {
  local wanted=("${VC_APT_PACKAGES[@]}")
  # A working .venv needs no system Python packages; else look for a usable Python.
  if ! vc_venv_works && ! vc_find_python >/dev/null; then
    wanted+=("${VC_PYTHON_APT_PACKAGES[@]}")
  fi
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    if [ ! -e "$VC_VENV" ]; then
      vc_say "no apt-get here (not Debian/Ubuntu). Install by hand if missing: Python 3.10+" \
        "with venv, espeak-ng (or the system's own voices), PortAudio; see README.md."
    fi
    return 0
  fi
  local missing=() pkg
  while IFS= read -r pkg; do
    missing+=("$pkg")
  done < <(vc_missing_packages "${wanted[@]}")
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  VC_CHANGED=1
  vc_say "installing ${missing[*]} (apt-get)"
  if ! vc_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq; then
    vc_say "apt-get update failed; trying the install with the package lists there are"
  fi
  if ! vc_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" </dev/null; then
    vc_say "could not install ${missing[*]}. Install them by hand:" \
      "sudo apt-get install ${missing[*]}. Speech or sound may not work until then."
  fi
}

# True when .venv has a working Python >= 3.10 with pip.
vc_venv_works() {
  [ -x "$VC_VENV/bin/python" ] \
    && "$VC_VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
      >/dev/null 2>&1
}

vc_ensure_venv() {
  if vc_venv_works; then
    return 0
  fi
  local python
  if ! python="$(vc_find_python)"; then
    vc_say "no Python 3.10 or newer with venv found. Install it (Debian/Ubuntu:" \
      "sudo apt-get install python3 python3-venv python3-pip) and run this again."
    return 1
  fi
  VC_CHANGED=1
  if [ -e "$VC_VENV" ]; then
    vc_say "replacing the broken .venv"
    rm -rf "$VC_VENV"
  fi
  vc_say "creating .venv with $("$python" -c 'import sys; print(sys.version.split()[0])')"
  "$python" -m venv "$VC_VENV"
}

vc_hash_file() {
  "$VC_VENV/bin/python" -c \
    'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
}

# True when voicecoach imports from this tree's src/ (not from a copy elsewhere).
vc_package_importable() {
  [ -x "$VC_VENV/bin/voicecoach" ] && "$VC_VENV/bin/python" -c '
import pathlib, sys
import voicecoach
src = pathlib.Path(sys.argv[1]).resolve()
sys.exit(src not in pathlib.Path(voicecoach.__file__).resolve().parents)
' "$VC_ROOT/src" >/dev/null 2>&1
}

# True when pip must run: pyproject.toml changed since the last install, or no package.
vc_needs_install() {
  local want have=""
  want="$(vc_hash_file "$VC_ROOT/pyproject.toml")"
  if [ -f "$VC_STAMP" ]; then
    have="$(cat "$VC_STAMP")"
  fi
  [ "$want" != "$have" ] || ! vc_package_importable
}

vc_ensure_package() {
  if ! vc_needs_install; then
    return 0
  fi
  VC_CHANGED=1
  rm -f "$VC_STAMP"
  if ! "$VC_VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    "$VC_VENV/bin/python" -m ensurepip --upgrade >/dev/null
  fi
  vc_say "installing voicecoach and its Python packages into .venv" \
    "(the first time takes a few minutes)"
  if ! (cd "$VC_ROOT" && "$VC_VENV/bin/python" -m pip install --disable-pip-version-check \
    --quiet -e '.[audio,dev]'); then
    vc_say "pip install failed (see above). Check the connection to PyPI and run this again."
    return 1
  fi
  vc_hash_file "$VC_ROOT/pyproject.toml" >"$VC_STAMP"
}

vc_setup() {
  vc_install_system_packages
  vc_ensure_venv
  vc_ensure_package
}

# scripts/run only: when no speech model is found, try one download, once. Failure is not
# fatal: voicecoach works with the keyboard alone.
vc_ensure_model() {
  if "$VC_VENV/bin/voicecoach" model where >/dev/null 2>&1 || [ -e "$VC_MODEL_MARKER" ]; then
    return 0
  fi
  : >"$VC_MODEL_MARKER"
  vc_say "no speech model found: downloading one (this is tried once)"
  if ! "$VC_VENV/bin/voicecoach" model download; then
    vc_say "no speech model for now (the reason is above). voicecoach still works with the" \
      "keyboard. To try again: scripts/run model download"
  fi
}
