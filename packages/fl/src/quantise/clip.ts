/** Scales `v` down (in a copy) so that its L2 norm is at most `bound`; reports the norm before clipping. */
export function clipL2(v: Float64Array, bound: number): { clipped: Float64Array; norm: number; wasClipped: boolean } {
  if (!(bound > 0)) throw new RangeError(`the L2 clipping bound must be positive, got ${bound}`);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!; // i < v.length
  const norm = Math.sqrt(s);
  const clipped = Float64Array.from(v);
  if (norm > bound) {
    const k = bound / norm;
    for (let i = 0; i < clipped.length; i++) clipped[i]! *= k;
  }
  return { clipped, norm, wasClipped: norm > bound };
}
