// Checks a synthetic training set for shapes that make cleaning unreliable — a tiny set, a rare class, exact
// duplicates, a class whose samples are all identical — and says so in plain words. The cleaning methods still run;
// the default method uses `risky` to fall back to unweighted training where SunGen cannot be trusted.
import type { EncodedDataset } from '../classifier/types.ts';

export interface SetInspection {
  rows: number;
  perClass: number[];
  /** Rows that repeat an earlier row's tokens exactly (same label or not). */
  duplicates: number;
  /** Classes whose rows are all the same text. */
  identicalClasses: string[];
  warnings: string[];
  /** True when SunGen's weights would be too noisy to trust (tiny set, a class with too few or only identical rows). */
  risky: boolean;
}

/**
 * Below this many training rows the default trains without reweighting. Chosen on the validation splits: on a 121-row
 * SmolLM2 set every model stayed near chance and filter/SunGen lost 1.8–2.2 % there, while on ~1,300-row sets they help.
 */
export const TINY_SET_ROWS = 300;
/**
 * Training rows from which sungen-safe's label-free choice considers SunGen. Chosen on the validation splits (T = 30,
 * 3 seeds): on all three sets of 1,250–1,380 generated reviews (GPT2-XL, OPT-6.7B and SmolLM2) filter beat SunGen
 * (+3.2 / +3.7 / +3.7 % against −2.0 / +0.7 / +2.2 %), and the 130-row held-out split let a SunGen through that
 * predicted one class on real reviews; from SmolLM2's 1,800 training rows up SunGen beat filter on every set. The
 * measured sets leave the boundary anywhere between 1,250 and 1,800 rows.
 */
export const SUNGEN_FROM_ROWS = 1500;
export const MIN_CLASS_ROWS = 20;
export const RARE_CLASS_SHARE = 0.1;

/** Inspects `rows` of `data` (default all). */
export function inspectTrainingSet(data: EncodedDataset, rows?: ArrayLike<number>): SetInspection {
  const t = data.maxLenTokens;
  const list = rows ?? Int32Array.from({ length: data.labels.length }, (_, i) => i);
  const perClass = new Array<number>(data.numClasses).fill(0);
  const seen = new Set<string>();
  const perClassTexts: Set<string>[] = Array.from({ length: data.numClasses }, () => new Set());
  let duplicates = 0;
  for (let k = 0; k < list.length; k++) {
    const r = list[k];
    const c = data.labels[r];
    perClass[c] += 1;
    const key = data.ids.subarray(r * t, (r + 1) * t).join(',');
    if (seen.has(key)) duplicates += 1;
    else seen.add(key);
    perClassTexts[c].add(key);
  }
  const n = list.length;
  const warnings: string[] = [];
  let risky = false;
  if (n < TINY_SET_ROWS) {
    warnings.push(`Only ${n} training samples: with fewer than ${TINY_SET_ROWS}, learned weights and confidence filtering are mostly noise, so the default trains without reweighting.`);
    risky = true;
  }
  perClass.forEach((count, c) => {
    const name = data.labelNames[c];
    if (count === 0) warnings.push(`Class "${name}" has no training sample; the model cannot learn it.`);
    else if (count < MIN_CLASS_ROWS) {
      warnings.push(`Class "${name}" has only ${count} training samples (fewer than ${MIN_CLASS_ROWS}); reweighting is not trusted for it.`);
      risky = true;
    } else if (count / n < RARE_CLASS_SHARE) {
      warnings.push(`Class "${name}" is rare: ${count} of ${n} samples (${((count / n) * 100).toFixed(1)} %). Weights and keep fractions are applied per class so it is not dropped.`);
    }
  });
  if (duplicates > 0) {
    warnings.push(`${duplicates} of ${n} samples (${((duplicates / n) * 100).toFixed(1)} %) repeat an earlier sample exactly; duplicates count several times in training.`);
  }
  const identicalClasses = perClassTexts.flatMap((texts, c) => (perClass[c] > 1 && texts.size === 1 ? [data.labelNames[c]] : []));
  if (identicalClasses.length) {
    warnings.push(`All samples of ${identicalClasses.map((l) => `"${l}"`).join(', ')} are the same text; the generator repeated itself, so this class carries one example's worth of information.`);
    risky = true;
  }
  return { rows: n, perClass, duplicates, identicalClasses, warnings, risky };
}
