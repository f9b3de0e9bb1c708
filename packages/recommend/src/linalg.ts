/** Entries in the packed upper triangle of a symmetric n x n matrix (row-major: (0,0), (0,1), ..., (1,1), ...). */
export function packedLength(n: number): number {
  return (n * (n + 1)) / 2;
}

/** Adds w * v v^T to the packed upper triangle starting at `at`. */
export function addOuterPacked(out: Float64Array, at: number, v: ArrayLike<number>, w: number): void {
  const n = v.length;
  let p = at;
  for (let a = 0; a < n; a++) {
    const wa = w * v[a]!;
    for (let b = a; b < n; b++) out[p++]! += wa * v[b]!;
  }
}

/** Sum of squares of the packed entries of v v^T (how v v^T counts in the L2 norm of a packed vector). */
export function packedOuterSquares(v: ArrayLike<number>): number {
  let s = 0;
  for (let a = 0; a < v.length; a++) for (let b = a; b < v.length; b++) s += (v[a]! * v[b]!) ** 2;
  return s;
}

/** Adds the packed symmetric matrix at `at` into the full n x n row-major `full`. */
export function addUnpacked(full: Float64Array, n: number, packed: Float64Array, at: number): void {
  let p = at;
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      const v = packed[p++]!;
      full[a * n + b]! += v;
      if (b !== a) full[b * n + a]! += v;
    }
  }
}

/**
 * Solves A x = b for symmetric positive definite A (n x n, row-major; overwritten by its Cholesky factor),
 * writing x into `out`. Throws when A is not positive definite (e.g. noise made a normal matrix indefinite).
 */
export function choleskySolve(A: Float64Array, n: number, b: ArrayLike<number>, out: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let p = 0; p < j; p++) d -= A[j * n + p]! ** 2;
    if (!(d > 0)) throw new RangeError(`matrix is not positive definite at pivot ${j} (${d}); raise lambda`);
    const l = Math.sqrt(d);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let p = 0; p < j; p++) s -= A[i * n + p]! * A[j * n + p]!;
      A[i * n + j] = s / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= A[i * n + p]! * out[p]!;
    out[i] = s / A[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = out[i]!;
    for (let p = i + 1; p < n; p++) s -= A[p * n + i]! * out[p]!;
    out[i] = s / A[i * n + i]!;
  }
}
