export {
  NODE_LOG_LEVELS,
  ParticipantNode,
  type NodeLogLevel,
  type ParticipantNodeOptions,
  type DataAdmission,
} from './node.js';
export { enroll } from './enroll.js';
export { createTlsKey, renewClientCertificate, TLS_CERTIFICATE_FILE, TLS_KEY_FILE } from './client-certificate.js';
export { channelSecurityOf, pinCoordinator, repinCoordinator, type PinOptions } from './coordinator-channel.js';
export {
  loadParticipantConfig,
  parseParticipantConfig,
  ConfigError,
  type ParticipantConfig,
  type DatasetSource,
} from './config.js';
export { LocalData, DEFAULT_CELL_BUDGET, type LocalDataOptions } from './local-data.js';
// the training stages of any data set's size (the benchmarks time them)
export { localEvaluate, localFit, localStatistics } from './streaming/compute.js';
export { schemaReport } from './local-compute.js';
export { initParticipant, type InitOptions, type InitResult } from './init.js';
export { simulatedDropout, droppersOf, type DropoutPlan } from './simulated-dropout.js';
export { auditParticipant, type ParticipantAudit, type DatasetAudit } from './privacy/audit.js';
export { exportReceipts, type ExportedReceipt } from './payout-receipts-export.js';
export {
  PrivacyLedger,
  type DataUse,
  type PrivacyCharge,
  type GrantRevocation,
} from './privacy/privacy-ledger.js';
export {
  canonicalJson,
  auditHash,
  GENESIS_HASH,
  AUDIT_CHAIN,
  AUDIT_FIELD_ORDER,
  AUDIT_VERSION,
  type AuditEntry,
  type AuditFields,
  type AuditVersion,
  type ChainVerification,
} from './privacy/audit-chain.js';
export { BudgetRefusal } from './privacy/privacy-guard.js';
export { ProtectionRefusal } from './privacy/protection-minimums.js';
export {
  loadConsentPolicy,
  parseConsentPolicy,
  PolicyError,
  PURPOSES,
  JOB_KINDS,
  datasetRules,
  DEFAULT_MIN_GROUP_SIZE,
  type ConsentPolicy,
  type DatasetRules,
  type Grant,
  type Purpose,
  type JobKind,
  type DatasetRestriction,
  type PolicyOptions,
} from './consent/policy.js';
export {
  ConsentGuard,
  ConsentRefusal,
  purposeOfStage,
  analystOf,
  restrictSources,
  withoutPrivacy,
  type ConsentDecision,
  type QueryRules,
} from './consent/consent-guard.js';
export {
  detectIdentifierColumns,
  namedLikeIdentifier,
  uniquePerRow,
  type IdentifierColumn,
} from './consent/identifier-columns.js';
export { starterPolicyText, STARTER_BUDGET, STARTER_GRANT } from './consent/starter-policy.js';
export { describePolicy } from './consent/describe-policy.js';
export { grantStatuses, revokeGrant, policyOf, type GrantStatus, type RevokeResult } from './consent/grants.js';
export type { DatasetBudget } from './config.js';
export { ParticipantMetrics, TASK_OUTCOMES, taskKindOf, type TaskOutcome } from './metrics/participant-metrics.js';
