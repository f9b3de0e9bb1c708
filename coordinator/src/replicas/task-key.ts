import type { tessera } from '@tessera/proto';
import type { TaskKey } from '../service/task-ref.js';

/** A wire task reference as the coordinator's key. */
export const keyOf = (ref: tessera.v1.ITaskRef | null | undefined): TaskKey => ({
  jobId: ref?.jobId ?? '',
  round: Number(ref?.round ?? 0),
  stage: ref?.stage ?? 0,
  ...(ref?.computation ? { computation: ref.computation } : {}),
  ...(ref?.attempt ? { attempt: Number(ref.attempt) } : {}),
});
