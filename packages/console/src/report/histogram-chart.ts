import { clip, fmt, line, niceTicks, rect, scale, svg, tickSpan, text, yAxis } from './svg.js';

export interface Histogram {
  /** Numeric bin edges (counts.length + 1 of them). */
  edges?: number[];
  /** Or one category per bin. */
  categories?: string[];
  counts: number[];
}

/** How many bins have a negative noisy count (drawn at zero). */
export const clampedBins = (h: Histogram): number => h.counts.filter((c) => c < 0).length;

/** A histogram: adjacent bars, one per bin, labelled with the bin edges or categories; negative counts at zero. */
export function histogramChart(name: string, h: Histogram, title: string): string {
  const n = h.counts.length;
  const width = Math.max(360, Math.min(900, 80 + n * 40));
  const height = 280;
  const [top, left, right, bottom] = [28, 64, 16, 44];
  // Noise can push a bin's count below zero; no bin holds fewer than zero rows, so it is drawn at zero.
  const shown = h.counts.map((c) => Math.max(0, c));
  const ticks = niceTicks(0, Math.max(0, ...shown));
  const y = scale(...tickSpan(ticks), height - bottom, top);
  const bw = (width - left - right) / Math.max(n, 1);
  const numeric = !!h.edges && h.edges.length === n + 1;
  const binLabel = (i: number): string => {
    const [lo, hi] = [h.edges?.[i], h.edges?.[i + 1]];
    return numeric && lo !== undefined && hi !== undefined
      ? `${fmt(lo)}–${fmt(hi)}`
      : (h.categories?.[i] ?? `bin ${i + 1}`);
  };
  let body = yAxis(ticks, y, left, width - right);
  h.counts.forEach((c, i) => {
    const x = left + i * bw;
    const tip = c < 0 ? `${binLabel(i)}: 0 (noisy count ${fmt(c)}, drawn at zero)` : `${binLabel(i)}: ${fmt(c)}`;
    body += rect(x + 1, y(0), bw - 2, y(shown[i] ?? 0) - y(0), 'bar hist', tip);
    if (!numeric)
      body += text(
        x + bw / 2,
        height - bottom + 16,
        clip(binLabel(i), Math.max(3, Math.floor(bw / 7))),
        'class="cat" text-anchor="middle"',
      );
  });
  if (numeric) {
    const every = Math.ceil((n + 1) / 12);
    h.edges!.forEach((e, i) => {
      if (i % every === 0 || i === n)
        body += text(left + i * bw, height - bottom + 16, fmt(e), `class="tick" text-anchor="middle"`);
    });
  }
  body += text(left, 16, name, 'class="series"');
  body += line(left, y(0), width - right, y(0), 'axis');
  return svg({ width, height, title, data: { chart: 'histogram', series: name } }, body);
}
