import type { ItemFactors } from './factors.js';

/**
 * The item factors as one vector, as tasks carry them to participants and rounds store them: the factors
 * (count x k, item-major), then the biases (count). With `state`, BPR's Adagrad accumulator follows (count x (k + 1)),
 * which only the coordinator keeps.
 */
export function itemModelVector(items: ItemFactors, state = false): Float64Array {
  const { count, k } = items;
  const withState = state && items.accumulator !== undefined;
  const out = new Float64Array(count * (k + 1) + (withState ? count * (k + 1) : 0));
  out.set(items.factors, 0);
  out.set(items.biases, count * k);
  if (withState) out.set(items.accumulator!, count * (k + 1));
  return out;
}

/** The item factors back from `itemModelVector`'s layout; refuses a vector of another length, naming both. */
export function itemsFromModelVector(vector: Float64Array, count: number, k: number): ItemFactors {
  const plain = count * (k + 1);
  if (vector.length !== plain && vector.length !== 2 * plain)
    throw new RangeError(
      `an item model for ${count} items with k = ${k} has ${plain} values (or ${2 * plain} with optimiser state), ` +
        `got ${vector.length}`,
    );
  for (let i = 0; i < vector.length; i++)
    if (!Number.isFinite(vector[i]!)) throw new RangeError(`item model value ${i} is ${vector[i]}, not finite`);
  return {
    k,
    count,
    factors: vector.slice(0, count * k),
    biases: vector.slice(count * k, plain),
    ...(vector.length === 2 * plain ? { accumulator: vector.slice(plain) } : {}),
  };
}
