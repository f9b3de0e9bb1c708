import { loadSeal } from '@tessera/he';
import { seededRandom } from '@tessera/ml';
import { modelOfJob } from './job-model.js';
import type { PayoutLedger } from '../../../payouts/payout-ledger.js';
import type { SessionRegistry } from '../../../service/registry.js';
import type { SealedExchange } from '../../../service/sealed-exchange.js';
import type { UploadSlots } from '../../../service/upload-slots.js';
import type { JobRecord, Store } from '../../../store/store.js';
import { stageOf } from '../../job-context.js';
import type { JobEvents } from '../../job-events.js';
import { JobLifecycle } from '../../job-lifecycle.js';
import { EvaluateRound } from './evaluate-round.js';
import { FitRound } from './fit-round.js';
import { PayoutSettlement } from './payout-settlement.js';
import { SchemaStage } from './schema-stage.js';
import { StatisticsStage } from './statistics-stage.js';
import { TrainingRun } from './training-run.js';

/**
 * A training job: schema agreement, federated statistics for standardisation, `rounds` rounds of
 * fit and evaluation, then (if the spec has one) the payout. The stage to run next is stored with
 * each stage's result, and every completed round with its model, so a restarted coordinator
 * resumes where the job stood.
 */
export class TrainingJob extends JobLifecycle {
  private readonly r: TrainingRun;

  constructor(
    job: JobRecord,
    store: Store,
    registry: SessionRegistry,
    slots: UploadSlots,
    events: JobEvents,
    private readonly sealedExchange: SealedExchange,
    ledger?: PayoutLedger,
    lease?: { holder: string; epoch: number },
  ) {
    super(job.id, store, events);
    this.r = new TrainingRun(job, store, registry, slots, events, sealedExchange, this.abort.signal, ledger, lease);
  }

  protected async work(): Promise<void> {
    const r = this.r;
    const job = await this.store.getJob(this.jobId);
    if (!job) throw new Error(`no job ${this.jobId}`);
    if (job.status === 'pending') await this.store.updateJob(this.jobId, { status: 'running' });
    r.publish(job.roundsCompleted > 0 ? `resuming after round ${job.roundsCompleted}` : 'started');
    if (r.sealed) await loadSeal();
    if (r.privacy.enabled && !r.context.privacy)
      await r.saveContext({ privacy: { noiseMultiplier: r.privacy.noiseMultiplier } });
    for (let stage = stageOf(r.context); stage !== 'done'; stage = stageOf(r.context)) {
      switch (stage) {
        case 'schema': {
          const schema = new SchemaStage(r);
          schema.refuseOverBudget();
          await schema.agreeOnSchema();
          break;
        }
        case 'statistics':
          await new StatisticsStage(r).computeStatistics();
          break;
        case 'training': {
          r.model ??= await modelOfJob(r.spec, r.context.featureNames!.length);
          const fit = new FitRound(r, new EvaluateRound(r));
          const latest = await this.store.latestModel(this.jobId);
          // The starting parameters are public: zeros for the linear models, He or Glorot draws from the job's seed.
          let model = latest?.weights ?? r.model.init(seededRandom(`${r.spec.seed ?? this.jobId}/initial-model`));
          for (let round = (latest?.round ?? 0) + 1; round <= r.spec.rounds && !r.context.stoppedEarly; round++)
            model = await fit.trainRound(round, model);
          await r.saveContext({ stage: r.spec.payout && !r.context.payouts ? 'payout' : 'done' });
          break;
        }
        case 'payout':
          await new PayoutSettlement(r).settlePayout();
          await r.saveContext({ stage: 'done' });
          break;
      }
    }
    await this.store.updateJob(this.jobId, { status: 'completed' });
    r.publish('completed');
  }

  protected override ended(): void {
    this.sealedExchange.close(this.jobId);
  }
}
