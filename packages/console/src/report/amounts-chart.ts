import { esc, fmt, niceTicks, r, rect, scale, svg, tickSpan, text, yAxis } from './svg.js';

/** One day's amounts: their sum (negative when refunds outweigh payouts) and how many entries made it. */
export interface DayAmount {
  /** YYYY-MM-DD (UTC). */
  day: string;
  amount: number;
  entries: number;
}

/** The amounts of ledger entries summed per UTC day, in day order (days without entries left out). */
export function dailyAmounts(entries: readonly { timestamp: string; amount: number }[]): DayAmount[] {
  const days = new Map<string, DayAmount>();
  for (const e of entries) {
    const day = e.timestamp.slice(0, 10);
    const d = days.get(day) ?? { day, amount: 0, entries: 0 };
    d.amount += e.amount;
    d.entries++;
    days.set(day, d);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/**
 * Amounts over time: a bar per day (below the axis for a day of net refunds) and the running total as a line with a
 * point per day, on one axis in minor units.
 */
export function amountsOverTimeChart(currency: string, days: readonly DayAmount[], title: string): string {
  const width = Math.max(560, Math.min(960, 120 + days.length * 40));
  const rotate = days.length > 8;
  const [top, left, right, bottom] = [28, 72, 16, rotate ? 72 : 40];
  const height = 300 + (rotate ? 32 : 0);
  let running = 0;
  const cumulative = days.map((d) => (running += d.amount));
  const values = [...days.map((d) => d.amount), ...cumulative];
  const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values));
  const y = scale(...tickSpan(ticks), height - bottom, top);
  const slot = (width - left - right) / Math.max(days.length, 1);
  const bw = Math.min(48, slot * 0.6);
  let body = yAxis(ticks, y, left, width - right);
  days.forEach((d, i) => {
    const cx = left + slot * (i + 0.5);
    const tip = `${d.day}: ${fmt(d.amount)} ${currency} (${d.entries} entries), total ${fmt(cumulative[i]!)}`;
    body += rect(cx - bw / 2, y(0), bw, y(d.amount) - y(0), d.amount < 0 ? 'bar neg' : 'bar', tip);
    const ly = height - bottom + 14;
    body += rotate
      ? text(cx, ly, d.day, `class="cat" text-anchor="end" transform="rotate(-40 ${r(cx)} ${r(ly)})"`)
      : text(cx, ly, d.day, 'class="cat" text-anchor="middle"');
  });
  const points = cumulative.map((c, i) => [left + slot * (i + 0.5), y(c)] as const);
  if (points.length)
    body += `<path class="cum" d="${points.map(([px, py], i) => `${i ? 'L' : 'M'}${r(px)} ${r(py)}`).join('')}"/>`;
  points.forEach(([px, py], i) => {
    body +=
      `<circle class="cumpt" cx="${r(px)}" cy="${r(py)}" r="4">` +
      `<title>${esc(`${days[i]!.day}: running total ${fmt(cumulative[i]!)} ${currency}`)}</title></circle>`;
  });
  if (points.length) {
    const [lx, ly] = points[points.length - 1]!;
    body += text(lx + 6, ly - 6, fmt(cumulative[cumulative.length - 1]!), 'class="val"');
  }
  body += text(left, 16, `${currency} (minor units): per day (bars), running total (line)`, 'class="series"');
  return svg({ width, height, title, data: { chart: 'amounts-over-time', series: currency } }, body);
}

/** The chart's own styles (bars of refunds, the running-total line), added to a page's stylesheet. */
export const AMOUNTS_CHART_CSS = `
svg .bar.neg { fill: #c0504d; }
svg .cum { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .cumpt { fill: #fff; stroke: var(--accent); stroke-width: 2; }
.ok { color: #2f7a2f; font-weight: 600; }
.bad { color: #b0302c; font-weight: 600; }
`;
