/** Tiny shared helpers for the inline SVG charts of the query report (no chart library). */

/** Escapes text for HTML and SVG text content and attribute values. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A number for display: up to 4 significant digits, thousands grouped, no exponent for ordinary values. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e12)) return n.toExponential(2);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return FORMATS[digits]!.format(n);
}

/**
 * One formatter per number of fraction digits: toLocaleString builds a new one at every call (about 25 µs), which
 * made a job page with 1,000 rounds of charts take ~400 ms to render (bench: console).
 */
const FORMATS = [0, 1, 2, 3].map((d) => new Intl.NumberFormat('en-US', { maximumFractionDigits: d }));

/** Rounds a coordinate to 2 decimals so the markup stays small. */
export const r = (n: number): string => String(Math.round(n * 100) / 100);

/**
 * About `count` evenly spaced "nice" tick values (1, 2, 5 × 10^k) covering [min, max]. A range too narrow to step
 * through in floating point (values a few units in the last place apart, as a plateaued metric gives) is widened to
 * [value, value + 1] as equal values are; the loop runs over an integer index, so it ends whatever the input.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (!(max - min > Math.max(1e-9 * Math.max(Math.abs(min), Math.abs(max)), 1e-300)))
    max = min + Math.max(1, Math.abs(min) * 0.1);
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  const first = Math.floor(min / step);
  for (let i = 0; i <= MAX_TICKS; i++) {
    const t = Number(((first + i) * step).toPrecision(12));
    if (t > max + step * 1e-9) break;
    ticks.push(t);
  }
  // Rounding (a quotient that underflows, the 12 digits kept) may leave an end inside the range: extend it.
  if (ticks[0] !== undefined && ticks[0] > min) ticks.unshift(ticks[0] - step);
  const last = ticks[ticks.length - 1];
  if (last !== undefined && last < max) ticks.push(last + step);
  return ticks;
}

/** No axis needs more ticks than this (a bound, whatever the input). */
const MAX_TICKS = 100;

/** The first and last tick: the span of an axis (NaN for no ticks, which niceTicks gives for a non-finite range). */
export function tickSpan(ticks: number[]): [number, number] {
  return [ticks[0] ?? Number.NaN, ticks[ticks.length - 1] ?? Number.NaN];
}

/** A linear map from the domain [d0, d1] to the range [r0, r1]. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

export interface SvgOptions {
  width: number;
  height: number;
  title: string;
  /** data-* attributes, e.g. { chart: 'bar', series: 'COUNT(*)' }. */
  data: Record<string, string>;
}

/** An accessible inline <svg>: role="img", aria-label, a <title>, and data-* attributes for tests. */
export function svg(o: SvgOptions, body: string): string {
  const data = Object.entries(o.data)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  return (
    `<svg class="chart" viewBox="0 0 ${o.width} ${o.height}" width="${o.width}" height="${o.height}" role="img" ` +
    `aria-label="${esc(o.title)}"${data}><title>${esc(o.title)}</title>${body}</svg>`
  );
}

export function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r(x)}" y="${r(y)}"${attrs ? ` ${attrs}` : ''}>${esc(s)}</text>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, cls: string): string {
  return `<line class="${cls}" x1="${r(x1)}" y1="${r(y1)}" x2="${r(x2)}" y2="${r(y2)}"/>`;
}

/** A rectangle with a hover tooltip (<title>); negative sizes are normalised. */
export function rect(x: number, y: number, w: number, h: number, cls: string, tip: string): string {
  const [x0, w0] = w < 0 ? [x + w, -w] : [x, w];
  const [y0, h0] = h < 0 ? [y + h, -h] : [y, h];
  return (
    `<rect class="${cls}" x="${r(x0)}" y="${r(y0)}" width="${r(w0)}" ` +
    `height="${r(Math.max(h0, 0.5))}"><title>${esc(tip)}</title></rect>`
  );
}

/** A vertical value axis at x with gridlines across to xEnd. */
export function yAxis(
  ticks: number[],
  y: (v: number) => number,
  x: number,
  xEnd: number,
  label = (v: number) => fmt(v),
): string {
  const [first, last] = tickSpan(ticks);
  return (
    ticks
      .map((t) => line(x, y(t), xEnd, y(t), 'grid') + text(x - 6, y(t) + 4, label(t), 'class="tick" text-anchor="end"'))
      .join('') + line(x, y(first), x, y(last), 'axis')
  );
}

/** A horizontal value axis at y with gridlines up to yTop. */
export function xAxis(
  ticks: number[],
  x: (v: number) => number,
  y: number,
  yTop: number,
  label = (v: number) => fmt(v),
): string {
  const [first, last] = tickSpan(ticks);
  return (
    ticks
      .map((t) => line(x(t), y, x(t), yTop, 'grid') + text(x(t), y + 16, label(t), 'class="tick" text-anchor="middle"'))
      .join('') + line(x(first), y, x(last), y, 'axis')
  );
}

/** Shortens a label to at most n characters (the full text stays in the tooltip). */
export function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
