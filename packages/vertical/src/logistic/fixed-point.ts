/**
 * Fixed-point words mod p for vertical LR. A residual r (scale 2^residualBits) times a feature x (scale
 * 2^featureBits), summed over a batch of b rows, must stay below p/2 in magnitude so that the centred lift of the
 * sum mod p is exact. Residual pieces are clipped to +-RESIDUAL_CLIP each (the guest's and every host's) and
 * standardised features to +-FEATURE_CLIP; the plan gives each side half of the bits left.
 */
import { randomBytes } from 'node:crypto';

/** Each residual piece (the guest's 0.25 u_guest - 0.5 y, a host's 0.25 u_host) is clipped to this magnitude. */
export const RESIDUAL_CLIP = 8;
/** Standardised features are clipped to this magnitude (32 standard deviations). */
export const FEATURE_CLIP = 32;
/** Fewer fraction bits than this in total would quantise the gradient too coarsely. */
const MIN_TOTAL_BITS = 16;

export interface FixedPointPlan {
  readonly residualBits: number;
  readonly featureBits: number;
}

/** Fraction bits for batches of up to `batchSize` rows and `hosts` hosts under plaintext modulus p. */
export function fixedPointPlan(p: number, batchSize: number, hosts: number): FixedPointPlan {
  const residualMax = RESIDUAL_CLIP * (1 + hosts);
  const spare =
    Math.floor(Math.log2(p / 2)) -
    Math.ceil(Math.log2(batchSize)) -
    Math.ceil(Math.log2(residualMax)) -
    Math.ceil(Math.log2(FEATURE_CLIP));
  if (spare < MIN_TOTAL_BITS)
    throw new Error(
      `batchSize ${batchSize} with ${hosts} hosts leaves ${spare} fraction bits under the ` +
        `${Math.log2(p).toFixed(0)}-bit plaintext modulus (at least ${MIN_TOTAL_BITS} needed): lower batchSize`,
    );
  const residualBits = Math.ceil(spare / 2);
  return { residualBits, featureBits: spare - residualBits };
}

/** round(clip(v) * 2^bits) mod p. */
export function encodeFixed(v: number, clip: number, bits: number, p: number): number {
  const c = Math.max(-clip, Math.min(clip, v));
  const q = Math.round(c * 2 ** bits);
  return q < 0 ? q + p : q;
}

/** The signed integer in (-p/2, p/2] congruent to w mod p. */
export function centred(w: number, p: number): number {
  return w > p / 2 ? w - p : w;
}

export function addMod(a: number, b: number, p: number): number {
  const s = a + b;
  return s >= p ? s - p : s;
}

export function subMod(a: number, b: number, p: number): number {
  const s = a - b;
  return s < 0 ? s + p : s;
}

/** Sums of consecutive blocks of `blockLength` words mod p (the last block may be shorter only if words end). */
export function blockSums(words: Float64Array, blocks: number, blockLength: number, p: number): Float64Array {
  const out = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let s = 0;
    const end = (b + 1) * blockLength;
    for (let i = b * blockLength; i < end; i++) s = addMod(s, words[i]!, p); // end <= words.length (caller)
    out[b] = s;
  }
  return out;
}

/** `count` words uniform mod p from node:crypto (rejection sampling on ceil(log2 p)-bit values). */
export function uniformMod(p: number, count: number): Float64Array {
  const bits = Math.ceil(Math.log2(p));
  const top = 2 ** (bits - 32);
  const out = new Float64Array(count);
  let filled = 0;
  while (filled < count) {
    const bytes = randomBytes(8 * Math.max(64, count - filled));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let k = 0; k + 8 <= bytes.length && filled < count; k += 8) {
      const high = view.getUint32(k) % top; // top is a power of two dividing 2^32: uniform
      const v = high * 2 ** 32 + view.getUint32(k + 4);
      if (v < p) out[filled++] = v;
    }
  }
  return out;
}

/**
 * Masks for `blocks` blocks of `blockLength` slots, every slot uniform mod p, except that with `zeroSum` the last
 * slot of each block is chosen so that the block sums to 0 mod p (any blockLength - 1 slots stay uniform).
 */
export function blockMasks(p: number, blocks: number, blockLength: number, zeroSum: boolean): Float64Array {
  const masks = uniformMod(p, blocks * blockLength);
  if (zeroSum) {
    for (let b = 0; b < blocks; b++) {
      let s = 0;
      const last = (b + 1) * blockLength - 1;
      for (let i = b * blockLength; i < last; i++) s = addMod(s, masks[i]!, p); // i < last < masks.length
      masks[last] = subMod(0, s, p);
    }
  }
  return masks;
}
