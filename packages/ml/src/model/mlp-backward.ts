import type { MlpLayout } from './mlp-layout.js';
import type { MlpWorkspace } from './mlp-pass.js';

/**
 * Back-propagates deltas[last] (set by mlpHeadLoss) through the b rows of the last forward pass, adding each
 * layer's weight and bias gradients into `gradient` (not cleared here). `dropped`: what mlpForward returned.
 * Rows and units whose delta is 0 (inactive ReLUs, dropped units) are skipped; the others are taken four at a
 * time so that each pass over a contiguous weight or activation row does four multiply-adds per load and store.
 * `assign` (one row only, b = 1): write the gradient instead of adding to it, so the caller need not clear it.
 */
export function mlpBackward(
  layout: MlpLayout,
  ws: MlpWorkspace,
  params: Float64Array,
  b: number,
  gradient: Float64Array,
  dropped: boolean,
  assign = false,
): void {
  const { widths, weightOffset, biasOffset } = layout;
  for (let l = widths.length - 2; l >= 0; l--) {
    const nIn = widths[l]!;
    const nOut = widths[l + 1]!;
    const a = ws.acts[l]!;
    const dz = ws.deltas[l + 1]!;
    if (assign) assignRowGradients(gradient, weightOffset[l]!, biasOffset[l]!, a, dz, nIn, nOut);
    else weightGradients(gradient, weightOffset[l]!, biasOffset[l]!, a, dz, nIn, nOut, b, ws.nonZero);
    if (l > 0) inputDeltas(ws, params, weightOffset[l]!, l, nIn, nOut, b, dropped);
  }
}

/** gradient W[o, :] += Σ_r dz[r, o]·a[r, :] and gradient b[o] += Σ_r dz[r, o], four rows at a time. */
function weightGradients(
  gradient: Float64Array,
  w0: number,
  b0: number,
  a: Float64Array,
  dz: Float64Array,
  nIn: number,
  nOut: number,
  b: number,
  rows: Int32Array,
): void {
  // The workspace holds b rows of every width and rows has room for b entries; the offsets lie in gradient.
  for (let o = 0; o < nOut; o++) {
    let count = 0;
    let biasSum = 0;
    for (let r = 0; r < b; r++) {
      const g = dz[r * nOut + o]!;
      if (g !== 0) {
        rows[count++] = r;
        biasSum += g;
      }
    }
    gradient[b0 + o]! += biasSum;
    const p = w0 + o * nIn;
    let k = 0;
    for (; k + 4 <= count; k += 4) {
      const r0 = rows[k]!;
      const r1 = rows[k + 1]!;
      const r2 = rows[k + 2]!;
      const r3 = rows[k + 3]!;
      const g0 = dz[r0 * nOut + o]!;
      const g1 = dz[r1 * nOut + o]!;
      const g2 = dz[r2 * nOut + o]!;
      const g3 = dz[r3 * nOut + o]!;
      const a0 = r0 * nIn;
      const a1 = r1 * nIn;
      const a2 = r2 * nIn;
      const a3 = r3 * nIn;
      for (let i = 0; i < nIn; i++) {
        gradient[p + i]! += g0 * a[a0 + i]! + g1 * a[a1 + i]! + g2 * a[a2 + i]! + g3 * a[a3 + i]!;
      }
    }
    for (; k < count; k++) {
      const r = rows[k]!;
      const g = dz[r * nOut + o]!;
      const base = r * nIn;
      for (let i = 0; i < nIn; i++) gradient[p + i]! += g * a[base + i]!;
    }
  }
}

/** One row's weight and bias gradients, written: W[o, :] = dz[o]·a, b[o] = dz[o]. */
function assignRowGradients(
  gradient: Float64Array,
  w0: number,
  b0: number,
  a: Float64Array,
  dz: Float64Array,
  nIn: number,
  nOut: number,
): void {
  for (let o = 0; o < nOut; o++) {
    const g = dz[o]!;
    const p = w0 + o * nIn;
    gradient[b0 + o] = g;
    if (g === 0) gradient.fill(0, p, p + nIn);
    else for (let i = 0; i < nIn; i++) gradient[p + i] = g * a[i]!;
  }
}

/**
 * deltas[l][r, :] = (Σ_o dz[r, o]·W[o, :]) through layer l's ReLU and dropout: a > 0 exactly where the unit was
 * active and kept, and the mask rescales by 1/(1-p).
 */
function inputDeltas(
  ws: MlpWorkspace,
  params: Float64Array,
  w0: number,
  l: number,
  nIn: number,
  nOut: number,
  b: number,
  dropped: boolean,
): void {
  const a = ws.acts[l]!;
  const da = ws.deltas[l]!;
  const dz = ws.deltas[l + 1]!;
  const units = ws.nonZero;
  const mask = dropped ? ws.masks[l]! : undefined;
  for (let r = 0; r < b; r++) {
    const zBase = r * nOut;
    const base = r * nIn;
    let count = 0;
    for (let o = 0; o < nOut; o++) if (dz[zBase + o] !== 0) units[count++] = o;
    da.fill(0, base, base + nIn);
    let k = 0;
    for (; k + 4 <= count; k += 4) {
      const o0 = units[k]!;
      const o1 = units[k + 1]!;
      const o2 = units[k + 2]!;
      const o3 = units[k + 3]!;
      const g0 = dz[zBase + o0]!;
      const g1 = dz[zBase + o1]!;
      const g2 = dz[zBase + o2]!;
      const g3 = dz[zBase + o3]!;
      const p0 = w0 + o0 * nIn;
      const p1 = w0 + o1 * nIn;
      const p2 = w0 + o2 * nIn;
      const p3 = w0 + o3 * nIn;
      for (let i = 0; i < nIn; i++) {
        da[base + i]! += g0 * params[p0 + i]! + g1 * params[p1 + i]! + g2 * params[p2 + i]! + g3 * params[p3 + i]!;
      }
    }
    for (; k < count; k++) {
      const o = units[k]!;
      const g = dz[zBase + o]!;
      const p = w0 + o * nIn;
      for (let i = 0; i < nIn; i++) da[base + i]! += g * params[p + i]!;
    }
    for (let j = base; j < base + nIn; j++) {
      if (!(a[j]! > 0)) da[j] = 0;
      else if (mask) da[j]! *= mask[j]!;
    }
  }
}
