/** The merchant's privacy budgets: per data set, the epsilon allowed, spent so far and left, from the node's ledger. */
import { auditParticipant, type DatasetAudit } from '@tessera/participant';
import { page, table } from '../http/page.js';
import { esc, fmt } from '../report/svg.js';
import { MERCHANT_NAV, type ParticipantConsoleContext } from './participant-context.js';

export function registerBudgetsPage({ config, console: c }: ParticipantConsoleContext): void {
  c.app.get('/budgets', async (request, reply) => {
    const session = c.require(request, 'merchant');
    const { datasets } = auditParticipant(config);
    const body =
      `<div class="cards">${datasets.map(card).join('')}</div>` +
      table(
        ['Data set', 'Budget', 'Spent epsilon', 'Remaining epsilon', 'Releases', 'Jobs'],
        datasets.map((d) => {
          const n = esc(d.dataset);
          return [
            `<code>${n}</code>`,
            d.budget
              ? esc(`epsilon ${d.budget.epsilon}, delta ${d.budget.delta}, per ${d.budget.unit}`)
              : '<span class="bad">none: served without differential privacy</span>',
            `<span data-testid="budget-${n}-spent">${esc(fmt(d.spentEpsilon))}</span>`,
            `<span data-testid="budget-${n}-remaining">${
              d.remainingEpsilon === null ? 'unlimited' : esc(fmt(d.remainingEpsilon))
            }</span>`,
            `<span data-testid="budget-${n}-releases">${d.releases}</span>`,
            String(d.jobs.length),
          ];
        }),
        'this node serves no data set',
      ) +
      '<p class="meta">Budgets are set per data set in the participant config (budget: {epsilon, delta, unit}); ' +
      'the node refuses any task that would spend beyond them, before it reads the data.</p>';
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: 'Privacy budgets', nav: MERCHANT_NAV, session, body }));
  });
}

function card(d: DatasetAudit): string {
  const total = d.budget ? ` / ${esc(fmt(d.budget.epsilon))}` : '';
  return `<div class="card"><div class="meta">${esc(d.dataset)}: epsilon spent</div><div class="n">${esc(
    fmt(d.spentEpsilon),
  )}${total}</div></div>`;
}
