// Fused bidirectional LSTM recurrence with a hand-written backward pass (one tf.customGrad for the whole sequence).
// Why: tfjs's autograd records ~20 ops per step per direction and its matMul gradient uses transposed matMuls, which
// are ~10× slower on wasm. Here both directions run in the same ops (their states are stacked along the batch axis:
// rows 0..B-1 forward, B..2B-1 backward), the input projection for all steps arrives precomputed, masked steps carry
// the state, and the backward pass computes the recurrent-kernel gradient as one big matMul after the time loop.
// The backward direction reads ids reversed within each row (sequence.ts), so padding trails in both directions.
// Gate order is Keras': i, f, g (cell candidate), o; recurrent activation sigmoid.
import * as tf from '@tensorflow/tfjs';

type CustomGradFn = Parameters<typeof tf.customGrad>[0];
import { stepMask, type SequenceBatch } from './sequence.ts';

/**
 * projFwd / projBwd: [steps * B, 4H] time-major input projections (bias included) of the forward direction and of
 * the backward direction (whose ids were already reversed within each row). recurrentFwd / recurrentBwd: [H, 4H].
 * Returns the final states [B, 2H] = [forward h | backward h].
 */
export function bilstmFinalStates(
  projFwd: tf.Tensor2D,
  projBwd: tf.Tensor2D,
  recurrentFwd: tf.Tensor2D,
  recurrentBwd: tf.Tensor2D,
  seq: SequenceBatch,
): tf.Tensor2D {
  const B = seq.batch;
  const T = seq.steps;
  const H = recurrentFwd.shape[0];
  const gateScale = new Float32Array(4 * H).fill(1); // derivative d act/dz = shift + act * (scale - act)
  const gateShift = new Float32Array(4 * H);
  for (let k = 2 * H; k < 3 * H; k++) {
    gateScale[k] = 0; // tanh columns: 1 - act²
    gateShift[k] = 1;
  }
  const masks: (Float32Array | null)[] = [];
  for (let t = 0; t < T; t++) masks.push(t < seq.minLength ? null : stepMask(seq, t));
  const rows = (x: tf.Tensor, start: number, count: number) => tf.slice(x, [start, 0], [count, x.shape[1] as number]);
  const cols = (x: tf.Tensor, start: number, count: number) => tf.slice(x, [0, start], [x.shape[0] as number, count]);

  const scan = tf.customGrad(((pF: tf.Tensor, pB: tf.Tensor, uF: tf.Tensor, uB: tf.Tensor, save: tf.GradSaveFunc) => {
    let h: tf.Tensor = tf.zeros([2 * B, H]);
    let c: tf.Tensor = tf.zeros([2 * B, H]);
    const acts: tf.Tensor[] = [];
    const cellTanh: tf.Tensor[] = [];
    const cPrev: tf.Tensor[] = [];
    const hPrev: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      cPrev.push(c);
      hPrev.push(h);
      const z = tf.concat(
        [tf.add(rows(pF, t * B, B), tf.matMul(rows(h, 0, B), uF as tf.Tensor2D)), tf.add(rows(pB, t * B, B), tf.matMul(rows(h, B, B), uB as tf.Tensor2D))],
        0,
      );
      const sig = tf.sigmoid(z);
      const i = cols(sig, 0, H);
      const f = cols(sig, H, H);
      const g = tf.tanh(cols(z, 2 * H, H));
      const o = cols(sig, 3 * H, H);
      acts.push(tf.concat([i, f, g, o], 1));
      let cNew = tf.add(tf.mul(f, c), tf.mul(i, g));
      const tc = tf.tanh(cNew);
      cellTanh.push(tc);
      let hNew = tf.mul(o, tc);
      const m = masks[t];
      if (m) {
        const mt = tf.tensor2d(m, [2 * B, 1]);
        cNew = tf.add(c, tf.mul(mt, tf.sub(cNew, c)));
        hNew = tf.add(h, tf.mul(mt, tf.sub(hNew, h)));
      }
      c = cNew;
      h = hNew;
    }
    save([...acts, ...cellTanh, ...cPrev, ...hPrev]);
    const value = tf.concat([rows(h, 0, B), rows(h, B, B)], 1);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const sActs = saved.slice(0, T);
      const sTanh = saved.slice(T, 2 * T);
      const sC = saved.slice(2 * T, 3 * T);
      const sH = saved.slice(3 * T, 4 * T);
      const scale = tf.tensor1d(gateScale);
      const shift = tf.tensor1d(gateShift);
      const uFT = tf.transpose(uF as tf.Tensor2D);
      const uBT = tf.transpose(uB as tf.Tensor2D);
      let dh = tf.concat([cols(dy, 0, H), cols(dy, H, H)], 0);
      let dc: tf.Tensor = tf.zeros([2 * B, H]);
      const dZ: tf.Tensor[] = new Array(T);
      for (let t = T - 1; t >= 0; t--) {
        const m = masks[t];
        let keepH: tf.Tensor | null = null;
        let keepC: tf.Tensor | null = null;
        if (m) {
          const mt = tf.tensor2d(m, [2 * B, 1]);
          const dhA = tf.mul(dh, mt);
          const dcA = tf.mul(dc, mt);
          keepH = tf.sub(dh, dhA);
          keepC = tf.sub(dc, dcA);
          dh = dhA;
          dc = dcA;
        }
        const act = sActs[t];
        const i = cols(act, 0, H);
        const f = cols(act, H, H);
        const g = cols(act, 2 * H, H);
        const o = cols(act, 3 * H, H);
        const tc = sTanh[t];
        const dO = tf.mul(dh, tc);
        const dcT = tf.add(dc, tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tc))));
        const dAct = tf.concat([tf.mul(dcT, g), tf.mul(dcT, sC[t]), tf.mul(dcT, i), dO], 1);
        const dz = tf.mul(dAct, tf.add(shift, tf.mul(act, tf.sub(scale, act))));
        dZ[t] = dz;
        let dcPrev = tf.mul(dcT, f);
        let dhPrev = tf.concat([tf.matMul(rows(dz, 0, B), uFT), tf.matMul(rows(dz, B, B), uBT)], 0);
        if (keepH && keepC) {
          dhPrev = tf.add(dhPrev, keepH);
          dcPrev = tf.add(dcPrev, keepC);
        }
        dh = dhPrev;
        dc = dcPrev;
      }
      const dZAll = tf.stack(dZ, 0); // [T, 2B, 4H]
      const hAll = tf.stack(sH, 0); // [T, 2B, H]
      const dPF = tf.reshape(tf.slice(dZAll, [0, 0, 0], [T, B, 4 * H]), [T * B, 4 * H]);
      const dPB = tf.reshape(tf.slice(dZAll, [0, B, 0], [T, B, 4 * H]), [T * B, 4 * H]);
      const hF = tf.reshape(tf.slice(hAll, [0, 0, 0], [T, B, H]), [T * B, H]);
      const hB = tf.reshape(tf.slice(hAll, [0, B, 0], [T, B, H]), [T * B, H]);
      return [dPF, dPB, tf.matMul(tf.transpose(hF), dPF), tf.matMul(tf.transpose(hB), dPB)];
    };
    return { value, gradFunc };
  }) as unknown as CustomGradFn);
  return scan(projFwd, projBwd, recurrentFwd, recurrentBwd) as tf.Tensor2D;
}
