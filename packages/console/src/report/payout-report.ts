import type { PayoutsView } from '@tessera/sdk';
import { barChart, pct } from './bar-chart.js';
import { htmlDocument } from './query-report.js';
import { esc, fmt } from './svg.js';

export interface PayoutReportInput {
  jobId: string;
  payouts: PayoutsView;
  /** Display names by participant id (default: the ids). */
  names?: Readonly<Record<string, string>>;
  generatedAt?: string;
}

const METHOD: Record<string, string> = {
  records: 'in proportion to the records each contributed',
  loo: 'leave-one-out: what the model lost without each participant, round by round',
  shapley: 'exact Shapley values of the round-by-round coalition models',
  tmc: 'truncated Monte Carlo Shapley (Ghorbani and Zou 2019)',
  gtg: 'GTG-Shapley (Liu et al. 2022)',
};

const METRIC: Record<string, string> = {
  logLoss: "validation log loss (a value is how much a participant's updates lowered it)",
  auc: "validation AUC (a value is how much a participant's updates raised it)",
  accuracy: "validation accuracy (a value is how much a participant's updates raised it)",
};

/** A self-contained HTML page of a job's payout: shares and values as charts, the entries, and how to verify them. */
export function renderPayoutReport(input: PayoutReportInput): string {
  const p = input.payouts;
  const name = (id: string) => input.names?.[id] ?? id;
  const title = `Payout of job ${input.jobId}`;
  if (p.status !== 'paid') {
    return htmlDocument(
      title,
      `<h1>${esc(title)}</h1>\n<p class="meta">No payout was made (${esc(p.status)}): ${esc(p.reason ?? '')}</p>`,
    );
  }
  const amounts = barChart(
    `amount (${p.currency} minor units)`,
    p.entries.map((e) => ({ label: name(e.participant), value: e.amount, share: e.share })),
    'Share of the pool by participant',
  );
  const values = barChart(
    `contribution value (${p.metric === 'logLoss' ? 'log loss lowered' : `${p.metric} gained`})`,
    p.entries.map((e) => ({ label: name(e.participant), value: e.value })),
    'Value of each contribution',
  );
  const rows = p.entries
    .map(
      (e) =>
        `<tr><th scope="row">${esc(name(e.participant))}</th>` +
        `<td>${esc(fmt(e.value))}</td><td>${esc(pct(e.share))}</td>` +
        `<td>${esc(e.amount)}</td><td>${esc(e.seq ?? '')}</td></tr>`,
    )
    .join('');
  const unpaid = p.entries.filter((e) => e.amount === 0).map((e) => name(e.participant));
  // The page's prose, named so that the template below keeps to the page's structure.
  const seconds = p.valuationSeconds !== undefined ? ` in ${esc(p.valuationSeconds.toFixed(2))} s` : '';
  const evaluated = p.evaluations !== undefined ? ` (${esc(p.evaluations)} coalition models evaluated${seconds})` : '';
  const here = unpaid.length ? ` (here: ${esc(unpaid.join(', '))})` : '';
  const split =
    `A pool of <strong>${esc(p.pool)} ${esc(p.currency)}</strong> (minor units) ` +
    `split by ${esc(METHOD[p.method] ?? p.method)},\n` +
    `measured on the job's ${esc(METRIC[p.metric] ?? p.metric)}${evaluated}.\n` +
    'Amounts are whole minor units that sum to the pool exactly (largest-remainder rounding); ' +
    `a participant whose value is zero or negative is paid nothing${here}.`;
  const columns =
    '<th scope="col" class="g">participant</th><th scope="col">value</th><th scope="col">share</th>' +
    '<th scope="col">amount</th><th scope="col">ledger seq</th>';
  const table =
    `<table><caption>One signed ledger entry per participant</caption><thead><tr>${columns}</tr></thead>` +
    `<tbody>${rows}</tbody></table>`;
  const verify =
    "Each entry is chained to the previous one by SHA-256 and signed with the coordinator's Ed25519 key\n" +
    `<code>${esc(p.coordinatorPublicKey)}</code>; ` +
    `the newest entry of this payout has hash <code>${esc(p.ledgerHead ?? '')}</code>.\n` +
    'Anyone with the exported ledger can check it offline: ' +
    `<code>tessera ledger verify ledger.jsonl --key ${esc(p.coordinatorPublicKey)}</code>.`;
  const revealed =
    'To value the contributions, each participant disclosed its per-round model updates (not its rows) ' +
    'to the coordinator,\nunder the <code>valuation</code> purpose of its consent policy; ' +
    "the values above are themselves coarse statistics of each participant's data quality.";
  const body = `<h1>${esc(title)}</h1>
<p class="privacy">${split}</p>
<div class="charts">${amounts}${values}</div>
<section><h2>Ledger entries</h2>
${table}
<p class="meta">${verify}</p></section>
<section><h2>What valuation revealed</h2>
<p class="meta">${revealed}</p></section>
${input.generatedAt ? `<p class="meta">Generated ${esc(input.generatedAt)}.</p>` : ''}`;
  return htmlDocument(title, body);
}
