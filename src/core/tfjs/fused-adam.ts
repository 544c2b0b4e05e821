// Adam as one fused loop over each parameter on the CPU backends (wasm, cpu). tfjs's Adam runs about ten separate
// whole-tensor kernels per variable and step (moments, bias corrections, sqrt, divide…), each allocating a new
// tensor; for the fast model's 20k × 64 embedding table that was more than half of a training step on wasm. Here
// the moments live in plain Float32Arrays and one pass computes the new parameters: same update rule, same
// constants (β1 0.9, β2 0.999, the backend's ε), the same results up to float rounding, about twice the training
// speed of the fast model. GPU backends (webgpu, webgl) keep tfjs's Adam, whose kernels run on the GPU.
import * as tf from '@tensorflow/tfjs';

type NamedTensor = { name: string; tensor: tf.Tensor };

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

interface Slot {
  m: Float32Array;
  v: Float32Array;
  next: Float32Array;
}

/** Adam (Kingma & Ba) with tfjs's update rule and defaults, fused per variable; for the wasm and cpu backends. */
export class FusedAdam extends tf.Optimizer {
  static className = 'FusedAdam';

  private step = 0;
  private readonly slots = new Map<string, Slot>();
  private readonly epsilon: number;

  constructor(
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    epsilon?: number,
  ) {
    super();
    if (!(learningRate > 0)) throw new Error(`learningRate must be > 0 (got ${learningRate}).`);
    this.epsilon = epsilon ?? tf.backend().epsilon();
  }

  /** A view of a float32 tensor's values without copying where the backend allows it (read only). */
  private static values(t: tf.TensorInfo): Float32Array {
    const backend = tf.backend() as unknown as Partial<HeapBackend>;
    if (typeof backend.typedArrayFromHeap === 'function') return backend.typedArrayFromHeap(t) as Float32Array;
    return tf.backend().readSync(t.dataId) as Float32Array;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    this.step += 1;
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = this;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    for (const { name, tensor: gradient } of list) {
      if (gradient == null) continue;
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`FusedAdam: no variable named ${name}.`);
      if (gradient.dtype !== 'float32' || variable.dtype !== 'float32') throw new Error(`FusedAdam: ${name} is not float32.`);
      const n = variable.size;
      let slot = this.slots.get(name);
      if (!slot) {
        slot = { m: new Float32Array(n), v: new Float32Array(n), next: new Float32Array(n) };
        this.slots.set(name, slot);
      }
      const { m, v, next } = slot;
      // Views are taken per variable: the allocation below may grow (and detach) the wasm heap.
      const g = FusedAdam.values(gradient);
      const p = FusedAdam.values(variable);
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const mi = (m[i] = b1 * m[i] + (1 - b1) * gi);
        const vi = (v[i] = b2 * v[i] + (1 - b2) * gi * gi);
        next[i] = p[i] - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
      }
      const updated = tf.tensor(next, variable.shape, 'float32');
      variable.assign(updated);
      updated.dispose();
    }
    this.incrementIterations();
  }

  override dispose(): void {
    this.slots.clear();
    super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  override async getWeights(): Promise<NamedTensor[]> {
    throw new Error('FusedAdam does not export its state.');
  }

  override async setWeights(): Promise<void> {
    throw new Error('FusedAdam does not import a state.');
  }
}

/** The training optimizer: FusedAdam on the CPU backends (wasm, cpu), tfjs's Adam on GPU backends. */
export function createAdam(learningRate: number): tf.Optimizer {
  const backend = tf.getBackend();
  return backend === 'wasm' || backend === 'cpu' ? new FusedAdam(learningRate) : tf.train.adam(learningRate);
}
