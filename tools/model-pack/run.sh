#!/usr/bin/env sh
# Why: the model-pack tools are Python (gguf reader, onnx, onnxruntime quantisation); this launcher finds a Python 3
# and names what to install when there is none, so `npm run model-pack*` fails with a clear message, not "not found".
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
for py in "${PYTHON:-}" python3 python; do
  if [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
    exec "$py" "$here/model_pack.py" "$@"
  fi
done
echo "model-pack: no Python >= 3.9 found (tried \$PYTHON, python3, python)." >&2
echo "  Install it, e.g. on Debian: apt-get install -y python3 python3-venv python3-pip" >&2
exit 2
