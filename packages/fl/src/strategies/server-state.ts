import type { StrategyState } from '../strategy.js';

/** Named vectors as plain arrays, leaving out those not yet created (before the first aggregated round). */
export function exportVectors(vectors: Record<string, Float64Array | undefined>): StrategyState {
  const state: StrategyState = {};
  for (const [key, vector] of Object.entries(vectors)) if (vector !== undefined) state[key] = Array.from(vector);
  return state;
}

/**
 * Checks a state for `strategy` holding exactly the vectors `keys` (or none of them: the fresh state), all of one
 * length, finite and, for the keys in `nonNegative`, >= 0; returns copies, or undefined for the fresh state.
 */
export function importVectors(
  strategy: string,
  state: StrategyState,
  keys: readonly string[],
  nonNegative: readonly string[] = [],
): Float64Array[] | undefined {
  if (typeof state !== 'object' || state === null) throw new TypeError(`${strategy} state must be an object`);
  for (const key of Object.keys(state)) {
    if (!keys.includes(key))
      throw new Error(`unknown key '${key}' in ${strategy} state; known keys: ${keys.join(', ')}`);
  }
  const present = keys.filter((key) => state[key] !== undefined);
  if (present.length === 0) return undefined;
  const missing = keys.find((key) => state[key] === undefined);
  if (missing !== undefined) throw new Error(`${strategy} state has ${present.join(', ')} but lacks '${missing}'`);
  const vectors = keys.map((key) => {
    const values = state[key]!; // present, checked above
    if (!Array.isArray(values)) throw new TypeError(`${strategy} state '${key}' must be an array of numbers`);
    const floor = nonNegative.includes(key) ? 0 : -Infinity;
    const bad = values.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || x < floor);
    if (bad >= 0) {
      const want = floor === 0 ? 'finite and >= 0' : 'finite';
      throw new RangeError(`${strategy} state '${key}'[${bad}] must be ${want}, got ${String(values[bad])}`);
    }
    return Float64Array.from(values);
  });
  const length = vectors[0]!.length; // keys is non-empty, since present is
  const odd = vectors.findIndex((v) => v.length !== length);
  if (odd >= 0) {
    throw new RangeError(`${strategy} state '${keys[odd]}' has length ${vectors[odd]!.length}, '${keys[0]}' ${length}`);
  }
  return vectors;
}

/** Throws unless a state vector restored earlier fits the model it is applied to. */
export function checkStateLength(strategy: string, key: string, vector: Float64Array, model: Float64Array): void {
  if (vector.length !== model.length) {
    throw new RangeError(
      `${strategy} state '${key}' has length ${vector.length} but the global model has ${model.length}; ` +
        'restore the state saved with this model',
    );
  }
}
