import { clip, fmt, line, niceTicks, r, rect, scale, svg, tickSpan, text, yAxis } from './svg.js';

export interface Bar {
  label: string;
  value: number;
  /** 95% confidence interval, drawn as an error bar. */
  ci?: [number, number];
  /** A share in [0, 1], printed above the bar as a percentage instead of the value. */
  share?: number;
}

/** A vertical bar chart of one aggregate across the groups, with 95% CI error bars. */
export function barChart(series: string, bars: Bar[], title: string): string {
  const width = Math.max(360, Math.min(900, 80 + bars.length * 48));
  const rotate = bars.length > 6 || bars.some((b) => b.label.length > 10);
  const [top, left, right, bottom] = [28, 64, 16, rotate ? 96 : 40];
  const height = 300 + (rotate ? 56 : 0);
  const values = bars.flatMap((b) => [b.value, ...(b.ci ?? [])]).filter(Number.isFinite);
  const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values));
  const y = scale(...tickSpan(ticks), height - bottom, top);
  const slot = (width - left - right) / Math.max(bars.length, 1);
  const bw = Math.min(56, slot * 0.7);
  let body = yAxis(ticks, y, left, width - right);
  bars.forEach((b, i) => {
    const cx = left + slot * (i + 0.5);
    const tip =
      `${b.label}: ${fmt(b.value)}` +
      (b.ci ? ` (95% CI ${fmt(b.ci[0])} to ${fmt(b.ci[1])})` : '') +
      (b.share !== undefined ? `, ${pct(b.share)}` : '');
    body += rect(cx - bw / 2, y(0), bw, y(b.value) - y(0), 'bar', tip);
    if (b.ci) {
      const [lo, hi] = [y(b.ci[0]), y(b.ci[1])];
      body +=
        line(cx, lo, cx, hi, 'err') +
        line(cx - bw / 5, lo, cx + bw / 5, lo, 'err') +
        line(cx - bw / 5, hi, cx + bw / 5, hi, 'err');
    }
    const labelTop = Math.min(y(b.value), b.ci ? y(b.ci[1]) : Infinity, y(0)) - 5;
    body += text(cx, labelTop, b.share !== undefined ? pct(b.share) : fmt(b.value), 'class="val" text-anchor="middle"');
    const ly = height - bottom + 14;
    body += rotate
      ? text(cx, ly, clip(b.label, 24), `class="cat" text-anchor="end" transform="rotate(-40 ${r(cx)} ${r(ly)})"`)
      : text(cx, ly, clip(b.label, 12), 'class="cat" text-anchor="middle"');
  });
  body += text(left, 16, series, 'class="series"');
  return svg({ width, height, title, data: { chart: 'bar', series } }, body);
}

export const pct = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
