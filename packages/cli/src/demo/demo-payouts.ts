// The demo's payout: the split the job made, named by participant, and the exported ledger.
import { writeFileSync } from 'node:fs';
import type { JobView, LocalFederation, PayoutsView } from '@tessera/sdk';
import { renderPayoutReport } from '@tessera/console/report';

export interface DemoPayoutOptions {
  pool: number;
  currency: string;
  /** records, loo, shapley (exact), tmc or gtg; default shapley up to 8 participants, gtg beyond. */
  valuation?: string;
  /** Write the exported ledger (JSON Lines) here. */
  ledgerOut?: string;
  /** Write an HTML report of the payout (charts of shares and values, the entries, how to verify) here. */
  reportOut?: string;
}

export interface DemoPayouts {
  method: string;
  pool: number;
  currency: string;
  entries: { participant: string; name: string; value: number; share: number; amount: number }[];
  ledgerHead: string;
  coordinatorPublicKey: string;
  ledgerFile: string | null;
  evaluations: number | null;
  valuationSeconds: number | null;
}

/** The job's split, named by participant, and the exported ledger (written to `ledgerOut`). */
export async function collectPayouts(fed: LocalFederation, job: JobView, o: DemoPayoutOptions): Promise<DemoPayouts> {
  const p: PayoutsView | undefined = job.payouts;
  if (p?.status !== 'paid') throw new Error(`the payout was not made: ${p?.reason ?? 'the job reported no payout'}`);
  const names = new Map(fed.participants.map((x) => [x.id, x.name]));
  const ledger = await fed.analyst.exportLedger();
  if (o.ledgerOut) writeFileSync(o.ledgerOut, ledger.lines.map((l) => `${l}\n`).join(''));
  if (o.reportOut)
    writeFileSync(
      o.reportOut,
      renderPayoutReport({
        jobId: job.id,
        payouts: p,
        names: Object.fromEntries(names),
        generatedAt: new Date().toISOString(),
      }),
    );
  return {
    method: p.method,
    pool: p.pool,
    currency: p.currency,
    // In the federation's order (participant k holds shard k), not the ledger's order (by participant id).
    entries: fed.participants
      .flatMap((x) => p.entries.filter((e) => e.participant === x.id))
      .map((e) => ({
        participant: e.participant,
        name: names.get(e.participant) ?? e.participant,
        value: e.value,
        share: e.share,
        amount: e.amount,
      })),
    ledgerHead: ledger.head,
    coordinatorPublicKey: ledger.coordinatorKey,
    ledgerFile: o.ledgerOut ?? null,
    evaluations: p.evaluations ?? null,
    valuationSeconds: p.valuationSeconds ?? null,
  };
}
