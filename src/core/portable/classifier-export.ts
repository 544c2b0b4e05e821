// The trained classifier as standard TensorFlow.js model files: a graph model (`model.json` + `weights.bin`, the
// format `tf.loadGraphModel` reads) that maps token ids [batch, maxLen] (int32, 0 = padding) to class probabilities,
// plus `metadata.json` with everything needed to feed it: labels, vocabulary, tokenizer rules, max length, model kind,
// library versions, seeds and test accuracy. The graph is written op by op from the saved parameters (same maths as
// src/core/classifier/*: masked mean pooling, the BiLSTM unrolled over maxLen steps with masking, the pre-LN transformer),
// so another page needs only tfjs and the short snippet in CLASSIFIER_SNIPPET — none of this app's code.
import type { SavedModel } from '../classifier/model-io.ts';

export const CLASSIFIER_FORMAT = 'sungen-lab/classifier';
export const CLASSIFIER_FORMAT_VERSION = 1;

export interface ClassifierMetadata {
  format: typeof CLASSIFIER_FORMAT;
  formatVersion: number;
  modelKind: string;
  labels: string[];
  maxLenTokens: number;
  tokenizer: {
    /** How text becomes tokens: lowercase, then every match of `pattern` (flags `flags`) is a token. */
    lowercase: true;
    pattern: string;
    flags: string;
    padId: 0;
    unkId: 1;
    /** Tokens past maxLenTokens are dropped; shorter texts are padded with padId at the end. */
    truncate: 'end';
  };
  /** vocabulary[id] is the token. */
  vocabulary: string[];
  input: { name: 'ids'; dtype: 'int32'; shape: [number, number] };
  output: { name: 'probabilities'; dtype: 'float32'; classes: number };
  versions: Record<string, string>;
  seeds: Record<string, number>;
  /** Accuracy on each real test set the classifier was evaluated on in the lab. */
  testAccuracy: { testSet: string; accuracy: number; macroF1?: number }[];
  training?: Record<string, unknown>;
  createdAt: string;
}

/** The documented way to use an exported classifier in any page (also in README and in the exported zip). */
export const CLASSIFIER_SNIPPET = `<script src="tf.min.js"></script>  <!-- @tensorflow/tfjs 4.x, served from your own site -->
<script>
async function loadClassifier(baseUrl) {
  const model = await tf.loadGraphModel(baseUrl + 'model.json');
  const meta = await (await fetch(baseUrl + 'metadata.json')).json();
  const index = new Map(meta.vocabulary.map((t, i) => [t, i]));
  const re = new RegExp(meta.tokenizer.pattern, meta.tokenizer.flags);
  const encode = (text) => {
    const ids = new Int32Array(meta.maxLenTokens);
    const tokens = text.toLowerCase().match(re) || [];
    tokens.slice(0, meta.maxLenTokens).forEach((t, k) => (ids[k] = index.get(t) ?? meta.tokenizer.unkId));
    return ids;
  };
  return (texts) => tf.tidy(() => {
    const ids = new Int32Array(texts.length * meta.maxLenTokens);
    texts.forEach((t, r) => ids.set(encode(t), r * meta.maxLenTokens));
    const probs = model.predict(tf.tensor2d(ids, [texts.length, meta.maxLenTokens], 'int32')).arraySync();
    return probs.map((p) => ({ label: meta.labels[p.indexOf(Math.max(...p))], probabilities: p }));
  });
}
// const classify = await loadClassifier('./my-classifier/'); classify(['a wonderful film']);
</script>`;

type Dtype = 'float32' | 'int32';
type Attr = Record<string, unknown>;
interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Attr;
}
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: Dtype;
}

const TF_DTYPE: Record<Dtype, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32' };
const FLOAT = { type: 'DT_FLOAT' };

/** Emits TensorFlow GraphDef nodes (the JSON form tfjs-converter writes) and their constant weights. */
class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly specs: WeightSpec[] = [];
  readonly data: (Float32Array | Int32Array)[] = [];
  private count = 0;

  private id(prefix: string): string {
    return `${prefix}_${this.count++}`;
  }

  placeholder(name: string, shape: number[], dtype: Dtype): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: { type: TF_DTYPE[dtype] }, shape: { shape: { dim: shape.map((s) => ({ size: String(s) })) } } } });
    return name;
  }

  constant(values: Float32Array | Int32Array, shape: number[], name = this.id('const')): string {
    const dtype: Dtype = values instanceof Int32Array ? 'int32' : 'float32';
    const tensorShape = { dim: shape.map((s) => ({ size: String(s) })) };
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: TF_DTYPE[dtype] }, value: { tensor: { dtype: TF_DTYPE[dtype], tensorShape } } } });
    this.specs.push({ name, shape, dtype });
    this.data.push(values);
    return name;
  }

  ints(values: number[]): string {
    return this.constant(Int32Array.from(values), [values.length]);
  }
  int(value: number): string {
    return this.constant(Int32Array.of(value), []);
  }
  float(value: number): string {
    return this.constant(Float32Array.of(value), []);
  }

  op(op: string, input: string[], attr: Attr = {}, name = this.id(op.toLowerCase())): string {
    this.nodes.push({ name, op, input, attr });
    return name;
  }

  // Shorthands for the ops the TAMs use.
  add = (a: string, b: string) => this.op('AddV2', [a, b], { T: FLOAT });
  sub = (a: string, b: string) => this.op('Sub', [a, b], { T: FLOAT });
  mul = (a: string, b: string) => this.op('Mul', [a, b], { T: FLOAT });
  div = (a: string, b: string) => this.op('RealDiv', [a, b], { T: FLOAT });
  max = (a: string, b: string) => this.op('Maximum', [a, b], { T: FLOAT });
  sigmoid = (x: string) => this.op('Sigmoid', [x], { T: FLOAT });
  tanh = (x: string) => this.op('Tanh', [x], { T: FLOAT });
  relu = (x: string) => this.op('Relu', [x], { T: FLOAT });
  sqrt = (x: string) => this.op('Sqrt', [x], { T: FLOAT });
  matMul = (a: string, b: string) => this.op('MatMul', [a, b], { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } });
  batchMatMul = (a: string, b: string, adjY = false) => this.op('BatchMatMulV2', [a, b], { T: FLOAT, adj_x: { b: false }, adj_y: { b: adjY } });
  reshape = (x: string, shape: number[]) => this.op('Reshape', [x, this.ints(shape)], { T: FLOAT });
  transpose = (x: string, perm: number[]) => this.op('Transpose', [x, this.ints(perm)], { T: FLOAT });
  slice = (x: string, begin: number[], size: number[]) => this.op('Slice', [x, this.ints(begin), this.ints(size)], { T: FLOAT });
  sum = (x: string, axes: number[], keep = false) => this.op('Sum', [x, this.ints(axes)], { T: FLOAT, keep_dims: { b: keep } });
  mean = (x: string, axes: number[], keep = false) => this.op('Mean', [x, this.ints(axes)], { T: FLOAT, keep_dims: { b: keep } });
  gather = (table: string, ids: string) =>
    this.op('GatherV2', [table, ids, this.int(0)], { Tparams: FLOAT, Tindices: { type: 'DT_INT32' }, Taxis: { type: 'DT_INT32' }, batch_dims: { i: '0' } });
  concat = (xs: string[], axis: number) => this.op('ConcatV2', [...xs, this.int(axis)], { T: FLOAT, N: { i: String(xs.length) }, Tidx: { type: 'DT_INT32' } });

  /** x [..., K] @ w [K, N] + b: rank-2 matMul on a [-1, K] view, then back to `outShape`. */
  dense(x: string, w: string, b: string, inDim: number, outShape: number[] | null): string {
    const y = this.add(this.matMul(outShape ? this.reshape(x, [-1, inDim]) : x, w), b);
    return outShape ? this.reshape(y, outShape) : y;
  }

  layerNorm(x: string, gamma: string, beta: string): string {
    const mean = this.mean(x, [-1], true);
    const variance = this.mean(this.op('SquaredDifference', [x, mean], { T: FLOAT }), [-1], true);
    return this.add(this.mul(this.div(this.sub(x, mean), this.sqrt(this.add(variance, this.float(1e-5)))), gamma), beta);
  }
}

/** Parameters of a saved model by their TAM name (the `tam_<kind>_<n>_` prefix removed). */
function paramsByName(saved: SavedModel, g: GraphBuilder): (name: string) => string {
  const byName = new Map(saved.parameters.map((p) => [p.name.replace(/^tam_[a-z]+_\d+_/, ''), p]));
  const made = new Map<string, string>();
  return (name) => {
    const known = made.get(name);
    if (known) return known;
    const p = byName.get(name);
    if (!p) throw new Error(`The saved ${saved.tamConfig.kind} model has no parameter "${name}"; it cannot be exported.`);
    const node = g.constant(new Float32Array(p.data), p.shape, `param/${name}`);
    made.set(name, node);
    return node;
  };
}

function paramShape(saved: SavedModel, name: string): number[] {
  const p = saved.parameters.find((x) => x.name.replace(/^tam_[a-z]+_\d+_/, '') === name);
  if (!p) throw new Error(`The saved model has no parameter "${name}".`);
  return p.shape;
}

/** GraphDef nodes computing probabilities [B, C] from ids [B, T] for the saved model. */
function buildGraph(saved: SavedModel): GraphBuilder {
  const g = new GraphBuilder();
  const T = saved.tamConfig.maxLenTokens;
  const P = paramsByName(saved, g);
  const ids = g.placeholder('ids', [-1, T], 'int32');
  const present = g.op('Cast', [g.op('Greater', [ids, g.int(0)], { T: { type: 'DT_INT32' } })], { SrcT: { type: 'DT_BOOL' }, DstT: FLOAT, Truncate: { b: false } }); // [B, T]
  const mask3 = g.op('ExpandDims', [present, g.int(2)], { T: FLOAT, Tdim: { type: 'DT_INT32' } }); // [B, T, 1]
  const maskedMean = (x: string) => g.div(g.sum(g.mul(x, mask3), [1]), g.max(g.sum(mask3, [1]), g.float(1)));
  let features: string;
  let featureDim: number;
  const kind = saved.tamConfig.kind;
  if (kind === 'fast') {
    if (saved.tamConfig.bigramBuckets) throw new Error('Fast models with hashed bigrams cannot be exported as tfjs files yet.');
    features = maskedMean(g.gather(P('embedding'), ids));
    featureDim = paramShape(saved, 'embedding')[1];
  } else if (kind === 'lstm') {
    const [D, H4] = paramShape(saved, 'kernel_fwd');
    const H = H4 / 4;
    const x = g.gather(P('embedding'), ids); // [B, T, D]
    const direction = (dir: 'fwd' | 'bwd') => {
      const proj = g.dense(x, P(`kernel_${dir}`), P(`bias_${dir}`), D, [-1, T, 4 * H]);
      const R = P(`recurrent_${dir}`);
      let h = '';
      let c = '';
      const steps = [...Array(T).keys()];
      if (dir === 'bwd') steps.reverse();
      for (const t of steps) {
        const pt = g.reshape(g.slice(proj, [0, t, 0], [-1, 1, 4 * H]), [-1, 4 * H]);
        const z = h ? g.add(pt, g.matMul(h, R)) : pt;
        const gate = (k: number) => g.slice(z, [0, k * H], [-1, H]);
        const i = g.sigmoid(gate(0));
        const f = g.sigmoid(gate(1));
        const cand = g.tanh(gate(2));
        const o = g.sigmoid(gate(3));
        const cNew = c ? g.add(g.mul(f, c), g.mul(i, cand)) : g.mul(i, cand);
        const hNew = g.mul(o, g.tanh(cNew));
        const m = g.slice(present, [0, t], [-1, 1]); // [B, 1]: 1 on real tokens, 0 on padding (state carried)
        const keep = g.sub(g.float(1), m);
        c = c ? g.add(g.mul(m, cNew), g.mul(keep, c)) : g.mul(m, cNew);
        h = h ? g.add(g.mul(m, hNew), g.mul(keep, h)) : g.mul(m, hNew);
      }
      return h;
    };
    features = g.concat([direction('fwd'), direction('bwd')], 1);
    featureDim = 2 * H;
  } else if (kind === 'transformer') {
    const [, d] = paramShape(saved, 'token_emb');
    const nh = 4;
    const dk = d / nh;
    const posRows = paramShape(saved, 'pos_emb')[0];
    let x = g.add(g.gather(P('token_emb'), ids), posRows === T ? P('pos_emb') : g.slice(P('pos_emb'), [0, 0], [T, d]));
    const keyBias = g.reshape(g.mul(g.sub(g.float(1), present), g.float(-1e9)), [-1, 1, 1, T]);
    for (let l = 0; saved.parameters.some((p) => p.name.endsWith(`_l${l}_wqkv`)); l++) {
      const hIn = g.layerNorm(x, P(`l${l}_ln1_g`), P(`l${l}_ln1_b`));
      const qkv = g.reshape(g.dense(hIn, P(`l${l}_wqkv`), P(`l${l}_bqkv`), d, [-1, T, 3 * d]), [-1, T, 3, nh, dk]);
      const heads = (k: number) => g.transpose(g.reshape(g.slice(qkv, [0, 0, k, 0, 0], [-1, T, 1, nh, dk]), [-1, T, nh, dk]), [0, 2, 1, 3]);
      const scores = g.add(g.div(g.batchMatMul(heads(0), heads(1), true), g.float(Math.sqrt(dk))), keyBias);
      const att = g.batchMatMul(g.op('Softmax', [scores], { T: FLOAT }), heads(2));
      const merged = g.reshape(g.transpose(att, [0, 2, 1, 3]), [-1, T, d]);
      x = g.add(x, g.dense(merged, P(`l${l}_wo`), P(`l${l}_bo`), d, [-1, T, d]));
      const h2 = g.layerNorm(x, P(`l${l}_ln2_g`), P(`l${l}_ln2_b`));
      const ff = paramShape(saved, `l${l}_w1`)[1];
      x = g.add(x, g.dense(g.relu(g.dense(h2, P(`l${l}_w1`), P(`l${l}_b1`), d, [-1, T, ff])), P(`l${l}_w2`), P(`l${l}_b2`), ff, [-1, T, d]));
    }
    features = maskedMean(g.layerNorm(x, P('lnf_g'), P('lnf_b')));
    featureDim = d;
  } else {
    throw new Error(`Unknown model kind "${kind}".`);
  }
  void featureDim;
  const logits = g.dense(features, P('out_kernel'), P('out_bias'), featureDim, null);
  g.op('Softmax', [logits], { T: FLOAT }, 'probabilities');
  return g;
}

export interface ClassifierFiles {
  'model.json': Uint8Array;
  'weights.bin': Uint8Array;
  'metadata.json': Uint8Array;
}

export interface ClassifierExportInfo {
  versions: Record<string, string>;
  seeds: Record<string, number>;
  testAccuracy?: ClassifierMetadata['testAccuracy'];
  training?: Record<string, unknown>;
  tokenPattern: RegExp;
  now?: Date;
}

/** model.json (tfjs graph model), weights.bin and metadata.json for a saved model. */
export function exportClassifier(saved: SavedModel, info: ClassifierExportInfo): ClassifierFiles {
  const g = buildGraph(saved);
  // Keep only what the output needs (e.g. the LSTM's last cell state is computed but unused): a graph model treats
  // every node nobody reads as an output.
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const needed = new Set<string>();
  const stack = ['probabilities'];
  while (stack.length) {
    const name = stack.pop() as string;
    if (needed.has(name)) continue;
    needed.add(name);
    for (const i of byName.get(name)?.input ?? []) stack.push(i);
  }
  const nodes = g.nodes.filter((n) => needed.has(n.name));
  const kept = g.specs.map((s, k) => ({ spec: s, data: g.data[k] })).filter((w) => needed.has(w.spec.name));
  const weights = new Uint8Array(kept.reduce((n, w) => n + w.data.byteLength, 0));
  let o = 0;
  for (const { data: a } of kept) {
    weights.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o += a.byteLength;
  }
  const model = {
    format: 'graph-model',
    generatedBy: 'SunGen Lab',
    convertedBy: `SunGen Lab classifier export v${CLASSIFIER_FORMAT_VERSION}`,
    modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: ['weights.bin'], weights: kept.map((w) => w.spec) }],
  };
  const T = saved.tamConfig.maxLenTokens;
  const metadata: ClassifierMetadata = {
    format: CLASSIFIER_FORMAT,
    formatVersion: CLASSIFIER_FORMAT_VERSION,
    modelKind: saved.tamConfig.kind,
    labels: [...saved.labelNames],
    maxLenTokens: T,
    tokenizer: { lowercase: true, pattern: info.tokenPattern.source, flags: info.tokenPattern.flags.replace(/[gy]/g, '') + 'g', padId: 0, unkId: 1, truncate: 'end' },
    vocabulary: [...saved.vocab.tokens],
    input: { name: 'ids', dtype: 'int32', shape: [-1, T] },
    output: { name: 'probabilities', dtype: 'float32', classes: saved.labelNames.length },
    versions: info.versions,
    seeds: info.seeds,
    testAccuracy: info.testAccuracy ?? [],
    createdAt: (info.now ?? new Date()).toISOString(),
  };
  if (info.training) metadata.training = info.training;
  const enc = new TextEncoder();
  return { 'model.json': enc.encode(JSON.stringify(model)), 'weights.bin': weights, 'metadata.json': enc.encode(JSON.stringify(metadata, null, 1)) };
}
