/**
 * A job's charts by round, as inline SVG drawn on the server: the loss, each task metric the rounds report (accuracy,
 * AUC, macro-F1, RMSE...) and the seconds each round took. Each has a data-testid: chart-loss, chart-<metric>,
 * chart-seconds.
 */
import { barChart } from '../../report/bar-chart.js';
import { esc, fmt, niceTicks, r, scale, svg, text, tickSpan, xAxis, yAxis } from '../../report/svg.js';
import type { RoundRow } from './job-data.js';

interface Point {
  round: number;
  value: number;
}

/** The test id of a metric's chart: chart-loss, chart-accuracy, chart-macroF1... (letters and digits kept). */
export const chartTestId = (metric: string): string => `chart-${metric.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The completed rounds' values of each metric, by round (a retried round counts once, its last attempt). */
export function metricSeries(history: readonly RoundRow[]): Map<string, Point[]> {
  const byMetric = new Map<string, Map<number, number>>();
  for (const h of history) {
    if (h.status !== 'completed') continue;
    for (const [name, value] of Object.entries(h.metrics)) {
      if (!Number.isFinite(value)) continue;
      if (!byMetric.has(name)) byMetric.set(name, new Map());
      byMetric.get(name)!.set(h.round, value);
    }
  }
  // The loss first, then the other metrics by name.
  const names = [...byMetric.keys()].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
  return new Map(
    names.map((n) => [n, [...byMetric.get(n)!].map(([round, value]) => ({ round, value })).sort(byRound)]),
  );
}

const byRound = (a: Point, b: Point) => a.round - b.round;

/** A metric by round: points joined by a line, rounds on the x axis. */
export function roundLineChart(metric: string, points: readonly Point[]): string {
  const [width, height] = [480, 280];
  const [top, left, right, bottom] = [28, 64, 20, 44];
  const values = points.map((p) => p.value);
  const yt = niceTicks(Math.min(...values), Math.max(...values));
  const first = points[0]?.round ?? 0;
  const last = Math.max(points.at(-1)?.round ?? 1, first + 1);
  const xt = roundTicks(first, last);
  const x = scale(first, last, left, width - right);
  const y = scale(...tickSpan(yt), height - bottom, top);
  let body = yAxis(yt, y, left, width - right) + xAxis(xt, x, height - bottom, top, (v) => String(v));
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${r(x(p.round))} ${r(y(p.value))}`).join('');
  body += `<path class="qline" d="${path}"/>`;
  for (const p of points)
    body +=
      `<circle class="qpt" cx="${r(x(p.round))}" cy="${r(y(p.value))}" r="3">` +
      `<title>${esc(`round ${p.round}: ${fmt(p.value)}`)}</title></circle>`;
  const latest = points.at(-1);
  if (latest)
    body += text(x(latest.round) - 4, y(latest.value) - 8, fmt(latest.value), 'class="val" text-anchor="end"');
  body += text(left, 16, `${metric} by round`, 'class="series"');
  return svg(
    {
      width,
      height,
      title: `${metric} by round`,
      data: { chart: 'line', series: metric, testid: chartTestId(metric) },
    },
    body,
  );
}

/** Whole-round ticks from first to last, about six of them. */
function roundTicks(first: number, last: number): number[] {
  const step = Math.max(1, Math.ceil((last - first) / 6));
  const ticks: number[] = [];
  for (let t = first; t < last; t += step) ticks.push(t);
  ticks.push(last);
  return ticks;
}

/** The seconds each completed round took, as bars (setup stages by their stage's name). */
export function secondsChart(history: readonly RoundRow[]): string {
  const done = history.filter((h) => h.status === 'completed');
  const bars = done.map((h) => ({
    label: h.stage === 'fit' ? String(h.round) : `${h.stage}${h.round ? ` ${h.round}` : ''}`,
    value: h.seconds,
  }));
  return barChart('seconds', bars, 'Seconds per round').replace('<svg ', `<svg data-testid="chart-seconds" `);
}

/**
 * Metrics about the protocol rather than the model (how the round ran): shown as a table under the charts, not
 * charted, so the charts are the loss, the task's metrics and the seconds.
 */
export function isProtocolMetric(name: string): boolean {
  return /^secagg_|_seconds$|^(degree|threshold|participants|rejected|evaluated_examples)$/.test(name);
}

/** Every chart of the job's rounds so far, or a line saying there are none yet; protocol figures in a table. */
export function roundCharts(history: readonly RoundRow[]): string {
  const series = [...metricSeries(history)];
  const figures = series
    .filter(([metric]) => !isProtocolMetric(metric))
    .map(([metric, points]) => `<figure>${roundLineChart(metric, points)}</figure>`);
  if (history.some((h) => h.status === 'completed')) figures.push(`<figure>${secondsChart(history)}</figure>`);
  if (!figures.length) return '<p class="empty" data-testid="charts-empty">no round has completed yet</p>';
  return `<div class="charts" data-testid="round-charts">${figures.join('')}</div>${protocolTable(
    series.filter(([metric]) => isProtocolMetric(metric)),
  )}`;
}

/** The protocol's figures by round (secure aggregation timings, graph degree, threshold...), folded away. */
function protocolTable(series: readonly (readonly [string, Point[]])[]): string {
  if (!series.length) return '';
  const rounds = [...new Set(series.flatMap(([, points]) => points.map((p) => p.round)))].sort((a, b) => a - b);
  const head = ['Round', ...series.map(([m]) => m)].map((h) => `<th>${esc(h)}</th>`).join('');
  const rows = rounds
    .map(
      (round) =>
        `<tr><td>${round}</td>${series
          .map(([, points]) => `<td>${esc(fmtOr(points.find((p) => p.round === round)?.value))}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  return `<details data-testid="protocol-table"><summary>How each round ran (secure aggregation, thresholds)</summary>
<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></details>`;
}

const fmtOr = (v: number | undefined) => (v === undefined ? '–' : fmt(v));
