// Label-free choice between cleaning methods. Each candidate has a score measured on data it never trained on — by
// default the mean probability of the given label on synthetic rows (a held-out split; on sets from 1,500 to 5,000
// training rows every row, cross-fitted: CleaningSession.crossFitFolds), which is 1 − RCE/10 up to a constant: SunGen's own noise-robust loss,
// bounded, so wrongly labelled samples cannot dominate it — or the accuracy on a few real labelled examples when the
// user has them; and the guard's verdict. Collapsed candidates are out; the preferred candidate wins unless it scores
// clearly below the best one, and when nothing else is left the safe candidate (unweighted training) is the answer.

export interface Candidate<M extends string = string> {
  method: M;
  score: number;
  collapsed: boolean;
  reasons?: string[];
}

export interface Selection<M extends string = string> {
  candidates: Candidate<M>[];
  selected: M;
  /** Why this one, in words. */
  reason: string;
}

/**
 * Picks among `candidates`, listed in order of preference: the first non-collapsed candidate whose score is at least
 * (best non-collapsed score − margin); `safe` when every other candidate collapsed.
 */
export function selectMethod<M extends string>(candidates: Candidate<M>[], opts: { safe: M; margin: number; scoreName?: string }): Selection<M> {
  if (candidates.length === 0) throw new Error('selectMethod: no candidate.');
  if (!(opts.margin >= 0)) throw new Error(`selectMethod: margin must be ≥ 0 (got ${opts.margin}).`);
  const ok = candidates.filter((c) => !c.collapsed && Number.isFinite(c.score));
  const scoreName = opts.scoreName ?? 'score';
  if (ok.length === 0) {
    const why = candidates.flatMap((c) => c.reasons ?? []).join(' ');
    return { candidates, selected: opts.safe, reason: `Every candidate shows collapse; falling back to ${opts.safe}. ${why}`.trim() };
  }
  const best = Math.max(...ok.map((c) => c.score));
  const chosen = ok.find((c) => c.score >= best - opts.margin)!;
  const skipped = candidates.filter((c) => c !== chosen && candidates.indexOf(c) < candidates.indexOf(chosen));
  const parts = skipped.map((c) =>
    c.collapsed ? `${c.method} was rejected: ${(c.reasons ?? ['collapse']).join(' ')}` : `${c.method} scored ${c.score.toFixed(4)} against ${best.toFixed(4)} (${scoreName}), more than ${opts.margin} below the best`,
  );
  return {
    candidates,
    selected: chosen.method,
    reason: parts.length ? `${parts.join('; ')}; using ${chosen.method}.` : `${chosen.method} is preferred and scores ${chosen.score.toFixed(4)} (${scoreName}; best ${best.toFixed(4)}).`,
  };
}
