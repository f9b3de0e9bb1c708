export const MiB = 1024 * 1024;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  // The two middle values (one and the same for an odd count), undefined when there are none.
  const lower = s[Math.ceil(s.length / 2) - 1];
  const upper = s[Math.floor(s.length / 2)];
  if (lower === undefined || upper === undefined) return Number.NaN;
  return lower === upper ? lower : (lower + upper) / 2;
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
