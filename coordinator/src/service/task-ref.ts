import { tessera } from '@tessera/proto';

const pb = tessera.v1;

export interface TaskKey {
  jobId: string;
  round: number;
  stage: tessera.v1.Stage;
  computation?: tessera.v1.Stage;
  attempt?: number;
}

export const stageName = (s: tessera.v1.Stage | null | undefined): string =>
  ({
    [pb.Stage.SCHEMA]: 'schema', [pb.Stage.STATISTICS]: 'statistics', [pb.Stage.FIT]: 'fit', [pb.Stage.EVALUATE]: 'evaluate',
    [pb.Stage.ADVERTISE_KEYS]: 'advertise-keys', [pb.Stage.SHARE_KEYS]: 'share-keys', [pb.Stage.MASKED_INPUT]: 'masked-input', [pb.Stage.UNMASK]: 'unmask',
  } as Record<number, string>)[s ?? 0] ?? 'unspecified';

export const describeTask = (t: tessera.v1.ITaskRef | TaskKey | null | undefined): string =>
  t ? `job ${t.jobId || '?'} round ${t.round ?? 0} stage ${stageName(t.stage)}` +
    `${t.computation ? ` of ${stageName(t.computation)}` : ''}${t.attempt ? ` attempt ${t.attempt}` : ''}` : 'no task';

export const sameTask = (a: TaskKey, b: tessera.v1.ITaskRef | null | undefined): boolean =>
  !!b && a.jobId === b.jobId && a.round === (b.round ?? 0) && a.stage === (b.stage ?? 0) &&
  (a.computation ?? 0) === (b.computation ?? 0) && (a.attempt ?? 0) === (b.attempt ?? 0);
