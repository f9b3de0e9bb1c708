import { randomBytes } from 'node:crypto';

/** n uniform words mod p from node:crypto (rejection sampling on 32-bit draws, no modulo bias). */
export function randomWords(n: number, p: number): Uint32Array {
  const out = new Uint32Array(n);
  const limit = 2 ** 32 - (2 ** 32 % p);
  let filled = 0;
  while (filled < n) {
    const draw = new Uint32Array(randomBytes(4 * (n - filled + 16)).buffer);
    for (let i = 0; i < draw.length && filled < n; i++) if (draw[i] < limit) out[filled++] = draw[i] % p;
  }
  return out;
}

/** Uniform doubles in [lo, hi) from node:crypto (53 random bits each). */
export function randomDoubles(n: number, lo: number, hi: number): Float64Array {
  const words = new Uint32Array(randomBytes(8 * n).buffer);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++)
    out[i] = lo + (hi - lo) * (((words[2 * i] >>> 5) * 67108864 + (words[2 * i + 1] >>> 6)) / 9007199254740992);
  return out;
}
