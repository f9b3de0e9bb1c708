import { esc, fmt, niceTicks, r, scale, svg, tickSpan, text, xAxis, yAxis } from './svg.js';

export interface Quantile {
  q: number;
  value: number;
}

/** Quantiles as points at (q, value), joined by a line; q runs over [0, 1]. */
export function quantileChart(name: string, qs: Quantile[], title: string): string {
  const [width, height] = [480, 280];
  const [top, left, right, bottom] = [28, 64, 20, 44];
  const pts = [...qs].sort((a, b) => a.q - b.q);
  const vals = pts.map((p) => p.value);
  const yt = niceTicks(Math.min(...vals), Math.max(...vals));
  const xt = [0, 0.25, 0.5, 0.75, 1];
  const x = scale(0, 1, left, width - right);
  const y = scale(...tickSpan(yt), height - bottom, top);
  let body = yAxis(yt, y, left, width - right) + xAxis(xt, x, height - bottom, top, (v) => `q${Math.round(v * 100)}`);
  body += `<path class="qline" d="${pts.map((p, i) => `${i ? 'L' : 'M'}${r(x(p.q))} ${r(y(p.value))}`).join('')}"/>`;
  for (const p of pts) {
    body +=
      `<circle class="qpt" cx="${r(x(p.q))}" cy="${r(y(p.value))}" ` +
      `r="4"><title>${esc(`q=${p.q}: ${fmt(p.value)}`)}</title></circle>`;
    body += text(x(p.q) + 6, y(p.value) - 6, fmt(p.value), 'class="val"');
  }
  body += text(left, 16, name, 'class="series"');
  return svg({ width, height, title, data: { chart: 'quantiles', series: name } }, body);
}
