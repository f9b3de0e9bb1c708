export { ParticipantNode, type ParticipantNodeOptions } from './node.js';
export { enroll } from './enroll.js';
export { loadParticipantConfig, parseParticipantConfig, ConfigError, type ParticipantConfig, type DatasetSource } from './config.js';
export { LocalData } from './local-data.js';
export { initParticipant, type InitOptions } from './init.js';
export { simulatedDropout, droppersOf, type DropoutPlan } from './simulated-dropout.js';
export { auditParticipant, type ParticipantAudit, type DatasetAudit } from './privacy/audit.js';
export { PrivacyLedger, type DataUse, type PrivacyCharge } from './privacy/privacy-ledger.js';
export type { DatasetBudget } from './config.js';
