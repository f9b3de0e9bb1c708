import type { Random } from '@tessera/crypto';
import type { WeightSlot } from './flat-weights.js';

/** Weights whose Keras default initialiser is ones (batch normalisation's scale and variance). */
const ONES = /(^|\/)(gamma|moving_variance)(_\d+)?$/;

/**
 * Starting parameters drawn from `rng` instead of the layers' own initialisers (which draw from tfjs's
 * Math.random-seeded generator, so a seeded job would start differently on every participant):
 * every weight of rank >= 2 (kernels) is Glorot-uniform, U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), where
 * fan_in = shape[-2] × receptive field and fan_out = shape[-1] × receptive field (Keras's convention);
 * batch normalisation's gamma and moving_variance are 1; every other weight (biases, beta, moving_mean) is 0.
 * Values are drawn slot by slot in model.weights order, each row-major.
 */
export function glorotInit(slots: readonly WeightSlot[], size: number, rng: Random): Float64Array {
  const params = new Float64Array(size);
  for (const s of slots) {
    if (s.shape.length >= 2) {
      const receptive = s.shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = s.shape.at(-2)! * receptive;
      const fanOut = s.shape.at(-1)! * receptive;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let j = 0; j < s.length; j++) params[s.offset + j] = (2 * rng.float() - 1) * limit;
    } else if (ONES.test(s.name)) {
      params.fill(1, s.offset, s.offset + s.length);
    }
  }
  return params;
}
