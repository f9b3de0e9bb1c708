/**
 * @tessera/client: what an analyst needs on their own machine, and nothing of the services: the
 * analyst client (submit, watch, results), analyst keys and sealed-mode decryption, encrypted
 * scoring, queries and overlaps, and model files. It pulls in no coordinator, no participant and
 * no SQLite.
 */
import type { ChannelSecurity } from '@tessera/transport';
import { AnalystClient, type AnalystSigner } from './analyst.js';

// Pinning the coordinator's TLS anchor (first contact), for analysts given its fingerprint.
export {
  fingerprintOf,
  parseFingerprint,
  pinAnchor,
  TransportError,
  type ChannelSecurity,
  type PinnedAnchor,
} from '@tessera/transport';

export {
  AnalystClient,
  CoordinatorError,
  isFinalStatus,
  sealedSpec,
  type JobResult,
  type JobView,
  type JobStatusName,
  type RoundView,
  type PayoutsView,
  type SpecSigner,
  type AnalystSigner,
} from './analyst.js';
export { AnalystIdentity, CONSOLE_LOGIN_CONTEXT, loadAnalystIdentity, stampedSpec } from './analyst-identity.js';
export {
  ANALYST_CREDENTIALS_FORMAT,
  credentialsPathFor,
  loadAnalystCredentials,
  saveAnalystCredentials,
  securityOf,
  type AnalystCredentials,
} from './analyst-credentials.js';
export { joinCoordinator, newTlsKey, type JoinOptions } from './join-coordinator.js';
export { AnalystInvitationError, parseAnalystInvitation, type AnalystInvitation } from '@tessera/proto';
export {
  AnalystKeys,
  AnalystKeysError,
  createAnalystKeys,
  loadAnalystKeys,
  saveAnalystKeys,
  ANALYST_KEYS_FORMAT,
  type SealedParams,
} from './sealed/analyst-keys.js';
export {
  answerAggregate,
  attachSealed,
  strategyForJob,
  type AttachSealedOptions,
  type SealedAggregateMessage,
  type SealedReplyMessage,
  type SealedJobSpec,
  type SealedSession,
} from './sealed/sealed-analyst.js';
export {
  loadModelFile,
  modelFileFrom,
  modelOfFile,
  saveModelFile,
  MODEL_FILE_VERSIONS,
  type ModelFile,
  type ModelFileKind,
  type ModelFileModel,
  type ModelFileV1,
  type ModelFileV2,
} from './model-file.js';
export { modelFromFile, TFJS_SCORING_REFUSAL } from './model-from-file.js';
export {
  scoreCsv,
  scoreTable,
  type MulticlassMetrics,
  type RegressionMetrics,
  type Scores,
  type TaskMetrics,
} from './model-scoring.js';
export {
  scoreEncrypted,
  type EncryptedScoreOptions,
  type EncryptedScoreResult,
  type SegmentScore,
} from './sealed/encrypted-scoring.js';
export { productViewFromJson, saleViewFromJson } from './sales-views.js';
export type {
  ProductMember,
  ProductValuation,
  ProductView,
  RefundView,
  SaleEntry,
  SaleRefusal,
  SaleView,
} from '@tessera/payouts';
export { runQuery, type QueryRequest, type QueryJobResult } from './analytics/run-query.js';
export { queryResultOf } from './analytics/query-result.js';
export { runOverlap, type OverlapRequest } from './analytics/run-overlap.js';
export { runRecommend, type RecommendJobResult } from './recommend/run-recommend.js';
export { answerRecommendAggregate } from './recommend/recommend-sealed.js';
export {
  runVertical,
  runVerticalScore,
  type VerticalJobResult,
  type VerticalMetrics,
  type VerticalScoreResult,
} from './vertical/run-vertical.js';
export { parseJobSpec, JobSpecError, JOB_SPEC_DEFAULTS, type JobSpec, type PrivacyView } from '@tessera/jobs';
export {
  parseVerticalScoreSpec,
  parseVerticalSpec,
  type VerticalScoreSpec,
  type VerticalSpec,
} from '@tessera/jobs';

/**
 * Connects to a coordinator's analyst API as the analyst `identity`, over a channel secured as `security` says: TLS
 * with the analyst's client certificate, or plaintext on loopback (see AnalystClient).
 */
export function connectAnalyst(address: string, identity: AnalystSigner, security: ChannelSecurity): AnalystClient {
  return new AnalystClient(address, identity, security);
}
export { jobView } from './job-view.js';
