export {
  Coordinator,
  createEnrollmentToken,
  issueEnrollmentToken,
  DATABASE_FILE,
  type CoordinatorOptions,
} from './coordinator.js';
export { parseJobSpec, JobSpecError, JOB_SPEC_DEFAULTS, type JobSpec } from '@tessera/jobs';
export { SqliteStore } from './store/sqlite-store.js';
export type { Store, JobRecord, JobStatus, ParticipantRecord, RoundRecord } from './store/store.js';
export { MIGRATIONS } from './store/migrations.js';
export { PostgresStore, type PostgresStoreOptions } from './store/postgres/postgres-store.js';
export { PG_MIGRATIONS } from './store/postgres/postgres-migrations.js';
export { openStore } from './store/open-store.js';
export { LeaseLost } from './store/lease-lost.js';
export type { JobLease } from './store/store.js';
export type {
  EnrollmentTokenRecord,
  EnrollmentTokenStatus,
  NewParticipant,
  ParticipantStatus,
} from './store/store.js';
export { EnrolmentError, type EnrolmentErrorCode } from './enrolment/enrolment-error.js';
export { AnalystError, type AnalystErrorCode } from './analysts/analyst-error.js';
export type { AnalystRecord, AnalystStatus } from './store/store.js';
export {
  certifyAnalyst,
  inviteAnalyst,
  listAnalysts,
  registerAnalystKey,
  revokeAnalyst,
  type AnalystSummary,
  type IssuedInvitation,
} from './analysts/operator-analysts.js';
export {
  DEFAULT_TOKEN_LIFETIME_MS,
  MAX_TOKEN_LIFETIME_MS,
  type EnrollmentTokenOptions,
  type IssuedEnrollmentToken,
} from './enrolment/enrolment-rules.js';
export {
  listEnrollmentTokens,
  revokeEnrollmentToken,
  listEnrolledParticipants,
  setParticipantStatus,
  type ParticipantSummary,
  type TokenSummary,
} from './enrolment/operator-commands.js';
export { ACCESS_CHECK_MS } from './service/participant-access.js';
export { readTrustAnchor, tlsFiles } from './tls/tls-files.js';
export { TlsSetupError } from './tls/tls-setup-error.js';
export type { OperatorTlsFiles } from './tls/operator-certificates.js';
export {
  DEFAULT_RESOURCE_LIMITS,
  ResourceLimitConfigError,
  resourceLimits,
  type ResourceLimits,
} from './limits/resource-limits.js';
export { PayoutLedger, LEDGER_KEY_FILE } from './payouts/payout-ledger.js';
export { CoordinatorMetrics, type CoordinatorMetricsSources } from './metrics/coordinator-metrics.js';
export {
  LEASE_CHANGES,
  PRIVACY_REFUSAL_KINDS,
  REJECT_REASONS,
  ROUND_FAILURE_REASONS,
  type LeaseChange,
  type PrivacyRefusalKind,
  type RejectReason,
  type RoundFailureReason,
} from './metrics/metric-labels.js';
export type { ConsoleLogin, ConsoleRole } from './store/store.js';
export {
  CONSOLE_LINK_LIFETIME_MS,
  CONSOLE_LINK_PATH,
  issueConsoleLink,
  issueOperatorConsoleLink,
  redeemConsoleLink,
} from './console/console-links.js';
export type { Readiness, ReadinessCheck } from './health/readiness.js';
export { jobMessage, isFinished } from './service/job-view.js';
export { analystRefusal } from './analysts/analyst-rules.js';
export type { SessionRegistry } from './service/registry.js';
export type { ParticipantSession } from './service/participant-session.js';
export type { JobEvents } from './jobs/job-events.js';
export { certifiesKey } from './identity/client-certificates.js';
export { cancelForAnalyst, CANCELLED_BY_ANALYST } from './jobs/cancel-job.js';
export { DEFAULT_LEASE_SECONDS } from './coordinator.js';
export { resultModel, type ResultModel } from './jobs/result-model.js';
