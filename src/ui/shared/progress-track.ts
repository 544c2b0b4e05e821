// Live training progress for pictures and bars: the loss history (final training loss per step, SunGen's inner and
// outer loss per outer iteration) and per-phase completion with an ETA estimated from the phase's own pace; download
// speed and time left for model files; the one way every step writes an ETA.
import type { PipelineProgress } from '../../core/train/train-samples.ts';

export interface LossPoint {
  /** x: epochs done (training) or outer iterations done (SunGen), fractional. */
  x: number;
  loss: number;
  series: 'training loss' | 'SunGen inner loss' | 'SunGen outer loss';
}

export interface PhaseProgress {
  label: string;
  fraction: number;
  etaSeconds: number | null;
}

/** Keeps at most this many points per series (older ones thinned), so long trainings stay cheap to draw. */
const MAX_POINTS = 600;

export class ProgressTrack {
  losses: LossPoint[] = [];
  private phaseStart = new Map<string, { at: number; fraction: number }>();

  reset(): void {
    this.losses = [];
    this.phaseStart.clear();
  }

  add(p: PipelineProgress): void {
    if (p.phase === 'training' && p.epoch !== undefined && p.innerStep !== undefined && p.innerSteps && Number.isFinite(p.losses.train)) {
      this.push({ x: p.epoch + (p.innerStep + 1) / p.innerSteps, loss: p.losses.train!, series: 'training loss' });
    }
    if (p.phase === 'reweighting' && p.outerIteration !== undefined) {
      const x = p.outerIteration - 1 + (p.innerStep !== undefined && p.innerSteps ? (p.innerStep + 1) / p.innerSteps : 1);
      if (Number.isFinite(p.losses.inner)) this.push({ x, loss: p.losses.inner!, series: 'SunGen inner loss' });
      if (Number.isFinite(p.losses.outer)) this.push({ x: p.outerIteration, loss: p.losses.outer!, series: 'SunGen outer loss' });
    }
  }

  private push(pt: LossPoint): void {
    this.losses.push(pt);
    const same = this.losses.filter((q) => q.series === pt.series);
    if (same.length > MAX_POINTS) {
      const drop = new Set(same.filter((_, k) => k % 2 === 1));
      this.losses = this.losses.filter((q) => !drop.has(q));
    }
  }

  /** Completion of the current phase and its ETA (from the time this phase has taken so far). */
  phase(p: PipelineProgress): PhaseProgress | null {
    let fraction: number | null = null;
    let label = '';
    if (p.phase === 'reweighting' && p.outerIteration !== undefined && p.outerIterations) {
      const within = p.innerStep !== undefined && p.innerSteps ? (p.innerStep + 1) / p.innerSteps : 0;
      fraction = (p.outerIteration - 1 + within) / p.outerIterations;
      label = `Cleaning: SunGen round ${p.outerIteration} of ${p.outerIterations}`;
    } else if (p.phase === 'training' && p.epoch !== undefined && p.epochs) {
      const within = p.innerStep !== undefined && p.innerSteps ? (p.innerStep + 1) / p.innerSteps : 0;
      fraction = (p.epoch + within) / p.epochs;
      label = `Training: epoch ${p.epoch + 1} of ${p.epochs}`;
    }
    if (fraction === null) return null;
    fraction = Math.min(1, Math.max(0, fraction));
    const key = p.phase;
    const start = this.phaseStart.get(key);
    if (!start || fraction < start.fraction) this.phaseStart.set(key, { at: p.elapsedSeconds, fraction });
    const s = this.phaseStart.get(key)!;
    const done = fraction - s.fraction;
    const took = p.elapsedSeconds - s.at;
    const etaSeconds = done > 0.02 && took > 0 ? (took / done) * (1 - fraction) : null;
    return { label, fraction, etaSeconds };
  }
}

/** Download speed and time left from bytes loaded so far (null ETA while the total is unknown or nothing came yet). */
export function byteRate(loadedBytes: number, totalBytes: number, seconds: number): { bytesPerSecond: number; etaSeconds: number | null } {
  const bytesPerSecond = seconds > 0 ? loadedBytes / seconds : 0;
  const left = totalBytes - loadedBytes;
  const etaSeconds = totalBytes > 0 && bytesPerSecond > 0 ? Math.max(0, left) / bytesPerSecond : null;
  return { bytesPerSecond, etaSeconds };
}

export function formatEta(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return 'estimating…';
  if (sec < 60) return `about ${Math.max(1, Math.ceil(sec))} s left`;
  const m = Math.floor(sec / 60);
  return m < 60 ? `about ${m} min ${Math.round(sec % 60)} s left` : `about ${Math.floor(m / 60)} h ${m % 60} min left`;
}
