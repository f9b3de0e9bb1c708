import { clip, fmt, line, niceTicks, rect, scale, svg, tickSpan, text, yAxis } from './svg.js';

export interface Histogram {
  /** Numeric bin edges (counts.length + 1 of them). */
  edges?: number[];
  /** Or one category per bin. */
  categories?: string[];
  counts: number[];
}

/** A histogram: adjacent bars, one per bin, labelled with the bin edges or categories. */
export function histogramChart(name: string, h: Histogram, title: string): string {
  const n = h.counts.length;
  const width = Math.max(360, Math.min(900, 80 + n * 40));
  const height = 280;
  const [top, left, right, bottom] = [28, 64, 16, 44];
  const ticks = niceTicks(Math.min(0, ...h.counts), Math.max(0, ...h.counts));
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
    body += rect(x + 1, y(0), bw - 2, y(c) - y(0), 'bar hist', `${binLabel(i)}: ${fmt(c)}`);
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
