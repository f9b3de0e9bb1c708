/** One precision rule for noisy values: round to the order of magnitude of the noise, and label the ±. */

/** The legend printed under any table that shows a ±. */
export const SD_LEGEND = '± sd is one standard deviation of the noise; values are rounded to what the noise supports';

/** Whether an output column holds a count, which is always shown as a whole number. */
export function isCountColumn(name: string): boolean {
  return /^count\s*\(/i.test(name.trim());
}

/** The power of ten a value with noise `sd` is rounded to (counts never below 1). */
function roundingPower(sd: number, count: boolean): number {
  const k = Math.floor(Math.log10(sd));
  return count ? Math.max(k, 0) : k;
}

function roundTo(v: number, k: number): string {
  if (k < 0) return v.toFixed(-k);
  const step = 10 ** k;
  const r = Math.round(v / step) * step;
  return String(Object.is(r, -0) ? 0 : r);
}

/**
 * A noisy value as text, e.g. `1235 ± sd 7` or `12.35 ± sd 0.03`: the sd is shown to one significant
 * figure and the value to the same place. Without noise (sd 0 or absent) counts are whole numbers and other
 * values keep four decimals. JSON output is never passed through this.
 */
export function formatNoisy(value: number, sd: number | undefined, count = false): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (sd === undefined || !(sd > 0) || !Number.isFinite(sd)) {
    if (count) return String(Math.round(value));
    return Number.isInteger(value) ? String(value) : value.toFixed(4);
  }
  const r = roundNoisy(value, sd, count);
  return `${r.value} ± sd ${r.sd}`;
}

/** A noisy value and its sd (> 0) as text, both rounded to the place of the sd's first significant figure. */
export function roundNoisy(value: number, sd: number, count = false): { value: string; sd: string } {
  const k = roundingPower(sd, count);
  const sdText = roundTo(sd, k);
  return { value: roundTo(value, k), sd: Number(sdText) === 0 ? '< 1' : sdText };
}
