import { logisticInit } from '@tessera/ml';
import { resolveValuation } from '@tessera/jobs';
import { splitPool, type JobValuation } from '@tessera/payouts';
import { tessera } from '@tessera/proto';
import { valueTraining } from '../../../payouts/job-valuation.js';
import { runStage } from '../../../rounds/stage.js';
import { ValuationCollector, type DisclosedRound } from '../../../rounds/valuation-collector.js';
import type { PayoutsView } from '../../job-context.js';
import type { TrainingRun } from './training-run.js';
import { chargedRelease, runValuationCount } from './valuation-count.js';

const pb = tessera.v1;

/** A payout view without its outcome (status, entries). */
type PayoutBase = Omit<PayoutsView, 'status' | 'entries'>;

/**
 * The data-trust payout after training: contributors disclose their updates (exact jobs), or release noisy row counts
 * (records under differential privacy), or count equally; the coordinator values them, keeps the valuation for
 * products, splits the pool exactly and appends it to the signed ledger (never twice).
 */
export class PayoutSettlement {
  constructor(private readonly r: TrainingRun) {}

  /**
   * A coordinator that stopped between writing a job's ledger entries and recording its payout view
   * must not pay twice: the entries already in the ledger are the payout.
   */
  private async restorePayout(base: PayoutBase): Promise<boolean> {
    if (base.pool === 0) return false;
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
    const base: PayoutBase = {
      method: payout.valuation,
      metric: payout.metric,
      pool: payout.pool,
      currency: payout.currency,
      coordinatorPublicKey: this.r.ledger?.publicKeyHex ?? '',
      ...(payout.epsilon !== undefined && this.r.spec.privacy.mode !== 'none'
        ? { valuationEpsilon: payout.epsilon, valuationDelta: this.r.spec.privacy.delta }
        : {}),
    };
    const give = async (status: PayoutsView['status'], reason: string, extra: Partial<PayoutsView> = {}) => {
      await this.r.saveContext({ payouts: { ...base, ...extra, status, reason, entries: [] } });
      this.r.publish(`payout not made: ${reason}`);
    };
    if (!this.r.ledger && payout.pool > 0) return give('failed', 'this coordinator has no payout ledger');
    if (await this.restorePayout(base)) return;
    if (contributors.length === 0) return give('failed', 'no participant contributed to a completed round');
    if (this.r.spec.privacy.mode !== 'none' || payout.valuation === 'equal')
      return this.settleWithoutUpdates(base, contributors, give);
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
      `valuing contributions (${resolveValuation(payout.valuation as 'auto', contributors.length)}, ` +
        `${payout.metric} on ${payout.validation?.source ?? 'no validation rows'})`,
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
    // Exact training: the report's values are the job's valuation, for products built from it (nothing released).
    const valuation: JobValuation = {
      method: report.method,
      members: contributors.map((participant, i) => ({ participant, value: report.values[i] ?? 0 })),
      epsilon: 0,
      delta: null,
      noiseStd: 0,
      note: `exact ${report.method} valuation of the members' disclosed updates (no differential privacy)`,
    };
    await this.record(base, valuation, {
      evaluations: report.evaluations,
      valuationSeconds: (performance.now() - started) / 1000,
    });
  }

  /**
   * A payout that needs no member's updates: `equal` (every contributor 1, nothing released), or `records` under
   * differential privacy (one VALUATION_COUNT secure sum of noisy row counts at payout.epsilon). The valuation is kept
   * in the context (for products), then a pool above 0 is split and paid; a pool of 0 only records the valuation.
   */
  private async settleWithoutUpdates(
    base: PayoutBase,
    contributors: readonly string[],
    give: (status: PayoutsView['status'], reason: string, extra?: Partial<PayoutsView>) => Promise<void>,
  ): Promise<void> {
    const payout = this.r.spec.payout!;
    let valuation: JobValuation;
    let shown: Partial<PayoutBase> = {};
    if (payout.valuation === 'equal') {
      valuation = {
        method: 'equal',
        members: contributors.map((participant) => ({ participant, value: 1 })),
        epsilon: 0,
        delta: null,
        noiseStd: 0,
        note: 'equal shares among the contributors: nothing released, no epsilon spent',
      };
    } else {
      const p = this.r.spec.privacy;
      this.r.publish(
        'valuing contributions (records: one noisy count per contributor, ' +
          `epsilon ${payout.epsilon} at delta ${p.delta})`,
      );
      const released = await runValuationCount(this.r, contributors);
      // Every attempt whose tasks went out was charged by the members that computed it: shown as charged.
      const noise = { epsilon: payout.epsilon!, delta: p.delta };
      if ('status' in released) {
        const charged = chargedRelease(noise, released.attempts);
        return give(released.status, `valuation count not released: ${released.reason}`, {
          valuationEpsilon: charged.epsilon,
          valuationDelta: charged.delta,
        });
      }
      const charged = chargedRelease(released.noise, released.attempt);
      const retried =
        released.attempt > 1
          ? `; released at attempt ${released.attempt}, and each attempt was charged: ` +
            `epsilon ${charged.epsilon} at delta ${charged.delta} in all`
          : '';
      valuation = {
        method: 'records',
        members: contributors.map((participant, i) => ({ participant, value: released.counts[i] ?? 0 })),
        epsilon: charged.epsilon,
        delta: charged.delta,
        noiseStd: released.noiseStd,
        note:
          `the rows each member trained on, released once through a secure sum with ${p.mode} noise ` +
          `(epsilon ${released.noise.epsilon} at delta ${released.noise.delta}, ` +
          `about ${released.noiseStd.toFixed(1)} ` +
          `rows per count${retried}), charged by every contributor on top of the training's epsilon`,
      };
      shown = { valuationEpsilon: charged.epsilon, valuationDelta: charged.delta };
    }
    await this.record({ ...base, ...shown }, valuation, {});
  }

  /** Keeps the valuation in the context, then pays a pool above 0 by it; a pool of 0 only records it. */
  private async record(base: PayoutBase, valuation: JobValuation, extra: Partial<PayoutsView>): Promise<void> {
    const payout = this.r.spec.payout!;
    await this.r.saveContext({ valuation });
    const values = valuation.members.map((m) => ({ participant: m.participant, value: m.value }));
    if (!values.some((v) => v.value > 0))
      return void (await this.r.saveContext({
        payouts: {
          ...base,
          ...extra,
          method: valuation.method,
          status: 'failed',
          reason: `no contributor has a positive value by ${valuation.method}: nothing can be split`,
          entries: [],
        },
      }));
    if (payout.pool > 0) return this.pay(base, valuation.method, values, extra);
    await this.r.saveContext({
      payouts: {
        ...base,
        ...extra,
        method: valuation.method,
        status: 'paid',
        reason: 'payout.pool is 0: the valuation is kept for sales of products built from this job; nothing paid',
        entries: splitPool(0, payout.currency, values).entries,
      },
    });
    this.r.publish(`valuation by ${valuation.method} recorded (pool 0: nothing paid)`);
  }

  /** Splits the pool by `values`, appends the split to the signed ledger, records the view and sends the receipts. */
  private async pay(
    base: PayoutBase,
    method: string,
    values: { participant: string; value: number }[],
    extra: Partial<PayoutsView>,
  ): Promise<void> {
    const payout = this.r.spec.payout!;
    const ledger = this.r.ledger!;
    const split = splitPool(payout.pool, payout.currency, values);
    const timestamp = new Date().toISOString();
    const entries = await ledger.append(
      split.entries.map((e) => ({
        job: this.r.jobId,
        participant: e.participant,
        amount: e.amount,
        currency: split.currency,
        method,
        share: e.share,
        timestamp,
      })),
    );
    await this.r.saveContext({
      payouts: {
        ...base,
        ...extra,
        method,
        status: 'paid',
        entries: split.entries.map((e, i) => ({ ...e, seq: entries[i]?.seq })),
        ledgerHead: entries[entries.length - 1]?.hash ?? '',
      },
    });
    const byId = new Map(this.r.registry.serving(this.r.spec.dataset).map((s) => [s.participantId, s]));
    for (const { participant, receipt } of ledger.receipts(entries))
      byId
        .get(participant)
        ?.send({ receipt })
        .catch(() => undefined);
    this.r.publish(
      `payout of ${payout.pool} ${payout.currency} split ` +
        `by ${method}: ${split.entries.map((e) => `${e.participant} ${e.amount}`).join(', ')}`,
    );
  }
}
