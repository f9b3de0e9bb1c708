import type { Command } from 'commander';
import { DEFAULT_PARTICIPANT_CONFIG } from '../context.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

/** `tessera participant audit`: what this node's data was used for, its budgets and the audit chain's state. */
export function registerParticipantAudit(cmd: Command): void {
  cmd
    .command('audit')
    .description(
      "show what this node's data was used for, " +
        'the differential privacy spent and the hash-chained audit log, from its own ledger',
    )
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option(
      '--verify',
      "recompute the audit log's hash chain; " +
        'exit 1 naming the first bad entry if a row was edited, deleted or inserted',
    )
    .option(
      '--json',
      'print {ledger, datasets:[{dataset, budget, spentEpsilon, remainingEpsilon, releases, jobs}], ' +
        'uses:[{at, dataset, jobId, stage, round, rows}], ' +
        'log:[{id, formatVersion, kind, at, jobId, round, stage, purpose, dataset, columns, rows, epsilon, ' +
        'analyst, grantId, reason, prevHash, hash}], ' +
        'chain:{ok, entries, head, formatVersion | badId, problem}, receipts:[...]}',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant audit
  $ tessera participant audit --verify
  $ tessera participant audit --config ./node-b/participant.yaml --json

Budgets are set per data set in the config file, e.g.
  datasets:
    customers: { type: csv, path: ./customers.csv, budget: { epsilon: 8, delta: 1e-5, unit: record } }
The node refuses any task that would spend beyond them, before it reads the data.

Every admitted use of the data and every refusal is appended to a hash-chained log in the
ledger (each entry's hash covers the previous entry's hash). So is each answer to a sale of a
product built from the data (what: sale; job: the sale id; the reason starts with accepted: or
refused: and names the product, buyer, amount and currency) and each kept payout or refund of
a sale (what: receipt; purpose: payout or refund; the reason names the amount, sale and product).
--verify recomputes the chain and prints the head hash: note it somewhere else, since deleting
the newest entries is only detectable against a head hash noted earlier.`,
    )
    .action(async (o: { config: string; json?: boolean; verify?: boolean }) => {
      const { loadParticipantConfig, auditParticipant } = await import('@tessera/participant');
      const audit = auditParticipant(loadParticipantConfig(o.config));
      const broken = !audit.chain.ok;
      if (o.verify && broken) process.exitCode = 1;
      if (o.json) return printJson(audit);
      const chainLine = audit.chain.ok
        ? `audit log: ${audit.chain.entries} entries, chain intact; head hash ${audit.chain.head}`
        : `audit log: chain BROKEN at entry ${audit.chain.badId}: ${audit.chain.problem}`;
      if (o.verify) {
        if (broken)
          process.stderr.write(
            `error: ${chainLine.replace('audit log: chain BROKEN', "the audit log's hash chain is broken")}\n`,
          );
        else
          process.stdout.write(
            `${chainLine}\nnote the head hash elsewhere: deleting the newest entries can only be detected against it\n`,
          );
        return;
      }
      const out = [`ledger: ${audit.ledger}`, ''];
      out.push(
        renderTable(
          ['data set', 'budget', 'spent epsilon', 'remaining', 'releases', 'jobs'],
          audit.datasets.map((d) => [
            d.dataset,
            d.budget ? `epsilon ${d.budget.epsilon}, delta ${d.budget.delta}, ${d.budget.unit}` : 'none',
            d.spentEpsilon,
            d.remainingEpsilon ?? 'unlimited',
            d.releases,
            d.jobs.length,
          ]),
        ),
      );
      out.push('');
      out.push(
        audit.uses.length
          ? renderTable(
              ['when', 'data set', 'job', 'stage', 'round', 'rows'],
              audit.uses.map((u) => [new Date(u.at).toISOString(), u.dataset, u.jobId, u.stage, u.round, u.rows]),
            )
          : 'no recorded use of the data',
      );
      if (audit.log.length) {
        out.push('');
        out.push(
          renderTable(
            [
              '#',
              'when',
              'what',
              'job',
              'round',
              'stage',
              'purpose',
              'data set',
              'rows',
              'epsilon',
              'analyst',
              'grant',
              'columns / reason',
            ],
            audit.log.map((e) => [
              e.id,
              new Date(e.at).toISOString(),
              e.kind,
              e.jobId,
              e.kind === 'revocation' || e.kind === 'receipt' ? '' : e.round,
              e.stage,
              e.purpose,
              e.dataset,
              e.kind === 'use' ? e.rows : '',
              e.kind === 'use' ? e.epsilon : '',
              e.analyst ? `${e.analyst.slice(0, 8)}…` : '',
              e.grantId,
              e.kind === 'use' ? e.columns.join(', ') : e.reason,
            ]),
          ),
        );
      }
      if (audit.receipts.length) out.push('', `payout receipts: ${audit.receipts.length} (see --json)`);
      out.push('', chainLine);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
