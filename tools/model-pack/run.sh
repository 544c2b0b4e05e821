#!/usr/bin/env sh
# Why: the model-pack tools are Python (gguf reader, onnx, onnxruntime quantisation); this launcher finds a Python 3
# with venv support, installs Debian's python3 + python3-venv when it may (root or password-less sudo with apt-get,
# unless SUNGEN_NO_INSTALL=1, as `npm test` does for Chromium), and otherwise names what to install, so
# `npm run model-pack*` fails with a clear message instead of "not found".
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
find_python() {
  for py in "${PYTHON:-}" python3 python; do
    if [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 &&
      "$py" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 9) else 1)' >/dev/null 2>&1; then
      echo "$py"
      return 0
    fi
  done
  return 1
}
if ! py="$(find_python)"; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
  if [ "${SUNGEN_NO_INSTALL:-}" != "1" ] && command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
    echo "model-pack: no Python 3 with venv support; installing Debian's python3 python3-venv python3-pip" >&2
    $sudo apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3 python3-venv python3-pip >&2
  fi
  py="$(find_python)" || {
    echo "model-pack: no Python >= 3.9 with venv support found (tried \$PYTHON, python3, python)." >&2
    echo "  Install it, e.g. on Debian: apt-get install -y python3 python3-venv python3-pip" >&2
    exit 2
  }
fi
exec "$py" "$here/model_pack.py" "$@"
