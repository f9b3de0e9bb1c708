// Train features at every stage: the columns a statistics, fit or evaluate task encodes, against the signed spec.
import { sha256Hex } from '@tessera/crypto';
import type { ColumnProfile, LocalSchema } from '@tessera/data';
import type { JobSpec } from '@tessera/jobs';
import { columnProfileFromProto, tessera } from '@tessera/proto';
import type { JobMemory } from '../job-memory.js';
import type { LocalData } from '../local-data.js';
import { announcesDp } from './privacy-plan.js';
import { privateSchemaReport } from './private-schema.js';
import { PrivacyRefusal } from './task-spec.js';

const pb = tessera.v1;

/** The stages whose tasks encode the job's agreed features (the schema stage is checked field by field). */
export const FEATURE_STAGES: readonly number[] = [pb.Stage.STATISTICS, pb.Stage.FIT, pb.Stage.EVALUATE];

type Diff = (field: string, spec: unknown, task: unknown) => PrivacyRefusal;

const refuse = (what: string) =>
  new PrivacyRefusal(
    `privacy check: ${what}; the coordinator cannot add a column the analyst did not authorise; ` +
      'refused before reading any data',
  );

/**
 * What the signed spec alone decides, before anything is read: each feature a later-stage task names must be one the
 * spec lists (when it lists features), never a column it excludes, never the label, and named once; and a fit or
 * evaluation splits its rows by the spec's validationFraction and seed (absent: the job id), not values the
 * coordinator picks to choose which rows train.
 */
export function checkTrainFeatureNames(task: tessera.v1.ITask, stage: number, spec: JobSpec, diff: Diff): void {
  if (!FEATURE_STAGES.includes(stage)) return;
  const names = (task.features ?? []).map((f) => f.name ?? '');
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw refuse(`the task names the feature ${JSON.stringify(name)} twice`);
    seen.add(name);
    if (name === spec.label) throw refuse(`the task names the label ${JSON.stringify(name)} as a feature`);
    if (spec.exclude.includes(name))
      throw refuse(`the task's feature ${JSON.stringify(name)} is one the analyst's job spec excludes`);
    if (spec.features && !spec.features.includes(name))
      throw refuse(
        `the task's feature ${JSON.stringify(name)} is not among the features of the analyst's job spec ` +
          `(${spec.features.map((f) => JSON.stringify(f)).join(', ')})`,
      );
  }
  if (stage !== pb.Stage.FIT && stage !== pb.Stage.EVALUATE) return;
  const training = task.training;
  // As local-compute reads them: no split under announced differential privacy, an absent fraction is 0.2, an absent
  // seed the job id.
  const fraction = announcesDp(task) ? 0 : Number(training?.validationFraction ?? 0.2);
  if (Math.abs(fraction - spec.validationFraction) > 1e-12)
    throw diff('training.validationFraction', spec.validationFraction, fraction);
  const jobId = task.ref?.jobId ?? '';
  const seed = String(training?.seed ?? jobId);
  const want = spec.seed ?? jobId;
  if (seed !== want) throw diff('training.seed (which rows train and which evaluate)', want, seed);
}

/**
 * What this node itself answered at the schema step decides the rest: each feature must be a column of that answer,
 * of the same kind. A categorical feature's categories: under differential privacy exactly the domain the spec
 * declares (never values guessed by the coordinator: one per customer would count each); without it, a superset of
 * the categories this node reported (values it does not have encode to zeros and its plaintext schema answer already
 * said they do not occur here; one it has but the task omits would fail encoding).
 */
export function checkOwnFeatures(
  task: tessera.v1.ITask,
  own: LocalSchema,
  dp: boolean,
  domains: Readonly<Record<string, string[]>> | undefined,
): void {
  const answered = new Map<string, ColumnProfile>(own.columns.map((c) => [c.name, c]));
  for (const f of task.features ?? []) {
    const got = columnProfileFromProto(f);
    const mine = answered.get(got.name);
    if (!mine)
      throw refuse(`the task's feature ${JSON.stringify(got.name)} is not a column this node answered for the job`);
    if (mine.kind !== got.kind)
      throw refuse(
        `the task's feature ${JSON.stringify(got.name)} is ${got.kind}, but this node answered it as ${mine.kind}`,
      );
    if (got.kind !== 'categorical') continue;
    const categories = got.categories ?? [];
    if (dp) {
      const domain = domains?.[got.name];
      const declared = domain ? [...domain].sort() : undefined;
      const sorted = [...categories].sort();
      if (!declared || declared.length !== sorted.length || declared.some((v, i) => v !== sorted[i]))
        throw refuse(
          `the task's categories of ${JSON.stringify(got.name)} are not the domain the analyst's job spec ` +
            'declares for it (under differential privacy only a declared domain is a category list)',
        );
    } else {
      const given = new Set(categories);
      const missing = (mine.categories ?? []).filter((v) => !given.has(v)).length;
      if (missing > 0)
        throw refuse(
          `the task's categories of ${JSON.stringify(got.name)} leave out ${missing} of the categories this node ` +
            'answered for it at the schema step',
        );
    }
  }
}

/** The key of a job's schema answer in JobMemory: its job id and the exact spec text it was answered under. */
export const schemaAnswerKey = (task: tessera.v1.ITask): string =>
  `${task.ref?.jobId ?? ''}\n${sha256Hex(task.specJson ?? '')}`;

/**
 * This node's schema answer for a train job: the one it gave at the schema step (JobMemory), or, after a restart, the
 * same answer computed again from the spec (the columns of the data set less the label, the spec's and the node's
 * exclusions; under differential privacy only categorical columns with a declared domain).
 */
export function ownSchemaAnswer(
  data: LocalData,
  memory: JobMemory | undefined,
  task: tessera.v1.ITask,
  spec: JobSpec,
  dp: boolean,
): LocalSchema {
  const key = schemaAnswerKey(task);
  const kept = memory?.schemaAnswer(key);
  if (kept) return kept;
  const local = data.profile(spec.dataset, spec.label, spec.exclude, spec.features ?? []);
  const answer = dp ? privateSchemaReport(local, spec.domains).schema : local;
  memory?.keepSchemaAnswer(key, answer);
  return answer;
}
