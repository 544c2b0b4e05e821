// `npm run bench:sungen`: trains the final TAM on a synthetic set with each cleaning method (none, filter, oof,
// sungen, sungen-fast, sungen-safe = default), scores it on real test sets over several seeds, and prints a table plus,
// as the last line, one JSON object (accuracy and macro-F1 with seed spread, predicted-class shares, relative gain over
// `none`, per-class weight statistics, the guard's held-out synthetic checks, the label-free selection, noise ROC-AUC
// with --flip-labels, reweighting cost vs one training run). One CleaningSession per seed shares the unweighted model
// and SunGen's scores between methods.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './args';
import { runCli } from './run-cli';
import { BENCH_SUNGEN_USAGE, parseBenchSungenArgs, type BenchSungenArgs } from './sungen-args';
import { decodeUtf8, FileTooLargeError, MAX_FILE_BYTES } from '../core/data/read-file';
import { parseImportJsonl } from '../core/data/samples';
import { loadTestSet } from '../core/evaluate/test-sets';
import { initNodeBackend } from '../core/tfjs/node-wasm-paths';
import { parseLabelledJsonl, type LabelledRow } from '../core/data/jsonl';
import { assertTrainable, encodeRows } from '../core/data/dataset';
import { buildVocabulary, type Vocabulary } from '../core/data/tokenizer';
import { createTam } from '../core/classifier/create';
import type { EncodedDataset, TamKind } from '../core/classifier/types';
import { CleaningSession, DEFAULT_METHOD, type MethodName } from '../core/clean/methods';
import { classDistribution, type ClassWeightStats } from '../core/clean/guard';
import { flipLabels, noiseAuc } from '../core/clean/noise';
import { defaultSettings } from '../core/train/settings';
import { rankAverage } from '../core/clean/rank';
import { trainEpochs } from '../core/train/epochs';
import { evaluateTam } from '../core/evaluate/evaluate';
import { measureLstmThroughput } from '../core/classifier/throughput';
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
  predictedShares: number[][];
}

/** Real labelled rows for SunGen's outer set: a class-balanced prefix of `count` rows of `file`, appended to `train`. */
function appendReal(train: EncodedDataset, file: string, count: number, vocab: Vocabulary, labelNames: string[], maxLen: number): { data: EncodedDataset; realRows: Int32Array } {
  const parsed = parseLabelledJsonl(readDataFile(file, '--real'), { source: file });
  const real = encodeRows(balancedPrefix(parsed, labelNames, count), vocab, { labelNames, maxLenTokens: maxLen, source: file });
  const n = train.labels.length;
  const ids = new Int32Array(train.ids.length + real.ids.length);
  ids.set(train.ids);
  ids.set(real.ids, train.ids.length);
  const labels = new Int32Array(n + real.labels.length);
  labels.set(train.labels);
  labels.set(real.labels, n);
  return { data: { ...train, ids, labels }, realRows: Int32Array.from({ length: real.labels.length }, (_, k) => n + k) };
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
  const encoded = encodeRows(rows, vocab, { labelNames, maxLenTokens: args.maxLenTokens, source: args.train });
  assertTrainable(encoded, args.train);
  const tests = testTexts.map(({ file, text }) => {
    const data = loadTestSet(text, file, vocab, labelNames, args.maxLenTokens);
    return { name: path.basename(file).replace(/\.jsonl$/, ''), data: args.maxTestSamples ? headOf(data, args.maxTestSamples) : data };
  });
  // Known label noise on top of the generator's own: flip a fraction of the synthetic labels (fixed seed per set).
  const flippedSet = args.flipLabels > 0 ? flipLabels(encoded, args.flipLabels, 0xf11b) : null;
  const synthetic = flippedSet?.data ?? encoded;
  const withReal = args.realFile ? appendReal(synthetic, args.realFile, args.realCount, vocab, labelNames, args.maxLenTokens) : null;
  const train = withReal?.data ?? synthetic;
  log(`train ${args.train}: ${synthetic.labels.length} rows, vocab ${vocab.tokens.length}, labels [${labelNames.join(', ')}]; backend ${args.backend}` +
    (flippedSet ? `; ${args.flipLabels * 100} % labels flipped` : '') + (withReal ? `; ${withReal.realRows.length} real rows from ${args.realFile} as outer/selection set` : ''));

  const cells = new Map<string, Cell>();
  const timing = new Map<MethodName, { reweight: number[]; train: number[] }>();
  const classWeights = new Map<MethodName, ClassWeightStats[][]>();
  const validation = new Map<MethodName, { accuracy: number[]; meanLabelProbability: number[]; predictedShare: number[][]; collapsed: number }>();
  const defaultChoices: string[] = [];
  /** Per seed, the default's candidates and their label-free scores. */
  const defaultScores: Record<string, number>[] = [];
  const selections: { seed: number; selected: MethodName; bestPerTest: Record<string, MethodName[]> }[] = [];
  const aucs = new Map<string, number[]>();
  const warnings = new Set<string>();
  for (let s = 0; s < args.seeds; s++) {
    const seed = args.firstSeed + s;
    const session = new CleaningSession(
      train,
      {
        createTam: (kind, tamSeed, role) =>
          createTam({ kind, vocabSize: vocab.tokens.length, numClasses: labelNames.length, maxLenTokens: args.maxLenTokens, seed: tamSeed, dropout: role === 'inner' ? 0 : defaultSettings(kind).dropout }),
        train: (tam, data, trainRows, weights, signal) =>
          trainEpochs(tam, data, trainRows, weights, { epochs: kindEpochs(args, tam.config.kind), batchSize: args.batchSize, learningRate: kindLr(args, tam.config.kind), seed: mixSeed(seed, 77) }, signal),
      },
      {
        model: args.model,
        seed,
        keepFraction: args.keepFraction,
        sungenFinalWeights: args.sungenFinalWeights,
        sungenRanking: args.sungenRanking,
        ...(args.selectionFolds !== undefined ? { selectionFolds: args.selectionFolds } : {}),
        validationFraction: args.validationFraction,
        innerMaxTokens: args.innerMaxTokens,
        folds: args.folds,
        realRows: withReal?.realRows,
        realAsOuter: args.realAsOuter,
        sungen: {
          outerIterations: args.outerIterations,
          outerSetSize: args.outerSetSize,
          scoreLearningRate: args.scoreLearningRate,
          innerEpochs: args.innerEpochs,
          outerHeldOut: args.outerHeldOut,
          classCentering: args.centering,
          balancedOuterLoss: args.outerLoss === 'balanced',
          ...(args.innerLearningRate !== undefined ? { innerLearningRate: args.innerLearningRate } : {}),
        },
        onSungenProgress: (p) => {
          if (p.phase === 'hypergradient') {
            const w = p.weightStats!;
            log(`  [seed ${seed}] iter ${p.iteration}/${p.iterations} inner ${p.innerLoss?.toFixed(4)} outer ${p.outerLoss?.toFixed(4)} |h| ${p.hypergradNorm?.toExponential(2)} w ${w.mean.toFixed(3)}±${w.std.toFixed(3)} [${w.min.toFixed(3)}, ${w.max.toFixed(3)}] ${p.elapsedSeconds.toFixed(0)} s`);
          }
        },
      },
    );
    const accBySeed = new Map<MethodName, Record<string, number>>();
    const valScore = new Map<MethodName, { score: number; collapsed: boolean }>();
    let defaultChoice: MethodName | undefined;
    try {
      session.inspection.warnings.forEach((w) => warnings.add(w));
      for (const method of args.methods) {
        const started = performance.now();
        const run = await session.run(method);
        try {
          const t = timing.get(method) ?? { reweight: [], train: [] };
          t.reweight.push(run.reweightSeconds);
          t.train.push(run.trainSeconds);
          timing.set(method, t);
          const d = run.diagnostics;
          classWeights.set(method, [...(classWeights.get(method) ?? []), d.classWeights]);
          const v = validation.get(method) ?? { accuracy: [], meanLabelProbability: [], predictedShare: [], collapsed: 0 };
          v.accuracy.push(d.validation.accuracy);
          v.meanLabelProbability.push(d.validation.meanLabelProbability);
          v.predictedShare.push(d.validation.distribution.predictedShare);
          if (d.guard.collapsed) v.collapsed += 1;
          validation.set(method, v);
          // The default is a choice among the others, and none is the safe fallback (never ruled out), as in the default.
          if (method !== 'sungen-safe') valScore.set(method, { score: d.validation.meanLabelProbability, collapsed: method === 'none' ? false : d.guard.collapsed });
          if (run.selected) {
            defaultChoices.push(run.selected);
            if (d.selection) defaultScores.push(Object.fromEntries(d.selection.candidates.map((c) => [c.method, c.score])));
            defaultChoice = run.selected;
          }
          const accs: Record<string, number> = {};
          for (const test of tests) {
            const ev = evaluateTam(run.tam, test.data, labelNames);
            accs[test.name] = ev.accuracy;
            const key = `${method}\u0000${test.name}`;
            const cell = cells.get(key) ?? { method, test: test.name, accuracies: [], macroF1s: [], predictedShares: [] };
            cell.accuracies.push(ev.accuracy);
            cell.macroF1s.push(ev.macroF1);
            cell.predictedShares.push(classDistribution(test.data.labels, ev.predictions, labelNames.length).predictedShare);
            cells.set(key, cell);
          }
          accBySeed.set(method, accs);
          if (flippedSet && run.scores && method !== 'none') {
            const name = method === 'sungen-safe' ? 'sungen-safe (θ)' : method;
            const rowsScored = session.trainRows;
            const auc = noiseAuc(Float32Array.from(rowsScored, (r) => run.scores![r]), Uint8Array.from(rowsScored, (r) => flippedSet.flipped[r]));
            aucs.set(name, [...(aucs.get(name) ?? []), auc]);
            if (run.innerLossScores && method !== 'sungen-safe') {
              const lossName = `${method} (inner loss)`;
              const lossAuc = noiseAuc(Float32Array.from(rowsScored, (r) => run.innerLossScores![r]), Uint8Array.from(rowsScored, (r) => flippedSet.flipped[r]));
              aucs.set(lossName, [...(aucs.get(lossName) ?? []), lossAuc]);
              // Both together: the mean of the two ranks.
              const both = rankAverage(Float32Array.from(rowsScored, (r) => run.scores![r]), Float32Array.from(rowsScored, (r) => run.innerLossScores![r]));
              const bothName = `${method} (θ + inner loss)`;
              aucs.set(bothName, [...(aucs.get(bothName) ?? []), noiseAuc(both, Uint8Array.from(rowsScored, (r) => flippedSet.flipped[r]))]);
            }
          }
          log(`${method} seed ${seed}: kept ${run.keptRows.length}/${session.trainRows.length}, reweight ${run.reweightSeconds.toFixed(1)} s, train ${run.trainSeconds.toFixed(1)} s, ` +
            `val acc ${(d.validation.accuracy * 100).toFixed(2)} p_y ${d.validation.meanLabelProbability.toFixed(4)} pred ${d.validation.distribution.predictedShare.map((x) => x.toFixed(2)).join('/')}` +
            `${d.guard.collapsed ? ' COLLAPSED: ' + d.guard.reasons.join(' ') : ''}${run.selected ? ` → ${run.selected} [${d.selection?.candidates.map((c) => `${c.method} ${c.score.toFixed(4)}`).join(', ')}] (${d.selection?.reason})` : ''}; ` +
            Object.entries(accs).map(([k, a]) => `${k} ${(a * 100).toFixed(2)}`).join(', ') + ` (${((performance.now() - started) / 1000).toFixed(1)} s)`);
        } finally {
          run.tam.dispose();
        }
      }
      if (flippedSet && !args.skipOofScore && !args.methods.includes('oof')) {
        const { scores } = await session.oofScores();
        const auc = noiseAuc(Float32Array.from(session.trainRows, (r) => scores[r]), Uint8Array.from(session.trainRows, (r) => flippedSet.flipped[r]));
        aucs.set('oof', [...(aucs.get('oof') ?? []), auc]);
        log(`oof score seed ${seed}: noise AUC ${auc.toFixed(3)}`);
      }
    } finally {
      session.dispose();
    }
    if (args.select) {
      // Label-free selection: the default's own choice when it ran (its score, cross-fitted on small sets), else the
      // best held-out synthetic score among the non-collapsed methods run. Compared with the best of the others.
      const ranked = [...valScore].filter(([, v]) => !v.collapsed).sort((a, b) => b[1].score - a[1].score);
      const selected = defaultChoice ?? ((ranked[0]?.[0] ?? 'none') as MethodName);
      const bestPerTest: Record<string, MethodName[]> = {};
      const others = [...accBySeed].filter(([m]) => m !== 'sungen-safe');
      for (const test of tests) {
        const top = Math.max(...others.map(([, a]) => a[test.name]));
        bestPerTest[test.name] = others.filter(([, a]) => a[test.name] === top).map(([m]) => m);
      }
      selections.push({ seed, selected, bestPerTest });
      log(`selection seed ${seed}: ${selected} (${ranked.map(([m, v]) => `${m} ${v.score.toFixed(4)}`).join(', ')}); best on tests ${JSON.stringify(bestPerTest)}`);
    }
  }

  const results = [...cells.values()].map((c) => {
    const acc = meanStd(c.accuracies);
    const f1 = meanStd(c.macroF1s);
    return {
      method: c.method,
      test: c.test,
      accuracy: acc.mean,
      accuracyStd: acc.std,
      macroF1: f1.mean,
      macroF1Std: f1.std,
      accuracies: c.accuracies,
      predictedShare: labelNames.map((_, k) => meanStd(c.predictedShares.map((p) => p[k])).mean),
    };
  });
  const accOf = (method: string, test: string) => results.find((r) => r.method === method && r.test === test)?.accuracy;
  const relativeGain: Record<string, number> = {};
  const relativeGainPerTest: Record<string, Record<string, number>> = {};
  if (args.methods.includes('none')) {
    for (const method of args.methods) {
      if (method === 'none') continue;
      const gains = tests.map((t) => (accOf(method, t.name)! - accOf('none', t.name)!) / accOf('none', t.name)!);
      relativeGain[method] = gains.reduce((a, b) => a + b, 0) / gains.length;
      relativeGainPerTest[method] = Object.fromEntries(tests.map((t, k) => [t.name, gains[k]]));
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const byMethod = Object.fromEntries([...timing].map(([m, t]) => [m, { reweight: mean(t.reweight), train: mean(t.train) }]));
  const costRatioByMethod = Object.fromEntries([...timing].map(([m, t]) => [m, mean(t.reweight) / mean(t.train)]));
  const primary = args.methods.find((m) => m.startsWith('sungen')) ?? args.methods[args.methods.length - 1];
  const perClassWeights = Object.fromEntries(
    [...classWeights].map(([m, runs]) => [
      m,
      labelNames.map((label, c) => ({
        label,
        count: mean(runs.map((r) => r[c].count)),
        kept: mean(runs.map((r) => r[c].kept)),
        mean: mean(runs.map((r) => r[c].mean)),
        std: mean(runs.map((r) => r[c].std)),
        min: Math.min(...runs.map((r) => r[c].min)),
        max: Math.max(...runs.map((r) => r[c].max)),
      })),
    ]),
  );
  const syntheticValidation = Object.fromEntries(
    [...validation].map(([m, v]) => [m, { accuracy: mean(v.accuracy), meanLabelProbability: mean(v.meanLabelProbability), predictedShare: labelNames.map((_, k) => mean(v.predictedShare.map((p) => p[k]))), collapsedRuns: v.collapsed }]),
  );

  console.log(`\n${'method'.padEnd(12)} ${'test'.padEnd(30)} ${'accuracy'.padStart(16)} ${'macro-F1'.padStart(9)} ${'gain vs none'.padStart(13)}  predicted ${labelNames.join('/')}`);
  for (const r of results) {
    const base = accOf('none', r.test);
    const gain = base === undefined || r.method === 'none' ? '' : `${(((r.accuracy - base) / base) * 100).toFixed(1)} %`;
    console.log(`${r.method.padEnd(12)} ${r.test.padEnd(30)} ${`${(r.accuracy * 100).toFixed(2)} ± ${(r.accuracyStd * 100).toFixed(2)}`.padStart(16)} ${(r.macroF1 * 100).toFixed(2).padStart(9)} ${gain.padStart(13)}  ${r.predictedShare.map((x) => x.toFixed(2)).join('/')}`);
  }
  console.log('\nseconds per run (reweight / final training / ratio):');
  for (const [m, t] of Object.entries(byMethod)) console.log(`  ${m.padEnd(12)} ${t.reweight.toFixed(1).padStart(8)} ${t.train.toFixed(1).padStart(8)} ${costRatioByMethod[m].toFixed(2).padStart(7)}`);
  const noiseAucOut = aucs.size ? Object.fromEntries([...aucs].map(([m, xs]) => [m, mean(xs)])) : undefined;
  if (noiseAucOut) console.log(`\nnoise ROC-AUC at ${args.flipLabels * 100} % flipped labels: ${Object.entries(noiseAucOut).map(([m, a]) => `${m} ${a.toFixed(3)}`).join(', ')}`);
  for (const w of warnings) console.log(`warning: ${w}`);

  let selectedOut: MethodName | undefined;
  let selectionHitRate: number | undefined;
  let selectionHitRateSplit: { validation: number; test: number } | undefined;
  if (args.select && selections.length) {
    const counts = new Map<MethodName, number>();
    for (const s of selections) counts.set(s.selected, (counts.get(s.selected) ?? 0) + 1);
    selectedOut = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const hits = (pick: (test: string) => boolean) =>
      selections.flatMap((s) => Object.entries(s.bestPerTest).filter(([t]) => pick(t)).map(([, best]) => (best.includes(s.selected) ? 1 : 0)));
    selectionHitRate = mean(hits(() => true));
    const isValidation = (t: string) => /valid/.test(t);
    selectionHitRateSplit = { validation: mean(hits(isValidation)), test: mean(hits((t) => !isValidation(t))) };
    console.log(`\nlabel-free selection: ${selectedOut} (per seed: ${selections.map((s) => s.selected).join(', ')}); matches the best method on the tests in ${(selectionHitRate * 100).toFixed(0)} % of seed×test cases (validation splits ${(selectionHitRateSplit.validation * 100).toFixed(0)} %, test splits ${(selectionHitRateSplit.test * 100).toFixed(0)} %)`);
  }

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
      trainRows: synthetic.labels.length,
      seeds: args.seeds,
      firstSeed: args.firstSeed,
      defaultMethod: DEFAULT_METHOD,
      config: {
        iterations: args.outerIterations, outerSet: args.outerSetSize, keep: args.keepFraction, epochs: args.epochs, batch: args.batchSize, lr: args.learningRate, maxLen: args.maxLenTokens,
        vocab: vocab.tokens.length, sungenRanking: args.sungenRanking, selectionFolds: args.selectionFolds ?? 'default', centering: args.centering, outerLoss: args.outerLoss, validationFraction: args.validationFraction, flipLabels: args.flipLabels, realRows: withReal?.realRows.length ?? 0, realAsOuter: args.realAsOuter,
      },
      results,
      relativeGain,
      relativeGainPerTest,
      perClassWeights,
      syntheticValidation,
      ...(defaultChoices.length ? { defaultChoices, defaultScores } : {}),
      ...(selectedOut ? { selected: selectedOut, selectedPerSeed: selections.map((s) => s.selected), selectionHitRate, selectionHitRateSplit } : {}),
      ...(noiseAucOut ? { noiseAuc: noiseAucOut } : {}),
      warnings: [...warnings],
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

/** Final-training epochs / learning rate for a model kind: the command-line values for the final kind, the pipeline's per-kind defaults otherwise (e.g. the fast inner model of sungen-fast's… never trained here, but filter/oof models are final). */
function kindEpochs(args: BenchSungenArgs, kind: TamKind): number {
  return kind === args.model ? args.epochs : defaultSettings(kind).epochs;
}
function kindLr(args: BenchSungenArgs, kind: TamKind): number {
  return kind === args.model ? args.learningRate : defaultSettings(kind).learningRate;
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
