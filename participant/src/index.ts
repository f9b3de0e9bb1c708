export { ParticipantNode, type ParticipantNodeOptions, type DataAdmission } from './node.js';
export { enroll } from './enroll.js';
export { loadParticipantConfig, parseParticipantConfig, ConfigError, type ParticipantConfig, type DatasetSource } from './config.js';
export { LocalData } from './local-data.js';
export { initParticipant, type InitOptions } from './init.js';
export { simulatedDropout, droppersOf, type DropoutPlan } from './simulated-dropout.js';
export { auditParticipant, type ParticipantAudit, type DatasetAudit } from './privacy/audit.js';
export {
  PrivacyLedger, canonicalJson, auditHash, GENESIS_HASH,
  type DataUse, type PrivacyCharge, type AuditEntry, type AuditFields, type ChainVerification, type GrantRevocation,
} from './privacy/privacy-ledger.js';
export { BudgetRefusal } from './privacy/privacy-guard.js';
export {
  loadConsentPolicy, parseConsentPolicy, PolicyError, PURPOSES, JOB_KINDS,
  type ConsentPolicy, type Grant, type Purpose, type JobKind, type DatasetRestriction, type PolicyOptions,
} from './consent/policy.js';
export { ConsentGuard, ConsentRefusal, purposeOfStage, analystOf, restrictSources, type ConsentDecision } from './consent/consent-guard.js';
export { grantStatuses, revokeGrant, policyOf, type GrantStatus, type RevokeResult } from './consent/grants.js';
export type { DatasetBudget } from './config.js';
