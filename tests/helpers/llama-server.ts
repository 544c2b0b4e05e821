// Starts a REAL OpenAI-compatible server for the tests: llama-cpp-python's server (pinned, built into
// build/llama-server-venv by `npm run llama-server:build`, which `npm test` runs) serving the SmolLM2-135M-Instruct
// GGUF that `npm run model-pack:fetch` places in build/gguf/, on 127.0.0.1 and a free port. Can be killed (SIGKILL,
// as a crash) and started again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const LLAMA_PYTHON = path.join(ROOT, 'build/llama-server-venv/bin/python');
export const SMOLLM2_GGUF = path.join(ROOT, 'build/gguf/SmolLM2-135M-Instruct.Q4_1.gguf');
export const SMOLLM2_ALIAS = 'smollm2-135m-instruct';

export interface LlamaServer {
  url: string; // http://127.0.0.1:PORT/v1
  origin: string;
  port: number;
  /** SIGKILL: the server dies as in a crash (connections cut mid-request). */
  kill(): Promise<void>;
  /** Start it again on the same port; resolves when it answers /v1/models. */
  restart(): Promise<void>;
  /** The server's output, for failure messages. */
  log(): string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Fails with what to run when the venv or the GGUF is missing (npm test builds both). */
export function assertLlamaServerBuilt(): void {
  const missing = [
    existsSync(LLAMA_PYTHON) ? null : `${LLAMA_PYTHON} (run: npm run llama-server:build)`,
    existsSync(SMOLLM2_GGUF) ? null : `${SMOLLM2_GGUF} (run: npm run model-pack:fetch)`,
  ].filter(Boolean);
  if (missing.length > 0) throw new Error(`The real-server tests need: ${missing.join('; ')}`);
}

export async function startLlamaServer(opts: { threads?: number } = {}): Promise<LlamaServer> {
  assertLlamaServerBuilt();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let output = '';

  const start = async () => {
    output = '';
    child = spawn(
      LLAMA_PYTHON,
      [
        '-m', 'llama_cpp.server',
        '--model', SMOLLM2_GGUF,
        '--model_alias', SMOLLM2_ALIAS,
        '--host', '127.0.0.1',
        '--port', String(port),
        '--n_ctx', '2048',
        '--n_threads', String(opts.threads ?? 1),
        '--n_threads_batch', String(opts.threads ?? 1),
        '--verbose', 'False',
      ],
      // One thread and passive OpenMP waits: on a small shared machine spinning threads make every token many times slower.
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OMP_WAIT_POLICY: 'passive' } },
    );
    const c = child;
    // Never leave the server behind if the test process ends without calling kill().
    process.once('exit', () => c.exitCode === null && c.kill('SIGKILL'));
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`llama-cpp-python server exited (${child.exitCode}):\n${output.slice(-2000)}`);
      try {
        const r = await fetch(`${origin}/v1/models`);
        if (r.ok) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`llama-cpp-python server did not answer within 120 s:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return { url: `${origin}/v1`, origin, port, kill, restart: start, log: () => output };
}
