// Shared plumbing for the TAM implementations: parameter ownership, snapshot/restore, seeded dropout.
import * as tf from '@tensorflow/tfjs';
import type { Tam, TamConfig } from './types.ts';
import { mixSeed } from '../generation/prng.ts';

export function checkConfig(config: TamConfig): void {
  const ints: [string, number][] = [
    ['vocabSize', config.vocabSize],
    ['numClasses', config.numClasses],
    ['maxLenTokens', config.maxLenTokens],
  ];
  for (const [name, v] of ints) if (!(Number.isInteger(v) && v > 0)) throw new Error(`TAM config: ${name} must be a positive integer (got ${v}).`);
  if (config.vocabSize < 2) throw new Error(`TAM config: vocabSize must be ≥ 2 (pad and unk), got ${config.vocabSize}.`);
  if (config.numClasses < 2) throw new Error(`TAM config: numClasses must be ≥ 2 (got ${config.numClasses}).`);
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new Error(`TAM config: dropout must be in [0, 1) (got ${config.dropout}).`);
  if (!Number.isFinite(config.seed)) throw new Error(`TAM config: seed must be a number (got ${config.seed}).`);
}

/** Base class: subclasses create their variables (in a fixed order) and implement `forward`. */
export abstract class TamBase implements Tam {
  private dropoutCalls = 0;
  private disposed = false;

  protected constructor(
    readonly config: TamConfig,
    readonly variables: tf.Variable[],
  ) {}

  protected abstract forward(ids: tf.Tensor2D, training: boolean): tf.Tensor2D;

  logits(ids: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (this.disposed) throw new Error('This TAM was disposed.');
    if (ids.rank !== 2 || ids.dtype !== 'int32') throw new Error(`TAM input must be int32 [B, T] ids (got ${ids.dtype} [${ids.shape}]).`);
    if (ids.shape[1] > this.config.maxLenTokens) {
      throw new Error(`TAM input has ${ids.shape[1]} tokens per row; this model takes at most ${this.config.maxLenTokens}.`);
    }
    return tf.tidy(() => this.forward(ids, training));
  }

  /** Dropout with a fresh deterministic seed per call (same config seed → same masks in the same order). */
  protected dropout(x: tf.Tensor, training: boolean): tf.Tensor {
    if (!training || this.config.dropout <= 0) return x;
    this.dropoutCalls += 1;
    return tf.dropout(x, this.config.dropout, undefined, mixSeed(this.config.seed ^ 0x5bd1e995, this.dropoutCalls));
  }

  snapshot(): tf.Tensor[] {
    return this.variables.map((v) => tf.clone(v));
  }

  restore(snapshot: tf.Tensor[]): void {
    if (snapshot.length !== this.variables.length) {
      throw new Error(`Snapshot has ${snapshot.length} tensors; this model has ${this.variables.length} parameters.`);
    }
    this.variables.forEach((v, k) => {
      if (!tf.util.arraysEqual(v.shape, snapshot[k].shape)) {
        throw new Error(`Snapshot tensor ${k} has shape [${snapshot[k].shape}], parameter ${v.name} has [${v.shape}].`);
      }
      v.assign(snapshot[k]);
    });
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.variables);
  }
}
