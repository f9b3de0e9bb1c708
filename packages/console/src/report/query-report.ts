/**
 * A self-contained HTML report of a federated analytics query result: inline SVG charts (no
 * scripts, fonts or network at view time), a table of the rows and a privacy statement.
 */
import { barChart, type Bar } from './bar-chart.js';
import { clampedBins, histogramChart, type Histogram } from './histogram-chart.js';
import { quantileChart, type Quantile } from './quantile-chart.js';
import { isCountColumn, roundNoisy } from './noisy.js';
import { esc, fmt } from './svg.js';
import { topKChart, type TopKItem } from './topk-chart.js';
import { REPORT_CSS } from './style.js';

export type { Histogram, Quantile, TopKItem };

export type QueryReportRow = Record<string, unknown> & {
  stddev: Record<string, number>;
  ci95: Record<string, [number, number]>;
};

export interface QueryReportInput {
  title?: string;
  /** The SQL text. */
  query: string;
  /** ISO date. */
  generatedAt: string;
  participants: number;
  /** Group columns (string values) and aggregates (numbers) keyed like 'COUNT(*)', 'AVG(order_value)' or aliases. */
  rows: QueryReportRow[];
  /** Which keys of a row are group columns. */
  groupColumns: string[];
  /** Which keys are aggregates, in order. */
  aggregates: string[];
  /** Groups hidden under the minimum count. */
  suppressed: number;
  histograms?: Record<string, Histogram>;
  quantiles?: Record<string, Quantile[]>;
  topK?: Record<string, TopKItem[]>;
  /** A null epsilon means no differential privacy. */
  privacy: {
    epsilon: number | null;
    delta: number | null;
    mode: string;
    noiseStd?: Record<string, number>;
    /** What the guarantee covers: one row (record) or one customer (userColumn, at most maxRowsPerUser rows each). */
    unit?: 'record' | 'customer';
    userColumn?: string;
    maxRowsPerUser?: number;
  };
  /** masked | sealed | none */
  secure: { mode: string };
}

/** Counts are shown as shares of their group (see shares()). */
const isCount = (aggregate: string): boolean => /^\s*count\s*\(/i.test(aggregate);

const groupLabel = (input: QueryReportInput, row: QueryReportRow): string =>
  input.groupColumns.length ? input.groupColumns.map((c) => String(row[c])).join(' · ') : 'all';

/**
 * Shares of a count per row: of the total, or with two or more group columns of the total within
 * the row's first group column (e.g. the share of each category within its region).
 */
function shares(input: QueryReportInput, aggregate: string): number[] {
  const first = input.groupColumns.length > 1 ? input.groupColumns[0] : undefined;
  const key = (row: QueryReportRow) => (first === undefined ? '' : String(row[first]));
  const totals = new Map<string, number>();
  for (const row of input.rows)
    totals.set(key(row), (totals.get(key(row)) ?? 0) + Math.max(0, Number(row[aggregate]) || 0));
  return input.rows.map((row) => Math.max(0, Number(row[aggregate]) || 0) / (totals.get(key(row)) || 1));
}

function aggregateCharts(input: QueryReportInput): string[] {
  return input.aggregates.map((agg) => {
    const share = isCount(agg) ? shares(input, agg) : undefined;
    const bars: Bar[] = input.rows
      .map((row, i) => ({
        label: groupLabel(input, row),
        value: Number(row[agg]),
        ci: row.ci95?.[agg],
        share: share?.[i],
      }))
      .filter((b) => Number.isFinite(b.value));
    const by = input.groupColumns.length ? ` by ${input.groupColumns.join(', ')}` : '';
    const of =
      share && input.groupColumns.length > 1
        ? ` (percentages: share within each ${input.groupColumns[0]})`
        : share
          ? ' (percentages: share of the total)'
          : '';
    return figure(
      barChart(agg, bars, `${agg}${by}, with 95% confidence intervals${of}`),
      `${agg}${by}. Error bars: 95% confidence interval${of}.`,
    );
  });
}

/** Whether numeric bin edges are unevenly spaced. */
const unequalBins = (h: Histogram): boolean => {
  const edges = h.edges ?? [];
  const widths = edges.slice(1).map((e, i) => e - edges[i]!); // edges[i] is the edge before e
  const first = widths[0];
  return first !== undefined && widths.some((w) => Math.abs(w - first) > 1e-9);
};

const UNEQUAL = ' (bins of unequal width are drawn equally wide)';

/** The caption's note on bins whose noisy count fell below zero. */
const clampNote = (h: Histogram): string => {
  const n = clampedBins(h);
  return n
    ? ` ${n} bin${n === 1 ? '' : 's'} with a negative noisy count ${n === 1 ? 'is' : 'are'} drawn at zero ` +
        '(the noise, not the data, made it negative).'
    : '';
};

function figure(chart: string, caption: string): string {
  return `<figure>${chart}<figcaption>${esc(caption)}</figcaption></figure>`;
}

/** A small two-column table with a caption. */
function pairTable(caption: string, head: [string, string], rows: [string, string][]): string {
  const body = rows.map(([a, b]) => `<tr><th scope="row">${esc(a)}</th><td>${esc(b)}</td></tr>`).join('');
  return (
    `<table><caption>${esc(caption)}</caption><thead><tr><th scope="col" class="g">${esc(head[0])}</th>` +
    `<th scope="col">${esc(head[1])}</th></tr></thead><tbody>${body}</tbody></table>`
  );
}

/** The histograms, quantiles and top items as tables, for a result with no scalar columns. */
function distributionTables(input: QueryReportInput): string {
  const tables: string[] = [];
  for (const [k, h] of Object.entries(input.histograms ?? {})) {
    const label = (i: number): string => {
      const [lo, hi] = [h.edges?.[i], h.edges?.[i + 1]];
      return lo !== undefined && hi !== undefined ? `${fmt(lo)}–${fmt(hi)}` : (h.categories?.[i] ?? `bin ${i + 1}`);
    };
    tables.push(
      pairTable(
        `Histogram of ${k} (noisy counts${clampedBins(h) ? '; a negative one is shown as 0, as drawn' : ''})`,
        ['bin', 'count'],
        h.counts.map((c, i) => [label(i), c < 0 ? `0 (noisy ${fmt(c)})` : fmt(c)]),
      ),
    );
  }
  for (const [k, q] of Object.entries(input.quantiles ?? {}))
    tables.push(
      pairTable(
        `Quantiles of ${k}`,
        ['q', 'value'],
        q.map((x) => [fmt(x.q), fmt(x.value)]),
      ),
    );
  for (const [k, t] of Object.entries(input.topK ?? {}))
    tables.push(
      pairTable(
        `Top ${t.length} of ${k}`,
        ['item', 'count'],
        t.map((x) => [x.item, fmt(x.count)]),
      ),
    );
  return tables.length ? tables.join('') : '<p>The query returned no values.</p>';
}

function table(input: QueryReportInput): string {
  if (!input.aggregates.length && !input.groupColumns.length) return distributionTables(input);
  const head =
    input.groupColumns.map((c) => `<th scope="col" class="g">${esc(c)}</th>`).join('') +
    input.aggregates.map((c) => `<th scope="col">${esc(c)}</th>`).join('');
  const body = input.rows
    .map((row) => {
      const groups = input.groupColumns.map((c) => `<th scope="row">${esc(row[c])}</th>`).join('');
      const aggs = input.aggregates
        .map((a) => {
          const sd = row.stddev?.[a];
          const ci = row.ci95?.[a];
          const tip = ci ? ` title="95% CI ${esc(fmt(ci[0]))} to ${esc(fmt(ci[1]))}"` : '';
          const value = row[a];
          if (typeof value === 'number' && sd !== undefined && sd > 0 && Number.isFinite(sd)) {
            const r = roundNoisy(value, sd, isCountColumn(a));
            return `<td${tip}>${esc(r.value)} <span class="sd">± sd ${esc(r.sd)}</span></td>`;
          }
          const v = typeof value === 'number' ? fmt(value) : esc(value ?? '–');
          return `<td${tip}>${v}${sd !== undefined ? ` <span class="sd">± sd ${esc(fmt(sd))}</span>` : ''}</td>`;
        })
        .join('');
      return `<tr>${groups}${aggs}</tr>`;
    })
    .join('');
  return (
    `<table><caption>All ${input.rows.length} result rows (value ± sd: one standard deviation of the noise, ` +
    'values rounded to what the noise supports; ' +
    `hover for the 95% confidence interval)</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
  );
}

const SECURE: Record<string, string> = {
  masked:
    'Secure aggregation (masked): ' +
    'every participant hid its contributions with pairwise masks that cancel only in the sum, ' +
    'so the coordinator saw the sum over the participants and never an individual participant\u2019s values.',
  sealed:
    'Sealed secure aggregation: participants encrypted their masked contributions under the analyst\u2019s key; ' +
    'the coordinator added ciphertexts without the secret key and saw neither individual values nor the sums. ' +
    'Only the analyst decrypted the aggregates.',
  none:
    'No secure aggregation: ' +
    'the coordinator saw each participant\u2019s contributions in plaintext before summing them.',
};

/** What one neighbouring data set differs by, in words. */
export function unitStatement(p: QueryReportInput['privacy']): string {
  if (p.unit === 'customer') {
    const rows = p.maxRowsPerUser === 1 ? 'one row' : `${p.maxRowsPerUser} rows`;
    return (
      `The guarantee covers each customer (unit customer): every participant kept at most ${rows} per customer, ` +
      `identified by column ${p.userColumn}, chosen at random by the participant itself, ` +
      'so adding or removing one customer\u2019s rows changes the result by no more than the noise allows for.'
    );
  }
  return (
    'The guarantee covers each single row (unit record); ' +
    'a customer with several rows is protected only as a group of rows, with a weaker guarantee.'
  );
}

function privacyStatement(input: QueryReportInput): string {
  const p = input.privacy;
  const parts: string[] = [];
  if (p.epsilon === null) {
    parts.push('No differential privacy: the aggregates are exact, with no noise added.');
  } else {
    const delta = p.delta === null || p.delta === 0 ? 'δ = 0 (pure ε-differential privacy)' : `δ = ${p.delta}`;
    parts.push(
      `Differential privacy (${p.mode}): this query spent ε = ${fmt(p.epsilon)} of the privacy budget, with ${delta}.`,
    );
    if (p.unit) parts.push(unitStatement(p));
  }
  const noise = Object.entries(p.noiseStd ?? {});
  if (noise.length)
    parts.push(
      `Noise scale (standard deviation) per aggregate: ${noise.map(([k, v]) => `${k} ${fmt(v)}`).join('; ')}.`,
    );
  parts.push(
    input.suppressed > 0
      ? `${input.suppressed} ${input.suppressed === 1 ? 'group was' : 'groups were'} suppressed: ` +
          'fewer records than the minimum count contributed to them, ' +
          'so publishing them could single out a participant or a customer.'
      : 'No groups were suppressed: every group reached the minimum count.',
  );
  const mode = input.secure.mode;
  const described = Object.hasOwn(SECURE, mode) ? SECURE[mode] : undefined; // own keys only, not "toString"
  parts.push(described ?? `Secure aggregation mode: ${mode}.`);
  return `<p class="privacy">${parts.map(esc).join(' ')}</p>`;
}

/** One query's part of a report: its header, privacy statement, charts and results table. */
function renderQuerySection(input: QueryReportInput, heading: 'h1' | 'h2'): string {
  const title = input.title?.trim() || 'Query report';
  const sub = heading === 'h1' ? 'h2' : 'h3';
  const sections: string[] = [];
  const section = (name: string, items: string[]) => {
    if (items.length)
      sections.push(`<section><${sub}>${esc(name)}</${sub}><div class="charts">${items.join('')}</div></section>`);
  };
  section('Aggregates', aggregateCharts(input));
  section(
    'Histograms',
    Object.entries(input.histograms ?? {}).map(([k, h]) =>
      figure(
        histogramChart(k, h, `Histogram of ${k}`),
        `Histogram of ${k}${unequalBins(h) ? UNEQUAL : ''}.${clampNote(h)}`,
      ),
    ),
  );
  section(
    'Quantiles',
    Object.entries(input.quantiles ?? {}).map(([k, q]) =>
      figure(quantileChart(k, q, `Quantiles of ${k}`), `Quantiles of ${k} (q against value).`),
    ),
  );
  section(
    'Top items',
    Object.entries(input.topK ?? {}).map(([k, t]) =>
      figure(topKChart(k, t, `Top ${t.length} of ${k}`), `Top ${t.length} of ${k} by count.`),
    ),
  );
  const suppressed = input.suppressed ? ` · ${esc(input.suppressed)} suppressed` : '';
  const meta =
    `Generated ${esc(input.generatedAt)} · ${esc(input.participants)} participants · ` +
    `${esc(input.rows.length)} groups${suppressed}`;
  return `<article>
<header>
<${heading}>${esc(title)}</${heading}>
<p class="meta">${meta}</p>
<pre class="sql"><code>${esc(input.query)}</code></pre>
</header>
<section><${sub}>Privacy</${sub}>${privacyStatement(input)}</section>
${sections.join('\n')}
<section><${sub}>Results</${sub}>${table(input)}</section>
</article>`;
}

/** A self-contained HTML page: inline styles only, no scripts, fonts or network at view time. */
export function htmlDocument(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** Renders a complete, self-contained HTML document for a query result. */
export function renderQueryReport(input: QueryReportInput): string {
  return htmlDocument(input.title?.trim() || 'Query report', renderQuerySection(input, 'h1'));
}

/**
 * Several query results on one self-contained page (a market-insight report), each with its own charts and privacy
 * statement.
 */
export function renderReportPage(title: string, inputs: readonly QueryReportInput[]): string {
  return htmlDocument(title, `<h1>${esc(title)}</h1>\n${inputs.map((i) => renderQuerySection(i, 'h2')).join('\n')}`);
}
