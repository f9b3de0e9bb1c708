import type { Command } from 'commander';
import { connectionOptions } from '../context.js';
import { withConnection } from '../commands/job.js';
import { printJson } from '../ui/output.js';
import { ledgerFrom, type LedgerFlags } from './ledger-source.js';
import { reconcileReport, renderReconcile } from './reconcile-report.js';

/** `tessera payouts reconcile`: verify the ledger, then check every sale's money exactly. */
export function registerReconcile(cmd: Command): void {
  withConnection(cmd.command('reconcile'))
    .description(
      "check the trust's books exactly: per currency and per sale, what buyers paid (sales less refunds to them) " +
        'against what members were paid (payouts less refunds); verifies the ledger first',
    )
    .option('--ledger <file.jsonl>', 'an exported ledger to reconcile offline (default: ask the coordinator)')
    .option('--key <hex>', "the coordinator's Ed25519 public key (required with --ledger)")
    .option(
      '--json',
      'print {balanced, entries, currencies:[{currency, sales, buyerRefunds, salesNet, paid, refunded, paidNet, ' +
        'difference, balanced, jobPayouts}], sales:[{sale, product, buyer, price, ..., balanced}], problems, ' +
        'unbalancedSales, ledger}',
    )
    .addHelpText(
      'after',
      `
Sums are exact (whole minor units, no rounding). Exits 0 when every currency and every sale balances, 1 when
the ledger does not verify or does not balance, naming the sales at fault. Jobs' own payouts (from a training
job's pool, not a sale) are listed apart.

Examples:
  $ tessera payouts reconcile
  $ tessera payouts reconcile --json
  $ tessera payouts reconcile --ledger ledger.jsonl --key <coordinatorPublicKey>
${connectionOptions}`,
    )
    .action(async (o: LedgerFlags) => {
      const { ledger } = await ledgerFrom(o);
      const report = await reconcileReport(ledger);
      if (o.json) printJson(report);
      else process.stdout.write(renderReconcile(report));
      if (!report.balanced) process.exitCode = 1;
    });
}
