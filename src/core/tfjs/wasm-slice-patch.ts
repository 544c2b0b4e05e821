// Replaces the wasm backend's Slice kernel with one that reads its input in place. tfjs-backend-wasm 4.22's Slice
// calls backend.readSync(x), which copies the WHOLE input out of the wasm heap on every call, so taking a 64-row
// slice of a 4096-row tensor costs as much as copying all of it (5 ms instead of ~0.05 ms). Recurrent models slice
// per time step, which made that copy the dominant cost of a training step. Same results, same semantics.
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let patched = false;

function fastSlice(
  args: { inputs: tf.NamedTensorMap; attrs?: Record<string, unknown>; backend: unknown },
  original: tf.KernelFunc,
): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as unknown as tf.TensorInfo;
  const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
  if (x.dtype === 'string' || x.shape.length > 3) return original(args as unknown as Parameters<tf.KernelFunc>[0]);
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size);
  const backend = args.backend as WasmBackendLike;
  const out = backend.makeOutput(size, x.dtype);
  // Views are taken after makeOutput: allocating may grow (and detach) the heap.
  const xVals = backend.typedArrayFromHeap(x);
  const outVals = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, strides);
    outVals.set(xVals.subarray(offset, offset + tf.util.sizeFromShape(size)));
    return out;
  }
  let o = 0;
  if (x.shape.length === 2) {
    for (let i = begin[0]; i < begin[0] + size[0]; i++) {
      const off = i * strides[0] + begin[1];
      outVals.set(xVals.subarray(off, off + size[1]), o);
      o += size[1];
    }
  } else if (x.shape.length === 3) {
    for (let i = begin[0]; i < begin[0] + size[0]; i++) {
      for (let j = begin[1]; j < begin[1] + size[1]; j++) {
        const off = i * strides[0] + j * strides[1] + begin[2];
        outVals.set(xVals.subarray(off, off + size[2]), o);
        o += size[2];
      }
    }
  } else {
    const off = begin[0];
    outVals.set(xVals.subarray(off, off + size[0]), 0);
  }
  return out;
}

/** Installs the in-place Slice for the wasm backend (idempotent). Call after the wasm backend is registered. */
export function patchWasmSlice(): void {
  if (patched) return;
  const cfg = tf.getKernel('Slice', 'wasm');
  if (!cfg) return;
  const original = cfg.kernelFunc;
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({
    kernelName: 'Slice',
    backendName: 'wasm',
    kernelFunc: ((args: Parameters<tf.KernelFunc>[0]) => fastSlice(args as never, original)) as tf.KernelFunc,
  });
  patched = true;
}
