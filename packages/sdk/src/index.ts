/**
 * @tessera/sdk: embed Tessera in your own services. Start a coordinator, start participant
 * nodes, connect as an analyst, submit and watch jobs, read and use the results.
 */
import { Coordinator, type CoordinatorOptions } from '@tessera/coordinator';
import { loadSigningKeyPair } from '@tessera/crypto';
import { loadParticipantConfig, ParticipantNode, type ParticipantConfig } from '@tessera/participant';
import { AnalystClient } from './analyst.js';

export { AnalystClient, CoordinatorError, isFinalStatus, sealedSpec, type JobResult, type JobView, type JobStatusName, type RoundView, type PayoutsView, type SpecSigner } from './analyst.js';
export { AnalystKeys, AnalystKeysError, createAnalystKeys, loadAnalystKeys, saveAnalystKeys, ANALYST_KEYS_FORMAT, type SealedParams } from './sealed/analyst-keys.js';
export { answerAggregate, attachSealed, strategyForJob, type AttachSealedOptions, type SealedAggregateMessage, type SealedReplyMessage, type SealedJobSpec, type SealedSession } from './sealed/sealed-analyst.js';
export { LocalFederation, type LocalFederationOptions, type LocalParticipant } from './local-federation.js';
export { loadModelFile, modelFileFrom, saveModelFile, scoreCsv, scoreTable, type ModelFile, type Scores } from './model-file.js';
export { Coordinator, SqliteStore, analystTokenOf, createEnrollmentToken, parseJobSpec, JobSpecError, JOB_SPEC_DEFAULTS, type JobSpec, type CoordinatorOptions } from '@tessera/coordinator';
export { ParticipantNode, initParticipant, loadParticipantConfig, auditParticipant, ConfigError, type ParticipantConfig, type ParticipantAudit } from '@tessera/participant';

/** Starts a coordinator in this process (listen '127.0.0.1:0' picks a free port; see `.address`). */
export function startCoordinator(options: CoordinatorOptions): Promise<Coordinator> {
  return Coordinator.start(options);
}

/** Starts a participant node from a config file path or object; resolves once the coordinator welcomed it. */
export async function startParticipant(config: string | ParticipantConfig, log?: (line: string) => void): Promise<ParticipantNode> {
  const c = typeof config === 'string' ? loadParticipantConfig(config) : config;
  const node = new ParticipantNode({ config: c, identity: loadSigningKeyPair(c.identityKey), ...(log ? { log } : {}) });
  const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
  node.start();
  await ready;
  return node;
}

/** Connects to a coordinator's analyst API. */
export function connectAnalyst(address: string, token: string): AnalystClient {
  return new AnalystClient(address, token);
}
export { scoreEncrypted, type EncryptedScoreOptions, type EncryptedScoreResult, type SegmentScore } from './sealed/encrypted-scoring.js';
export { runQuery, type QueryRequest, type QueryJobResult } from './analytics/run-query.js';
export { runOverlap, type OverlapRequest } from './analytics/run-overlap.js';
