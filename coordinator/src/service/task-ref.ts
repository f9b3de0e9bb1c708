import { tessera } from '@tessera/proto';

const pb = tessera.v1;

export interface TaskKey {
  jobId: string;
  round: number;
  stage: tessera.v1.Stage;
}

export const stageName = (s: tessera.v1.Stage | null | undefined): string =>
  ({ [pb.Stage.SCHEMA]: 'schema', [pb.Stage.STATISTICS]: 'statistics', [pb.Stage.FIT]: 'fit', [pb.Stage.EVALUATE]: 'evaluate' } as Record<number, string>)[s ?? 0] ?? 'unspecified';

export const describeTask = (t: tessera.v1.ITaskRef | TaskKey | null | undefined): string =>
  t ? `job ${t.jobId || '?'} round ${t.round ?? 0} stage ${stageName(t.stage)}` : 'no task';

export const sameTask = (a: TaskKey, b: tessera.v1.ITaskRef | null | undefined): boolean =>
  !!b && a.jobId === b.jobId && a.round === (b.round ?? 0) && a.stage === (b.stage ?? 0);
