#!/usr/bin/env bash
# Why: the server tests need a REAL OpenAI-compatible server. This builds llama-cpp-python (which compiles llama.cpp
# from source) into a project-local venv under build/, from pinned requirements, so the machine's Python stays clean.
# Idempotent: does nothing when the venv already has a working server of the pinned version. The first build compiles
# llama.cpp and takes long (44 min measured on a busy 2-core machine, see the README).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=build/llama-server-venv
REQ=tools/llama-server/requirements.txt
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ] \
   && "$VENV/bin/python" -c 'import llama_cpp.server' >/dev/null 2>&1; then
  echo "llama-server venv ready: $VENV"
  exit 0
fi
PY=${PYTHON:-python3}
# What a fresh Debian machine may lack to compile llama.cpp: install it with apt when we can, else say what to install.
need=()
command -v "$PY" >/dev/null 2>&1 || need+=(python3)
"$PY" -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v c++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || command -v ninja >/dev/null 2>&1 || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
    echo "llama-server: installing ${need[*]} (apt-get)"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
  else
    echo "llama-server: to build the test server, install: ${need[*]}" >&2
    exit 1
  fi
fi
start=$(date +%s)
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip==25.3
# Portable CPU build (no -march=native) so a cached venv works on any x86-64 machine; only the server library: the
# multimodal mtmd/llava library is not built (llama_cpp imports it lazily, only for image chat formats we never use).
# pip keeps the built wheel in its cache, so a rebuild on the same machine (a fresh clone, CI) skips the compile.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAVA_BUILD=OFF}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
"$VENV/bin/python" -m pip install -r "$REQ"
"$VENV/bin/python" -c 'import llama_cpp.server, llama_cpp; print("llama-cpp-python", llama_cpp.__version__)'
echo "$want" > "$STAMP"
echo "llama-server venv built in $(( $(date +%s) - start )) s: $VENV"
