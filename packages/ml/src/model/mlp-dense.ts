/**
 * z[r, :] = W·a[r, :] + bias for rows r < b of a fully connected layer: W is the row-major nOut × nIn matrix at
 * params[w0...], the biases at params[b0...]. Two rows times four outputs per pass over the inputs: each of the
 * six loads (two activations, four weights) feeds eight multiply-adds held in registers.
 */
export function denseForward(
  params: Float64Array,
  w0: number,
  b0: number,
  a: Float64Array,
  z: Float64Array,
  nIn: number,
  nOut: number,
  b: number,
): void {
  // Callers pass a and z of at least b rows and offsets inside params: every index below is in range.
  let r = 0;
  for (; r + 2 <= b; r += 2) {
    const x0 = r * nIn;
    const x1 = x0 + nIn;
    const z0 = r * nOut;
    const z1 = z0 + nOut;
    let o = 0;
    for (; o + 4 <= nOut; o += 4) {
      const p0 = w0 + o * nIn;
      const p1 = p0 + nIn;
      const p2 = p1 + nIn;
      const p3 = p2 + nIn;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let i = 0; i < nIn; i++) {
        const u = a[x0 + i]!;
        const v = a[x1 + i]!;
        const q0 = params[p0 + i]!;
        const q1 = params[p1 + i]!;
        const q2 = params[p2 + i]!;
        const q3 = params[p3 + i]!;
        s00 += q0 * u;
        s01 += q1 * u;
        s02 += q2 * u;
        s03 += q3 * u;
        s10 += q0 * v;
        s11 += q1 * v;
        s12 += q2 * v;
        s13 += q3 * v;
      }
      const c0 = params[b0 + o]!;
      const c1 = params[b0 + o + 1]!;
      const c2 = params[b0 + o + 2]!;
      const c3 = params[b0 + o + 3]!;
      z[z0 + o] = s00 + c0;
      z[z0 + o + 1] = s01 + c1;
      z[z0 + o + 2] = s02 + c2;
      z[z0 + o + 3] = s03 + c3;
      z[z1 + o] = s10 + c0;
      z[z1 + o + 1] = s11 + c1;
      z[z1 + o + 2] = s12 + c2;
      z[z1 + o + 3] = s13 + c3;
    }
    for (; o < nOut; o++) {
      const p = w0 + o * nIn;
      let s0 = 0;
      let s1 = 0;
      for (let i = 0; i < nIn; i++) {
        const q = params[p + i]!;
        s0 += q * a[x0 + i]!;
        s1 += q * a[x1 + i]!;
      }
      z[z0 + o] = s0 + params[b0 + o]!;
      z[z1 + o] = s1 + params[b0 + o]!;
    }
  }
  for (; r < b; r++) {
    const x0 = r * nIn;
    for (let o = 0; o < nOut; o++) {
      const p = w0 + o * nIn;
      let s = 0;
      for (let i = 0; i < nIn; i++) s += params[p + i]! * a[x0 + i]!;
      z[r * nOut + o] = s + params[b0 + o]!;
    }
  }
}
