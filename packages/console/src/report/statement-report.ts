import { amountBars, amountsOverTimeChart, AMOUNTS_CHART_CSS } from './amounts-chart.js';
import { htmlDocument } from './query-report.js';
import { esc } from './svg.js';

/** One of the member's ledger entries on its statement. */
export interface StatementPageEntry {
  seq: number;
  timestamp: string;
  /** payout | refund (a sale's refund taken back from the member) */
  kind: string;
  job: string;
  /** '' for a job's own payout. */
  product: string;
  sale: string;
  amount: number;
  currency: string;
  share: number;
  method: string;
}

/** A sale the member's entries came from (the ledger's `sale` event). */
export interface StatementPageSale {
  id: string;
  product: string;
  buyer: string;
  amount: number;
  currency: string;
  timestamp: string;
  /** Refunded to the buyer so far (positive), from the ledger's buyer-refund events. */
  refunded: number;
  /** The member's net from this sale (its payout plus its refunds). */
  memberAmount: number;
}

export interface StatementPageTotal {
  currency: string;
  /** Sum of payouts (positive). */
  paid: number;
  /** Sum of refunds taken back (negative or 0). */
  refunded: number;
  net: number;
  entries: number;
}

/** What a member's statement page shows: its entries, the sales they came from, totals, and how it was checked. */
export interface StatementPageInput {
  /** The member's participant id. */
  member: string;
  /** A display name, when known. */
  name?: string;
  period: { from: string | null; to: string | null };
  entries: StatementPageEntry[];
  sales: StatementPageSale[];
  totals: StatementPageTotal[];
  ledger: { entries: number; head: string; coordinatorKey: string };
  /** The member's receipts checked against the ledger (absent when none were given). */
  receipts?: { ok: boolean; checked: number; summary: string };
  generatedAt?: string;
}

const table = (caption: string, head: string[], rows: string[][]): string =>
  `<table><caption>${esc(caption)}</caption><thead><tr>` +
  head.map((h, i) => `<th scope="col"${i === 0 ? ' class="g"' : ''}>${esc(h)}</th>`).join('') +
  `</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr><th scope="row">${esc(r[0])}</th>${r
          .slice(1)
          .map((c) => `<td>${esc(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>`;

/** A self-contained HTML page of a member's statement: amounts over time per currency, the entries, the sales. */
export function renderStatementReport(input: StatementPageInput): string {
  const who = input.name && input.name !== input.member ? `${input.name} (${input.member})` : input.member;
  const title = `Statement of ${who}`;
  const period =
    input.period.from || input.period.to
      ? `from ${input.period.from ?? 'the first entry'} to ${input.period.to ?? 'the last entry'}`
      : 'all entries';
  const currencies = [...new Set(input.entries.map((e) => e.currency))].sort();
  const charts = currencies.map((c) => {
    const { per, bars } = amountBars(input.entries.filter((e) => e.currency === c));
    return amountsOverTimeChart(c, bars, `Amounts paid to ${who} over time (${c})`, per);
  });
  const totals = table(
    'Totals per currency (minor units)',
    ['currency', 'paid', 'refunded', 'net', 'entries'],
    input.totals.map((t) => [t.currency, String(t.paid), String(t.refunded), String(t.net), String(t.entries)]),
  );
  const entries = table(
    'The ledger entries of this member',
    ['seq', 'time', 'kind', 'product / job', 'sale', 'share', 'amount'],
    input.entries.map((e) => [
      String(e.seq),
      e.timestamp,
      e.kind,
      e.product || e.job,
      e.sale || '(job payout)',
      e.kind === 'refund' ? '' : `${(e.share * 100).toFixed(2)}%`,
      `${e.amount} ${e.currency}`,
    ]),
  );
  const sales = input.sales.length
    ? table(
        'The sales these entries came from',
        ['sale', 'time', 'product', 'buyer', 'price', 'refunded to the buyer', "this member's net"],
        input.sales.map((s) => [
          s.id,
          s.timestamp,
          s.product,
          s.buyer,
          `${s.amount} ${s.currency}`,
          String(s.refunded),
          String(s.memberAmount),
        ]),
      )
    : '<p class="meta">No sale entries in this period.</p>';
  const receipts = input.receipts
    ? `<p class="${input.receipts.ok ? 'ok' : 'bad'}">Receipts: ${esc(input.receipts.summary)}</p>`
    : '<p class="meta">No receipts were given: pass <code>--receipts DIR</code> ' +
      "(written by <code>tessera participant receipts</code>) to check this statement against the node's own.</p>";
  // Ids, times and amounts are read whole: their cells do not wrap (a long header may).
  const body = `<style>${AMOUNTS_CHART_CSS}section.ids td, section.ids th[scope="row"] { white-space: nowrap; }</style>
<h1>${esc(title)}</h1>
<p class="meta">${esc(period)}; ${esc(input.entries.length)} entries of a ledger of ${esc(input.ledger.entries)}.</p>
<p class="privacy">The ledger's chain and every signature were checked before this statement was made: head
<code>${esc(input.ledger.head)}</code>, coordinator key <code>${esc(input.ledger.coordinatorKey)}</code>.</p>
${receipts}
<div class="charts">${charts.join('')}</div>
<section><h2>Totals</h2>
${totals}</section>
<section class="ids"><h2>Entries</h2>
${entries}</section>
<section class="ids"><h2>Sales</h2>
${sales}</section>
<section><h2>Check it yourself</h2>
<p class="meta">Offline, with the exported ledger and your node's receipts:
<code>tessera payouts statement --member ${esc(input.member)} --ledger ledger.jsonl --key ${esc(
    input.ledger.coordinatorKey,
  )} --receipts receipts/</code>.</p></section>
${input.generatedAt ? `<p class="meta">Generated ${esc(input.generatedAt)}.</p>` : ''}`;
  return htmlDocument(title, body);
}
