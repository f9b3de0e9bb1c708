export {
  Coordinator,
  analystTokenOf,
  createEnrollmentToken,
  ANALYST_TOKEN_FILE,
  DATABASE_FILE,
  type CoordinatorOptions,
} from './coordinator.js';
export { parseJobSpec, JobSpecError, JOB_SPEC_DEFAULTS, type JobSpec } from '@tessera/jobs';
export { SqliteStore } from './store/sqlite-store.js';
export type { Store, JobRecord, JobStatus, ParticipantRecord, RoundRecord } from './store/store.js';
export { MIGRATIONS } from './store/migrations.js';
export {
  DEFAULT_RESOURCE_LIMITS,
  ResourceLimitConfigError,
  resourceLimits,
  type ResourceLimits,
} from './limits/resource-limits.js';
