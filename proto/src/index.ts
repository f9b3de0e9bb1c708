import './int64-as-number.js';
export { tessera } from './gen/tessera.js';
export { AnalystServiceDefinition, ParticipantServiceDefinition, ReplicaServiceDefinition } from './gen/services.js';
export * from './limits.js';
export * from './resource-limit.js';
export * from './envelope.js';
export * from './clients.js';
export { EnrolmentTokenError, enrolmentTokenFingerprint, newEnrolmentToken } from './enrolment-token.js';
export * from './strategy-config.js';
export { privacyModes, privacyUnits, psiRoles, statisticsParts, type EnumMapping } from './task-enums.js';
export { declaredQueryFromProto, declaredQueryToProto, type DeclaredQuery } from './query-task.js';
export { columnProfileFromProto, columnProfileToProto } from './column-profile.js';
export {
  ANALYST_KEY_CONTEXT,
  analystKeyMessage,
  signAnalystKey,
  verifyAnalystKey,
  type AnalystKeyParams,
} from './analyst-key.js';
export {
  SCORING_KEY_CONTEXT,
  scoringSetupMessage,
  signScoringSetup,
  verifyScoringSetup,
} from './scoring-key.js';
export { describeTaskRef, sameTaskRef, stageName } from './task-ref.js';
export { TLS_KEY_CONTEXT, signTlsKey, tlsKeyMessage, verifyTlsKey, type TlsKeyRole } from './tls-key.js';
export {
  AnalystInvitationError,
  newAnalystInvitation,
  parseAnalystInvitation,
  type AnalystInvitation,
} from './analyst-invitation.js';
export {
  ANALYST_CALL_CONTEXT,
  ANALYST_CALL_METADATA,
  parseAnalystCall,
  signAnalystCall,
  verifyAnalystCall,
  type SignedAnalystCall,
} from './analyst-call.js';
export { fromModelConfig, toModelConfig, type WireModel } from './model-config.js';
