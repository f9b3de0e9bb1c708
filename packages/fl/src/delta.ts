/** local - global, the update a participant sends. */
export function deltaOf(local: Float64Array, global: Float64Array): Float64Array {
  if (local.length !== global.length)
    throw new RangeError(`local model has length ${local.length}, global has ${global.length}`);
  const delta = new Float64Array(local.length);
  for (let j = 0; j < delta.length; j++) delta[j] = local[j]! - global[j]!; // all three have the same length
  return delta;
}
