import { agreeSchema, type AgreedSchema, type LocalSchema } from '@tessera/data';
import { columnProfileFromProto, tessera } from '@tessera/proto';
import { SchemaCollector } from '../../../rounds/collectors.js';
import { runStage } from '../../../rounds/stage.js';
import { budgetConflicts } from '../../privacy-precheck.js';
import type { TrainingRun } from './training-run.js';

const pb = tessera.v1;

/**
 * The schema stage: participants profile their tables; the coordinator agrees on the features (refusing first a job it
 * can see is over budget).
 */
export class SchemaStage {
  constructor(private readonly r: TrainingRun) {}

  /** Fails the job before any work if a connected participant's reported budget cannot cover it. */
  refuseOverBudget(): void {
    const conflicts = budgetConflicts(this.r.spec, this.r.registry.serving(this.r.spec.dataset));
    if (conflicts.length) throw new Error(`refused before any work: ${conflicts.join('; ')}`);
  }

  async agreeOnSchema(): Promise<void> {
    const key = this.r.taskKey(0, pb.Stage.SCHEMA);
    const schema = await this.r.withAttempts('schema', 0, async (sessions, attempt) => {
      const started = performance.now();
      // Reports are folded into a running agreement as they arrive: memory does not grow with n.
      let merged: LocalSchema | undefined;
      // A column typed differently at two participants: the same data disagrees again, so it is not retried.
      let disagreed = false;
      const fold = (r: tessera.v1.ISchemaReport): string | undefined => {
        const profile: LocalSchema = {
          label: this.r.spec.label,
          rows: Number(r.rows),
          columns: (r.columns ?? []).map((c) => columnProfileFromProto(c)),
        };
        try {
          const agreed = merged ? agreeSchema([merged, profile]) : agreeSchema([profile]);
          merged = { label: this.r.spec.label, rows: (merged?.rows ?? 0) + profile.rows, columns: agreed.features };
          return undefined;
        } catch (e) {
          disagreed = true;
          return `its schema cannot be agreed with the others: ${(e as Error).message}`;
        }
      };
      const outcome = await runStage<true>({
        key,
        sessions,
        deadlineMs: this.r.spec.roundTimeoutSeconds * 1000,
        signal: this.r.signal,
        request: () => ({
          message: {
            task: {
              ...this.r.baseTask(key),
              exclude: this.r.spec.exclude,
              features: (this.r.spec.features ?? []).map((name) => ({ name })),
            },
          },
        }),
        collector: (_s, settle) => new SchemaCollector(key, settle, fold),
      });
      const seconds = (performance.now() - started) / 1000;
      const dropped = [...outcome.failures.keys()];
      await this.r.noteRefusals('schema', 0, outcome);
      if (outcome.results.size < this.r.spec.minParticipants) {
        const failures = dropped.length ? ` (${this.r.failureSummary(outcome.failures)})` : '';
        const reason =
          `${outcome.results.size} of ${sessions.length} participants reported a schema, ` +
          `fewer than minParticipants = ${this.r.spec.minParticipants}${failures}`;
        await this.r.store.addRound(
          this.r.recordRound({
            round: 0,
            stage: 'schema',
            attempt,
            status: 'failed',
            contributors: outcome.results.size,
            dropped,
            metrics: {},
            seconds,
            error: reason,
          }),
        );
        return { ok: false as const, reason, permanent: disagreed };
      }
      const agreed: AgreedSchema = { label: this.r.spec.label, features: merged!.columns };
      if (agreed.features.length === 0)
        throw new Error(`the participants share no feature columns besides the label "${this.r.spec.label}"`);
      await this.r.store.addRound(
        this.r.recordRound({
          round: 0,
          stage: 'schema',
          attempt,
          status: 'completed',
          contributors: outcome.results.size,
          dropped,
          metrics: {},
          seconds,
          error: '',
        }),
      );
      return { ok: true as const, value: agreed };
    });
    const featureNames = schema.features.flatMap((f) =>
      f.kind === 'categorical' ? (f.categories ?? []).map((c) => `${f.name}=${c}`) : [f.name],
    );
    await this.r.saveContext({ schema, featureNames, stage: 'statistics' });
    this.r.publish(`schema agreed: ${featureNames.length} features`);
  }
}
