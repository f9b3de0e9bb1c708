import { clip, fmt, niceTicks, rect, scale, svg, tickSpan, text, xAxis } from './svg.js';

export interface TopKItem {
  item: string;
  count: number;
}

/** The top-k items as horizontal bars, largest first. */
export function topKChart(name: string, items: TopKItem[], title: string): string {
  const sorted = [...items].sort((a, b) => b.count - a.count);
  const [top, left, right, bottom, row] = [28, 150, 56, 30, 26];
  const width = 560;
  const height = top + bottom + row * Math.max(sorted.length, 1);
  const ticks = niceTicks(Math.min(0, ...sorted.map((i) => i.count)), Math.max(0, ...sorted.map((i) => i.count)), 4);
  const x = scale(...tickSpan(ticks), left, width - right);
  let body = xAxis(ticks, x, height - bottom, top);
  sorted.forEach((it, i) => {
    const yc = top + row * (i + 0.5);
    body += rect(x(0), yc - row * 0.35, x(it.count) - x(0), row * 0.7, 'bar topk', `${it.item}: ${fmt(it.count)}`);
    body += text(left - 8, yc + 4, clip(it.item, 22), 'class="cat" text-anchor="end"');
    body += text(Math.max(x(it.count), x(0)) + 5, yc + 4, fmt(it.count), 'class="val"');
  });
  body += text(8, 16, name, 'class="series"');
  return svg({ width, height, title, data: { chart: 'topk', series: name } }, body);
}
