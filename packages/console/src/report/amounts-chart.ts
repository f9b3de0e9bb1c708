import { esc, fmt, niceTicks, r, rect, scale, svg, tickSpan, text, yAxis } from './svg.js';

/** One bar's amounts (a day's, or one entry's): their sum (negative when refunds outweigh payouts) and count. */
export interface DayAmount {
  /** The bar's label: YYYY-MM-DD (UTC) for a day, HH:MM:SS (UTC) for one entry of a single day. */
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

/** At most this many entries of a single day get a bar each; more are summed per day. */
export const MAX_ENTRY_BARS = 60;

/**
 * The chart's bars: per UTC day; but when every entry falls on one day (a fresh trust, the demo) a single daily bar
 * would say nothing of the payouts and refunds, so each entry gets its own bar (labelled by its UTC time) unless
 * there are more than MAX_ENTRY_BARS of them. `per` says what a bar is, for the chart's legend.
 */
export function amountBars(entries: readonly { timestamp: string; amount: number }[]): {
  per: string;
  bars: DayAmount[];
} {
  const days = dailyAmounts(entries);
  if (days.length !== 1 || entries.length < 2 || entries.length > MAX_ENTRY_BARS) return { per: 'per day', bars: days };
  const ordered = [...entries].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return {
    per: `per entry on ${days[0]!.day} (UTC)`,
    bars: ordered.map((e) => ({ day: e.timestamp.slice(11, 19), amount: e.amount, entries: 1 })),
  };
}

/**
 * Amounts over time: a bar per day, or per entry (amountBars; below the axis for net refunds), and the running total
 * as a line with a point per bar, on one axis in minor units. `per` says what a bar is (the legend's words).
 */
export function amountsOverTimeChart(
  currency: string,
  days: readonly DayAmount[],
  title: string,
  per = 'per day',
): string {
  const width = Math.max(660, Math.min(960, 120 + days.length * 40));
  const rotate = days.length > 8;
  // The top leaves room under the legend for the running total's label.
  const [top, left, right, bottom] = [44, 72, 16, rotate ? 72 : 40];
  const height = 316 + (rotate ? 32 : 0);
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
    const what = d.entries === 1 ? '1 entry' : `${d.entries} entries`;
    const tip = `${d.day}: ${fmt(d.amount)} ${currency} (${what}), total ${fmt(cumulative[i]!)}`;
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
  body += text(left, 16, `${currency} (minor units): ${per} (bars), running total (line)`, 'class="series"');
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
