import type { Random } from '@tessera/crypto';
import type { LabeledData } from '../matrix.js';
import { logLossFromLogit, sigmoid } from '../sigmoid.js';
import { softmaxInPlace } from './log-softmax.js';
import type { MlpLayout } from './mlp-layout.js';
import { checkBinary, checkClass } from './model-checks.js';

/**
 * Buffers of one forward/backward pass over up to `capacity` rows, row-major batch × width: acts[0] the input rows,
 * acts[l] layer l's outputs (after ReLU and dropout for hidden layers, the logits for the head), deltas[l] the
 * loss gradient with respect to layer l's pre-activations, masks[l] the dropout multipliers (0 or 1/(1-p)).
 */
export interface MlpWorkspace {
  capacity: number;
  acts: Float64Array[];
  deltas: Float64Array[];
  masks: Float64Array[];
}

export function mlpWorkspace(layout: MlpLayout, capacity: number): MlpWorkspace {
  const make = () => layout.widths.map((w) => new Float64Array(w * capacity));
  return { capacity, acts: make(), deltas: make(), masks: layout.dropout > 0 ? make() : [] };
}

/**
 * Copies rows[start, start + b) of x into acts[0] and runs the layers; dropout only when rng is given. Returns
 * whether dropout was applied (the masks are then those of this pass).
 */
export function mlpForward(
  layout: MlpLayout,
  ws: MlpWorkspace,
  params: Float64Array,
  x: Float64Array,
  rows: ArrayLike<number>,
  start: number,
  b: number,
  rng?: Random,
): boolean {
  const { widths, weightOffset, biasOffset } = layout;
  const d = widths[0]!;
  const input = ws.acts[0]!;
  for (let k = 0; k < b; k++) input.set(x.subarray(rows[start + k]! * d, (rows[start + k]! + 1) * d), k * d);
  const layers = widths.length - 1;
  const drop = rng !== undefined && layout.dropout > 0 ? layout.dropout : 0;
  const keep = 1 / (1 - drop);
  // The workspace holds capacity >= b rows of every width; the layout's offsets lie inside params (checked by
  // the caller): every index below is in range.
  for (let l = 0; l < layers; l++) {
    const nIn = widths[l]!;
    const nOut = widths[l + 1]!;
    const a = ws.acts[l]!;
    const z = ws.acts[l + 1]!;
    const w0 = weightOffset[l]!;
    const b0 = biasOffset[l]!;
    const hidden = l + 1 < layers;
    for (let r = 0; r < b; r++) {
      const aBase = r * nIn;
      const zBase = r * nOut;
      let o = 0;
      // Four outputs per pass over the input row: each input value is loaded once for four weight rows.
      for (; o + 4 <= nOut; o += 4) {
        const p0 = w0 + o * nIn;
        const p1 = p0 + nIn;
        const p2 = p1 + nIn;
        const p3 = p2 + nIn;
        let s0 = params[b0 + o]!;
        let s1 = params[b0 + o + 1]!;
        let s2 = params[b0 + o + 2]!;
        let s3 = params[b0 + o + 3]!;
        for (let i = 0; i < nIn; i++) {
          const v = a[aBase + i]!;
          s0 += params[p0 + i]! * v;
          s1 += params[p1 + i]! * v;
          s2 += params[p2 + i]! * v;
          s3 += params[p3 + i]! * v;
        }
        z[zBase + o] = s0;
        z[zBase + o + 1] = s1;
        z[zBase + o + 2] = s2;
        z[zBase + o + 3] = s3;
      }
      for (; o < nOut; o++) {
        const p = w0 + o * nIn;
        let s = params[b0 + o]!;
        for (let i = 0; i < nIn; i++) s += params[p + i]! * a[aBase + i]!;
        z[zBase + o] = s;
      }
      if (!hidden) continue;
      if (drop > 0) {
        const mask = ws.masks[l + 1]!;
        for (let j = zBase; j < zBase + nOut; j++) {
          const m = rng!.float() < drop ? 0 : keep; // drop > 0 only when rng is given
          mask[j] = m;
          z[j] = z[j]! > 0 ? z[j]! * m : 0;
        }
      } else {
        for (let j = zBase; j < zBase + nOut; j++) if (z[j]! < 0) z[j] = 0;
      }
    }
  }
  return drop > 0;
}

/**
 * Turns the head's logits (acts[last]) into the loss of each row and writes deltas[last] = ∂(sum loss)/∂logits ×
 * scale (softmax probabilities replace the logits in acts[last]). Returns the summed loss.
 */
export function mlpHeadLoss(
  layout: MlpLayout,
  ws: MlpWorkspace,
  data: LabeledData,
  rows: ArrayLike<number>,
  start: number,
  b: number,
  scale: number,
): number {
  const last = layout.widths.length - 1;
  const k = layout.outputs;
  const z = ws.acts[last]!;
  const delta = ws.deltas[last]!;
  const { y } = data;
  let loss = 0;
  for (let r = 0; r < b; r++) {
    const row = rows[start + r]!;
    const label = y[row]!;
    if (layout.head === 'softmax') {
      checkClass(label, k, row);
      const base = r * k;
      const zy = z[base + label]!;
      loss += softmaxInPlace(z, base, k) - zy;
      for (let c = 0; c < k; c++) delta[base + c] = (z[base + c]! - (c === label ? 1 : 0)) * scale;
    } else if (layout.head === 'sigmoid') {
      checkBinary(label, row);
      loss += logLossFromLogit(label, z[r]!);
      delta[r] = (sigmoid(z[r]!) - label) * scale;
    } else {
      const residual = z[r]! - label;
      loss += residual * residual;
      delta[r] = residual * scale;
    }
  }
  return layout.head === 'linear' ? loss / 2 : loss;
}

/** Turns the head's logits in acts[last] into the model's outputs, for predict. */
export function mlpOutputs(layout: MlpLayout, ws: MlpWorkspace, b: number): Float64Array {
  const last = layout.widths.length - 1;
  const k = layout.outputs;
  const z = ws.acts[last]!;
  if (layout.head === 'softmax') for (let r = 0; r < b; r++) softmaxInPlace(z, r * k, k);
  else if (layout.head === 'sigmoid') for (let r = 0; r < b; r++) z[r] = sigmoid(z[r]!);
  return z.subarray(0, b * k);
}

/**
 * Back-propagates deltas[last] (set by mlpHeadLoss) through the b rows of the last forward pass, adding each
 * layer's weight and bias gradients into `gradient` (not cleared here). `dropped`: what mlpForward returned.
 */
export function mlpBackward(
  layout: MlpLayout,
  ws: MlpWorkspace,
  params: Float64Array,
  b: number,
  gradient: Float64Array,
  dropped: boolean,
): void {
  const { widths, weightOffset, biasOffset } = layout;
  for (let l = widths.length - 2; l >= 0; l--) {
    const nIn = widths[l]!;
    const nOut = widths[l + 1]!;
    const a = ws.acts[l]!;
    const dz = ws.deltas[l + 1]!;
    const w0 = weightOffset[l]!;
    const b0 = biasOffset[l]!;
    const da = ws.deltas[l]!;
    const propagate = l > 0;
    if (propagate) da.fill(0, 0, b * nIn);
    for (let r = 0; r < b; r++) {
      const aBase = r * nIn;
      for (let o = 0; o < nOut; o++) {
        const g = dz[r * nOut + o]!;
        if (g === 0) continue; // ReLU zeros and dropped units: nothing to add
        gradient[b0 + o]! += g;
        const p = w0 + o * nIn;
        if (propagate) {
          for (let i = 0; i < nIn; i++) {
            gradient[p + i]! += g * a[aBase + i]!;
            da[aBase + i]! += g * params[p + i]!;
          }
        } else {
          for (let i = 0; i < nIn; i++) gradient[p + i]! += g * a[aBase + i]!;
        }
      }
    }
    if (!propagate) continue;
    // Through ReLU (and dropout): a > 0 exactly where the unit was active and kept; the mask rescales by 1/(1-p).
    const mask = dropped ? ws.masks[l]! : undefined;
    for (let j = 0; j < b * nIn; j++) {
      if (!(a[j]! > 0)) da[j] = 0;
      else if (mask) da[j]! *= mask[j]!;
    }
  }
}
