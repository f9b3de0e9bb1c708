// Task references on both sides of the wire: one equality, one name per stage, one log form.
import { tessera } from './gen/tessera.js';

const pb = tessera.v1;

type Ref = tessera.v1.ITaskRef | null | undefined;

const STAGE_NAMES: Readonly<Record<number, string>> = {
  [pb.Stage.SCHEMA]: 'schema',
  [pb.Stage.STATISTICS]: 'statistics',
  [pb.Stage.FIT]: 'fit',
  [pb.Stage.EVALUATE]: 'evaluate',
  [pb.Stage.ADVERTISE_KEYS]: 'advertise-keys',
  [pb.Stage.SHARE_KEYS]: 'share-keys',
  [pb.Stage.MASKED_INPUT]: 'masked-input',
  [pb.Stage.CONSISTENCY_CHECK]: 'consistency-check',
  [pb.Stage.UNMASK]: 'unmask',
  [pb.Stage.SCORE]: 'score',
  [pb.Stage.QUERY]: 'query',
  [pb.Stage.OVERLAP]: 'overlap',
  [pb.Stage.VALUATE]: 'valuate',
  [pb.Stage.VERTICAL]: 'vertical',
  [pb.Stage.VERTICAL_SCORE]: 'vertical-score',
  [pb.Stage.RECOMMEND]: 'recommend',
  [pb.Stage.CATALOGUE]: 'catalogue',
  [pb.Stage.SALE]: 'sale',
  [pb.Stage.VALUATION_COUNT]: 'valuation-count',
};

/**
 * The stage's name as logs, audit entries and round records write it ('stage N' for one this version does not know).
 */
export const stageName = (stage: number | null | undefined): string => STAGE_NAMES[stage ?? 0] ?? `stage ${stage ?? 0}`;

/** The same task step: job, round, stage, computation and attempt all agree (absent fields are 0). */
export const sameTaskRef = (a: Ref, b: Ref): boolean =>
  !!a &&
  !!b &&
  a.jobId === b.jobId &&
  (a.round ?? 0) === (b.round ?? 0) &&
  (a.stage ?? 0) === (b.stage ?? 0) &&
  (a.computation ?? 0) === (b.computation ?? 0) &&
  (a.attempt ?? 0) === (b.attempt ?? 0);

/** "job J round R stage S of C attempt A", for logs and errors. */
export const describeTaskRef = (t: Ref): string =>
  t
    ? `job ${t.jobId || '?'} round ${t.round ?? 0} stage ${stageName(t.stage)}` +
      `${t.computation ? ` of ${stageName(t.computation)}` : ''}${t.attempt ? ` attempt ${t.attempt}` : ''}`
    : 'no task';
