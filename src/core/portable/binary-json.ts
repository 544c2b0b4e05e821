// JSON with binary parts: typed arrays and ArrayBuffers inside a record (training weights, scores, model parameters)
// are written as separate files and referenced from the JSON, so a stored record round-trips exactly (float32 bits
// included) through a zip, and large arrays are never spelled out as decimal text.

type BinaryType = 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint8Array' | 'ArrayBuffer';

interface BinaryRef {
  $binary: { type: BinaryType; file: string; length: number };
}

const CTORS = { Float32Array, Float64Array, Int32Array, Uint8Array } as const;

function bytesOf(v: ArrayBuffer | ArrayBufferView): Uint8Array {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** JSON text for `value`; every binary part becomes a file named `<prefix><n>.bin` in `files`. */
export function encodeBinaryJson(value: unknown, prefix: string, files: Map<string, Uint8Array>): string {
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (v instanceof ArrayBuffer || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
      const type = (v instanceof ArrayBuffer ? 'ArrayBuffer' : v.constructor.name) as BinaryType;
      if (type !== 'ArrayBuffer' && !(type in CTORS)) throw new Error(`Cannot export a ${type}.`);
      const file = `${prefix}${n++}.bin`;
      files.set(file, bytesOf(v as ArrayBuffer | ArrayBufferView).slice());
      const length = v instanceof ArrayBuffer ? v.byteLength : (v as unknown as { length: number }).length;
      const ref: BinaryRef = { $binary: { type, file, length } };
      return ref;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x);
      return out;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
    return v;
  };
  return JSON.stringify(walk(value));
}

/** Inverse of encodeBinaryJson; a missing or wrongly sized binary file is an error naming it. */
export function decodeBinaryJson(text: string, files: ReadonlyMap<string, Uint8Array>, source: string): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('$number' in o && Object.keys(o).length === 1) return Number(o.$number);
      if ('$binary' in o && Object.keys(o).length === 1) {
        const ref = (o as unknown as BinaryRef).$binary;
        const data = ref && typeof ref.file === 'string' ? files.get(ref.file) : undefined;
        if (!data) throw new Error(`${source} refers to a missing file ${JSON.stringify(ref?.file)}.`);
        const copy = data.slice().buffer as ArrayBuffer;
        if (ref.type === 'ArrayBuffer') {
          if (copy.byteLength !== ref.length) throw new Error(`${source}: ${ref.file} has ${copy.byteLength} bytes, expected ${ref.length}.`);
          return copy;
        }
        const Ctor = CTORS[ref.type as keyof typeof CTORS];
        if (!Ctor) throw new Error(`${source}: unknown binary type ${JSON.stringify(ref.type)}.`);
        if (copy.byteLength !== ref.length * Ctor.BYTES_PER_ELEMENT) throw new Error(`${source}: ${ref.file} has ${copy.byteLength} bytes for ${ref.length} values.`);
        return new Ctor(copy);
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(JSON.parse(text));
}
