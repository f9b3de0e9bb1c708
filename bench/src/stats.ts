export const MiB = 1024 * 1024;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Rounds to `digits` decimals (for JSON output that stays readable). */
export function fixed(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export const kibToMiB = (kib: number) => fixed(kib / 1024, 1);
export const bytesToMiB = (bytes: number) => fixed(bytes / MiB, 2);

/** Seconds since `t`, a performance.now() reading. */
export const secondsSince = (t: number) => (performance.now() - t) / 1000;
