import { logisticInit } from '@tessera/ml';
import { resolveValuation } from '@tessera/jobs';
import { splitPool } from '@tessera/payouts';
import { tessera } from '@tessera/proto';
import { valueTraining } from '../../../payouts/job-valuation.js';
import { runStage } from '../../../rounds/stage.js';
import { ValuationCollector, type DisclosedRound } from '../../../rounds/valuation-collector.js';
import type { PayoutsView } from '../../job-context.js';
import type { TrainingRun } from './training-run.js';

const pb = tessera.v1;

/**
 * The data-trust payout after training: contributors disclose their updates, the coordinator values them, splits the
 * pool exactly and appends it to the signed ledger (never twice).
 */
export class PayoutSettlement {
  constructor(private readonly r: TrainingRun) {}

  /**
   * A coordinator that stopped between writing a job's ledger entries and recording its payout view
   * must not pay twice: the entries already in the ledger are the payout.
   */
  private async restorePayout(base: Omit<PayoutsView, 'status' | 'entries'>): Promise<boolean> {
    const rows = await this.r.store.ledgerRows(this.r.jobId);
    const last = rows.at(-1);
    if (!last) return false;
    const entries = rows.map(
      (r) => JSON.parse(r.line) as { participant: string; amount: number; share: number; seq: number; method: string },
    );
    await this.r.saveContext({
      payouts: {
        ...base,
        method: entries[0]?.method ?? base.method,
        status: 'paid',
        reason: 'restored from the ledger after a restart (values were not kept)',
        entries: entries.map((e) => ({
          participant: e.participant,
          value: e.share,
          share: e.share,
          amount: e.amount,
          seq: e.seq,
        })),
        ledgerHead: last.hash,
      },
    });
    this.r.publish('payout already in the ledger (restored after a restart)');
    return true;
  }

  /**
   * Data-trust payout: every contributor discloses its per-round updates (if its consent policy
   * grants valuation), the coordinator values the contributions on the job's validation rows, splits
   * the pool exactly, appends the split to the signed ledger and sends each participant its receipt.
   * Without every contributor's consent (or answer) nothing is valued and nothing is paid.
   */
  async settlePayout(): Promise<void> {
    const payout = this.r.spec.payout!;
    const contributors = this.r.context.contributors ?? [];
    const base = {
      method: payout.valuation,
      metric: payout.metric,
      pool: payout.pool,
      currency: payout.currency,
      coordinatorPublicKey: this.r.ledger?.publicKeyHex ?? '',
    };
    const give = async (status: PayoutsView['status'], reason: string) => {
      await this.r.saveContext({ payouts: { ...base, status, reason, entries: [] } });
      this.r.publish(`payout not made: ${reason}`);
    };
    if (!this.r.ledger) return give('failed', 'this coordinator has no payout ledger');
    if (await this.restorePayout(base)) return;
    if (contributors.length === 0) return give('failed', 'no participant contributed to a completed round');
    const key = this.r.taskKey(this.r.spec.rounds, pb.Stage.VALUATE);
    const byId = new Map(this.r.registry.serving(this.r.spec.dataset).map((s) => [s.participantId, s]));
    const missing = contributors.filter((id) => !byId.has(id));
    if (missing.length)
      return give(
        'failed',
        `contributors ${missing.join(', ')} are not connected to disclose their updates for valuation`,
      );
    const d = this.r.context.featureNames!.length + 1;
    this.r.publish(
      `valuing contributions (${resolveValuation(payout.valuation, contributors.length)}, ${payout.metric} ` +
        `on ${payout.validation.source})`,
    );
    const outcome = await runStage<Map<number, DisclosedRound>>({
      key,
      sessions: contributors.map((id) => byId.get(id)!),
      deadlineMs: this.r.spec.roundTimeoutSeconds * 1000,
      signal: this.r.signal,
      request: () => ({ message: { task: this.r.baseTask(key) } }),
      collector: (_s, settle) => new ValuationCollector(key, settle, d, this.r.spec.rounds),
    });
    this.r.checkNotCancelled();
    await this.r.noteRefusals('valuate', this.r.spec.rounds, outcome);
    if (outcome.failures.size) {
      const refused = [...outcome.failures.keys()].every((id) => outcome.refusals.has(id));
      return give(
        refused ? 'refused' : 'failed',
        `valuation runs only with every contributor's updates: ${this.r.failureSummary(outcome.failures)}`,
      );
    }
    // Valuation replays the rounds from each round's stored starting model (read before it starts).
    const models = new Map<number, Float64Array>();
    for (let t = 2; t <= this.r.spec.rounds; t++) {
      const m = await this.r.store.loadModel(this.r.jobId, t - 1);
      if (m) models.set(t, m);
    }
    const started = performance.now();
    let report;
    try {
      report = valueTraining({
        payout,
        schema: this.r.context.schema!,
        standardisation: this.r.context.standardisation!,
        rounds: this.r.spec.rounds,
        startModel: (t) => (t === 1 ? logisticInit(d - 1) : models.get(t)!),
        strategy: this.r.strategy,
        participants: contributors,
        disclosed: outcome.results,
        seed: this.r.jobId,
        weightOf: (n) =>
          this.r.secure
            ? Math.min(this.r.strategy.contributionWeight(n), this.r.weightCap())
            : this.r.strategy.contributionWeight(n),
      });
    } catch (e) {
      return give('failed', `valuation failed: ${(e as Error).message}`);
    }
    const split = splitPool(
      payout.pool,
      payout.currency,
      contributors.map((participant, i) => ({ participant, value: report.values[i] ?? 0 })),
    );
    const timestamp = new Date().toISOString();
    const entries = await this.r.ledger.append(
      split.entries.map((e) => ({
        job: this.r.jobId,
        participant: e.participant,
        amount: e.amount,
        currency: split.currency,
        method: report.method,
        share: e.share,
        timestamp,
      })),
    );
    await this.r.saveContext({
      payouts: {
        ...base,
        method: report.method,
        status: 'paid',
        evaluations: report.evaluations,
        valuationSeconds: (performance.now() - started) / 1000,
        entries: split.entries.map((e, i) => ({ ...e, seq: entries[i]?.seq })),
        ledgerHead: entries[entries.length - 1]?.hash ?? '',
      },
    });
    for (const { participant, receipt } of this.r.ledger.receipts(entries))
      byId
        .get(participant)
        ?.send({ receipt })
        .catch(() => undefined);
    this.r.publish(
      `payout of ${payout.pool} ${payout.currency} split ` +
        `by ${report.method}: ${split.entries.map((e) => `${e.participant} ${e.amount}`).join(', ')}`,
    );
  }
}
