// Task references on the participant side: equality and a readable name for logs.
import { sameTaskRef, type tessera } from '@tessera/proto';

type Ref = tessera.v1.ITaskRef | null | undefined;

/** The same task step: job, round, stage, computation and attempt all agree. */
export const sameRef = (a: Ref, b: Ref): boolean => sameTaskRef(a, b);

/** The same secure-aggregation contribution: every field but the stage (its steps share the rest). */
export const sameContribution = (a: Ref, b: Ref): boolean =>
  !!a &&
  !!b &&
  a.jobId === b.jobId &&
  a.round === b.round &&
  (a.computation ?? 0) === (b.computation ?? 0) &&
  (a.attempt ?? 0) === (b.attempt ?? 0);

/** "job J round R stage S", for log lines and refusals. */
export const describe = (r: Ref): string => `job ${r?.jobId} round ${r?.round ?? 0} stage ${r?.stage ?? 0}`;

/** The stage a task computes: its secure computation when it has a secure setup, else its stage. */
export const computedStage = (task: tessera.v1.ITask): number =>
  Number(task.secure ? task.secure.computation : task.ref?.stage);
