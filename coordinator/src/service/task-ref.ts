import { describeTaskRef, sameTaskRef, type tessera } from '@tessera/proto';

export interface TaskKey {
  jobId: string;
  round: number;
  stage: tessera.v1.Stage;
  computation?: tessera.v1.Stage;
  attempt?: number;
}

/** Names and equality of task references are shared with the participants (@tessera/proto). */
export { stageName } from '@tessera/proto';

export const describeTask = (t: tessera.v1.ITaskRef | TaskKey | null | undefined): string => describeTaskRef(t);

export const sameTask = (a: TaskKey, b: tessera.v1.ITaskRef | null | undefined): boolean => sameTaskRef(a, b);
