/**
 * /jobs/:id/payouts: how the job's payout was split, with the ledger's verification status (data-testid
 * ledger-status: "verified", or what failed); /jobs/:id/payouts/report: the self-contained payout report page.
 */
import type { PayoutsView } from '@tessera/sdk';
import { ConsoleError } from '../../http/console-error.js';
import { page, table } from '../../http/page.js';
import { REPORT_CSP } from '../../http/security-headers.js';
import { barChart, pct } from '../../report/bar-chart.js';
import { renderPayoutReport } from '../../report/payout-report.js';
import { esc, fmt } from '../../report/svg.js';
import { ANALYST_NAV, type CoordinatorConsoleContext } from '../console-context.js';
import { ledgerStatusOf } from './ledger-status.js';
import { requireOwnJob } from './own-job.js';
import type { JobRecord } from '@tessera/coordinator';

function payoutsOf(job: JobRecord): PayoutsView {
  const payouts = (JSON.parse(job.contextJson || '{}') as { payouts?: PayoutsView }).payouts;
  if (!payouts)
    throw new ConsoleError(
      'NOT_FOUND',
      `job ${job.id} has no payout${job.status === 'completed' ? '' : ` yet (it is ${job.status})`}: ` +
        'a payout is made after training, when the spec has a payout pool',
    );
  return payouts;
}

export function registerPayoutPage({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/jobs/:id/payouts', async (request, reply) => {
    const { session, job } = await requireOwnJob(c, coordinator, request);
    const p = payoutsOf(job);
    const names = new Map((await coordinator.store.listParticipants()).map((x) => [x.id, x.name]));
    const name = (id: string) => names.get(id) ?? id;
    const base = `/jobs/${encodeURIComponent(job.id)}`;
    let body: string;
    if (p.status !== 'paid') {
      body =
        `<p class="meta" data-testid="payout-status">No payout was made (${esc(p.status)}): ` +
        `${esc(p.reason ?? '')}</p>`;
    } else {
      const status = await ledgerStatusOf(coordinator, job.id, p);
      const verdict = status.ok
        ? `<p><span class="ok" data-testid="ledger-status">verified</span>: ${esc(String(status.entries))} signed ` +
          `ledger entries of this job, in an intact chain up to head <code>${esc(status.head)}</code>.</p>`
        : `<p><span class="bad" data-testid="ledger-status">not verified</span>: ${esc(status.reason)}</p>`;
      const amounts = barChart(
        `amount (${p.currency} minor units)`,
        p.entries.map((e) => ({ label: name(e.participant), value: e.amount, share: e.share })),
        'Share of the pool by participant',
      );
      body = `${verdict}
<p data-testid="payout-status">A pool of <strong>${esc(String(p.pool))} ${esc(p.currency)}</strong> (minor units)
split by ${esc(p.method)} on the job's ${esc(p.metric)}.</p>
<div class="charts"><figure>${amounts}</figure></div>
${table(
  ['Participant', 'Value', 'Share', 'Amount', 'Ledger seq'],
  p.entries.map((e) => [
    esc(name(e.participant)),
    esc(fmt(e.value)),
    esc(pct(e.share)),
    `<span data-testid="amount-${esc(e.participant)}">${esc(String(e.amount))}</span>`,
    esc(String(e.seq ?? '')),
  ]),
)}
<p class="meta">Coordinator ledger key <code>${esc(p.coordinatorPublicKey)}</code>. Check it offline:
<code>tessera ledger export --job ${esc(job.id)} --out ledger.jsonl</code>, then
<code>tessera ledger verify ledger.jsonl --key ${esc(p.coordinatorPublicKey)} --first-seq N</code>.</p>`;
    }
    body += `<p><a href="${esc(base)}/payouts/report">Payout report (self-contained page)</a> ·
<a href="${esc(base)}">Back to the job</a></p>`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: `Payouts of ${job.name || job.id}`, nav: ANALYST_NAV, session, body }));
  });

  c.app.get('/jobs/:id/payouts/report', async (request, reply) => {
    const { job } = await requireOwnJob(c, coordinator, request);
    const p = payoutsOf(job);
    const names = Object.fromEntries((await coordinator.store.listParticipants()).map((x) => [x.id, x.name]));
    const html = renderPayoutReport({
      jobId: job.id,
      payouts: p,
      names,
      generatedAt: new Date(job.updatedAt).toISOString(),
    });
    return reply.header('content-security-policy', REPORT_CSP).type('text/html; charset=utf-8').send(html);
  });
}
