// `npm run bench:sungen`: trains the final TAM on a synthetic set with each data-quality method (none, filter,
// sungen, sungen-fast), scores it on real test sets over several seeds, and prints a table plus, as the last line,
// one JSON object (accuracy, macro-F1, relative gain over `none`, reweighting cost vs one training run).
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './args';
import { runCli } from './run-cli';
import { BENCH_SUNGEN_USAGE, parseBenchSungenArgs, type BenchSungenArgs } from './sungen-args';
import { decodeUtf8, FileTooLargeError, MAX_FILE_BYTES } from '../core/data/read-file';
import { parseImportJsonl } from '../core/pipeline/samples';
import { loadTestSet } from '../core/pipeline/test-sets';
import { initNodeBackend } from '../core/tfjs/node-wasm-paths';
import type { LabelledRow } from '../core/data/jsonl';
import { assertTrainable, encodeRows } from '../core/data/dataset';
import { buildVocabulary } from '../core/data/tokenizer';
import { createTam } from '../core/tam/create';
import type { EncodedDataset } from '../core/tam/types';
import { runMethod, type MethodName } from '../core/clean/methods';
import { trainEpochs } from '../core/train/epochs';
import { evaluateTam } from '../core/eval/evaluate';
import { measureLstmThroughput } from '../core/tam/throughput';
import { mixSeed } from '../core/generation/prng';

/** Class-balanced prefix: round-robin over classes in file order. */
function balancedPrefix(rows: LabelledRow[], labelNames: string[], max: number): LabelledRow[] {
  if (rows.length <= max) return rows;
  const byClass = labelNames.map((l) => rows.filter((r) => r.label === l));
  const out: LabelledRow[] = [];
  for (let i = 0; out.length < max; i++) for (const list of byClass) if (i < list.length && out.length < max) out.push(list[i]);
  return out.sort((a, b) => a.line - b.line);
}

interface Cell {
  method: MethodName;
  test: string;
  accuracies: number[];
  macroF1s: number[];
}

/** A data file as strict UTF-8 text; a missing file, a folder or one over the size limit is a usage error. */
function readDataFile(file: string, option: string): string {
  if (!existsSync(file)) throw new UsageError(`${option} ${file} does not exist.`);
  const st = statSync(file);
  if (!st.isFile()) throw new UsageError(`${option} ${file} is not a file.`);
  if (st.size > MAX_FILE_BYTES) throw new FileTooLargeError(file, st.size, MAX_FILE_BYTES);
  return decodeUtf8(readFileSync(file), file);
}

async function main(args: BenchSungenArgs): Promise<void> {
  const log = (s: string) => process.stderr.write(s + '\n');
  // The page's own checks (empty or blank labels, control characters, one class, overlong lines, NFC labels), so
  // the CLI accepts exactly what Import accepts.
  const imported = parseImportJsonl(readDataFile(args.train, '--train'), args.train);
  for (const w of imported.warnings) log(`warning: ${w}`);
  const testTexts = args.tests.map((file) => ({ file, text: readDataFile(file, '--test') }));
  await initNodeBackend(args.backend);
  const allRows = imported.rows;
  const labelNames = imported.labelNames;
  const rows = args.maxSamples ? balancedPrefix(allRows, labelNames, args.maxSamples) : allRows;
  const vocab = buildVocabulary(rows.map((r) => r.text), { maxSize: args.vocabSize });
  const train = encodeRows(rows, vocab, { labelNames, maxLenTokens: args.maxLenTokens, source: args.train });
  assertTrainable(train, args.train);
  const tests = testTexts.map(({ file, text }) => {
    const data = loadTestSet(text, file, vocab, labelNames, args.maxLenTokens);
    return { name: path.basename(file).replace(/\.jsonl$/, ''), data: args.maxTestSamples ? headOf(data, args.maxTestSamples) : data };
  });
  log(`train ${args.train}: ${train.labels.length} rows, vocab ${vocab.tokens.length}, labels [${labelNames.join(', ')}]; backend ${args.backend}`);

  const cells = new Map<string, Cell>();
  const timing = new Map<MethodName, { reweight: number[]; train: number[] }>();
  for (let s = 0; s < args.seeds; s++) {
    const seed = 1000 + s;
    for (const method of args.methods) {
      const started = performance.now();
      const run = await runMethod(
        method,
        train,
        {
          createTam: (kind, tamSeed, role) =>
            createTam({ kind, vocabSize: vocab.tokens.length, numClasses: labelNames.length, maxLenTokens: args.maxLenTokens, seed: tamSeed, dropout: role === 'inner' ? 0 : 0.5 }),
          train: (tam, data, trainRows, weights, signal) =>
            trainEpochs(tam, data, trainRows, weights, { epochs: args.epochs, batchSize: args.batchSize, learningRate: args.learningRate, seed: mixSeed(seed, 77) }, signal),
        },
        {
          model: args.model,
          seed,
          keepFraction: args.keepFraction,
          sungenFinalWeights: args.sungenFinalWeights,
          sungen: {
            outerIterations: args.outerIterations,
            outerSetSize: args.outerSetSize,
            scoreLearningRate: args.scoreLearningRate,
            innerEpochs: args.innerEpochs,
            outerHeldOut: args.outerHeldOut,
            ...(args.innerLearningRate !== undefined ? { innerLearningRate: args.innerLearningRate } : {}),
          },
          onSungenProgress: (p) => {
            if (p.phase === 'hypergradient') {
              const w = p.weightStats!;
              log(`  [${method} seed ${seed}] iter ${p.iteration}/${p.iterations} inner ${p.innerLoss?.toFixed(4)} outer ${p.outerLoss?.toFixed(4)} |h| ${p.hypergradNorm?.toExponential(2)} w ${w.mean.toFixed(3)}±${w.std.toFixed(3)} [${w.min.toFixed(3)}, ${w.max.toFixed(3)}] ${p.elapsedSeconds.toFixed(0)} s`);
            }
          },
        },
      );
      try {
        const t = timing.get(method) ?? { reweight: [], train: [] };
        t.reweight.push(run.reweightSeconds);
        t.train.push(run.trainSeconds);
        timing.set(method, t);
        for (const test of tests) {
          const ev = evaluateTam(run.tam, test.data, labelNames);
          const key = `${method}\u0000${test.name}`;
          const cell = cells.get(key) ?? { method, test: test.name, accuracies: [], macroF1s: [] };
          cell.accuracies.push(ev.accuracy);
          cell.macroF1s.push(ev.macroF1);
          cells.set(key, cell);
        }
      } finally {
        run.tam.dispose();
      }
      log(`${method} seed ${seed}: kept ${run.keptRows.length}/${train.labels.length}, reweight ${run.reweightSeconds.toFixed(1)} s, train ${run.trainSeconds.toFixed(1)} s (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
  }

  const results = [...cells.values()].map((c) => {
    const acc = meanStd(c.accuracies);
    return { method: c.method, test: c.test, accuracy: acc.mean, accuracyStd: acc.std, macroF1: meanStd(c.macroF1s).mean };
  });
  const accOf = (method: string, test: string) => results.find((r) => r.method === method && r.test === test)?.accuracy;
  const relativeGain: Record<string, number> = {};
  if (args.methods.includes('none')) {
    for (const method of args.methods) {
      if (method === 'none') continue;
      const gains = tests.map((t) => (accOf(method, t.name)! - accOf('none', t.name)!) / accOf('none', t.name)!);
      relativeGain[method] = gains.reduce((a, b) => a + b, 0) / gains.length;
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const byMethod = Object.fromEntries([...timing].map(([m, t]) => [m, { reweight: mean(t.reweight), train: mean(t.train) }]));
  const costRatioByMethod = Object.fromEntries([...timing].map(([m, t]) => [m, mean(t.reweight) / mean(t.train)]));
  const primary = args.methods.find((m) => m.startsWith('sungen')) ?? args.methods[args.methods.length - 1];

  console.log(`\n${'method'.padEnd(12)} ${'test'.padEnd(30)} ${'accuracy'.padStart(16)} ${'macro-F1'.padStart(9)} ${'gain vs none'.padStart(13)}`);
  for (const r of results) {
    const base = accOf('none', r.test);
    const gain = base === undefined || r.method === 'none' ? '' : `${(((r.accuracy - base) / base) * 100).toFixed(1)} %`;
    console.log(`${r.method.padEnd(12)} ${r.test.padEnd(30)} ${`${(r.accuracy * 100).toFixed(2)} ± ${(r.accuracyStd * 100).toFixed(2)}`.padStart(16)} ${(r.macroF1 * 100).toFixed(2).padStart(9)} ${gain.padStart(13)}`);
  }
  console.log('\nseconds per run (reweight / final training / ratio):');
  for (const [m, t] of Object.entries(byMethod)) console.log(`  ${m.padEnd(12)} ${t.reweight.toFixed(1).padStart(8)} ${t.train.toFixed(1).padStart(8)} ${costRatioByMethod[m].toFixed(2).padStart(7)}`);

  let throughput: Awaited<ReturnType<typeof measureLstmThroughput>> | null = null;
  if (args.throughputSteps > 0) {
    throughput = await measureLstmThroughput({ batch: args.batchSize, maxLenTokens: args.maxLenTokens, steps: args.throughputSteps, data: train, vocabSize: vocab.tokens.length });
    console.log(`\nBiLSTM training throughput (${throughput.backend}, batch ${throughput.batch}): ours ${throughput.ours.samplesPerSecond.toFixed(1)} samples/s, tf.layers.bidirectional ${throughput.baseline.samplesPerSecond.toFixed(1)} samples/s (×${throughput.speedup.toFixed(2)})`);
  }

  if (args.json) {
    const out = {
      backend: args.backend,
      model: args.model,
      train: args.train,
      trainRows: train.labels.length,
      seeds: args.seeds,
      config: { iterations: args.outerIterations, outerSet: args.outerSetSize, keep: args.keepFraction, epochs: args.epochs, batch: args.batchSize, lr: args.learningRate, maxLen: args.maxLenTokens, vocab: vocab.tokens.length },
      results,
      relativeGain,
      seconds: { reweight: byMethod[primary]?.reweight ?? 0, train: byMethod[primary]?.train ?? 0, method: primary, byMethod },
      costRatio: costRatioByMethod[primary] ?? 0,
      costRatioByMethod,
      lstmThroughput: throughput && {
        oursSamplesPerSecond: throughput.ours.samplesPerSecond,
        baselineSamplesPerSecond: throughput.baseline.samplesPerSecond,
        speedup: throughput.speedup,
        batch: throughput.batch,
        steps: throughput.steps,
      },
    };
    console.log(JSON.stringify(out));
  }
}

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length) };
}

function headOf(data: EncodedDataset, n: number): EncodedDataset {
  if (data.labels.length <= n) return data;
  return { ...data, ids: data.ids.slice(0, n * data.maxLenTokens), labels: data.labels.slice(0, n) };
}

runCli({
  name: 'bench:sungen',
  usage: BENCH_SUNGEN_USAGE,
  main: async (argv) => {
    await main(parseBenchSungenArgs(argv));
    return 0;
  },
});
