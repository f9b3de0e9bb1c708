import type { Random } from '@tessera/ml';
import { clipL2 } from './clip.js';
import { checkModulus, fromRing, toRing } from './ring.js';
import { stochasticRound } from './stochastic-round.js';

/**
 * Fixed-point integer encoding of weighted model updates for secure aggregation. A participant
 * clips its delta to L2 norm `clip`, multiplies it by its weight w in [0, 1], and sends
 * [w·delta_1..d, w] with each value scaled so that ±clip (and weight 1) maps to ±(2^(bits-1) - 1),
 * rounded stochastically (unbiased) into the ring. The sum of n such vectors decodes exactly to
 * the sum of the rounded values as long as n·(2^(bits-1) - 1) < modulus/2, which `checkUpdateCodec`
 * enforces before a job starts.
 *
 * With `uniformWeights` (participant-level DP: every participant weighs 1 and decoding divides by
 * the public survivor count) the weight coordinate is sent as 0, so it adds nothing to the
 * sensitivity: one participant's vector then has L2 norm below 2^(bits-1) - 1 + sqrt(d), the
 * second term the rounding overshoot (releaseSensitivity, kind participant-fit).
 */
export interface UpdateCodec {
  bits: number;
  clip: number;
  modulus: number;
  /** Send the weight coordinate as 0 (the weight must then be 1). */
  uniformWeights?: boolean;
}

export class QuantisationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantisationError';
  }
}

const maxLevel = (bits: number) => 2 ** (bits - 1) - 1;

/** Refuses settings whose sum over `participants` could wrap the ring, naming the knob to change. */
export function checkUpdateCodec(c: UpdateCodec, participants: number): void {
  checkModulus(c.modulus);
  if (!Number.isInteger(c.bits) || c.bits < 2 || c.bits > 31)
    throw new QuantisationError(`secure.bits must be an integer from 2 to 31, got ${c.bits}`);
  if (!(c.clip > 0)) throw new QuantisationError(`secure.clip must be positive, got ${c.clip}`);
  const worst = participants * maxLevel(c.bits);
  if (worst >= c.modulus / 2) {
    const maxBits = Math.floor(Math.log2(c.modulus / 2 / participants)) + 1;
    throw new QuantisationError(
      `${participants} participants x 2^${c.bits - 1} levels per coordinate can wrap the ring mod ` +
        `2^${Math.log2(c.modulus).toFixed(0)}; ` +
        `lower secure.bits to ${Math.max(2, maxBits - 1)} or fewer, or run with fewer participants per round`,
    );
  }
}

export function encodeUpdate(
  delta: Float64Array,
  weight: number,
  c: UpdateCodec,
  rng: Random,
): { words: Uint32Array; clipped: boolean; norm: number } {
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`the update weight must be in [0, 1], got ${weight}`);
  // The weight would reveal the participant's row count: not echoed.
  if (c.uniformWeights && weight !== 1)
    throw new RangeError(
      'with uniform weights (participant-level differential privacy) every update must weigh 1: ' +
        'a task that sets a weight cap is refused',
    );
  const { clipped, norm, wasClipped } = clipL2(delta, c.clip);
  const level = maxLevel(c.bits);
  const scale = level / c.clip;
  const words = new Uint32Array(delta.length + 1);
  for (let i = 0; i < clipped.length; i++) {
    const q = Math.max(-level, Math.min(level, stochasticRound(clipped[i]! * weight * scale, rng))); // i < length
    words[i] = toRing(q, c.modulus);
  }
  words[delta.length] = c.uniformWeights ? 0 : toRing(Math.min(level, stochasticRound(weight * level, rng)), c.modulus);
  return { words, clipped: wasClipped, norm };
}

/** Decodes a ring sum of encoded updates into Σ w·delta and Σ w. */
export function decodeUpdateSum(sum: Uint32Array, c: UpdateCodec): { weightedSum: Float64Array; totalWeight: number } {
  const level = maxLevel(c.bits);
  const d = sum.length - 1;
  if (d < 0) throw new RangeError('an update sum holds at least its weight coordinate; got an empty vector');
  const weightedSum = new Float64Array(d);
  const unscale = c.clip / level;
  for (let i = 0; i < d; i++) weightedSum[i] = fromRing(sum[i]!, c.modulus) * unscale; // i < d < sum.length
  return { weightedSum, totalWeight: fromRing(sum[d]!, c.modulus) / level };
}
