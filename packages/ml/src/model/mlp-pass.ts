import type { Random } from '@tessera/crypto';
import type { LabeledData } from '../matrix.js';
import { logLossFromLogit, sigmoid } from '../sigmoid.js';
import { softmaxInPlace } from './log-softmax.js';
import { denseForward } from './mlp-dense.js';
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
  /** Scratch list of the rows or units with a non-zero delta (backward skips the others). */
  nonZero: Int32Array;
}

export function mlpWorkspace(layout: MlpLayout, capacity: number): MlpWorkspace {
  const make = () => layout.widths.map((w) => new Float64Array(w * capacity));
  const nonZero = new Int32Array(Math.max(capacity, ...layout.widths));
  return { capacity, acts: make(), deltas: make(), masks: layout.dropout > 0 ? make() : [], nonZero };
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
  for (let k = 0; k < b; k++) {
    const from = rows[start + k]! * d;
    const to = k * d;
    for (let j = 0; j < d; j++) input[to + j] = x[from + j]!;
  }
  const layers = widths.length - 1;
  const drop = rng !== undefined && layout.dropout > 0 ? layout.dropout : 0;
  const keep = 1 / (1 - drop);
  // The workspace holds capacity >= b rows of every width; the layout's offsets lie inside params (checked by
  // the caller): every index below is in range.
  for (let l = 0; l < layers; l++) {
    const nIn = widths[l]!;
    const nOut = widths[l + 1]!;
    const z = ws.acts[l + 1]!;
    const hidden = l + 1 < layers;
    denseForward(params, weightOffset[l]!, biasOffset[l]!, ws.acts[l]!, z, nIn, nOut, b);
    if (!hidden) continue;
    for (let r = 0; r < b; r++) {
      const zBase = r * nOut;
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
