/**
 * @tessera/sdk: embed Tessera in your own services. Start a coordinator, start participant
 * nodes, connect as an analyst, submit and watch jobs, read and use the results. Analysts who only
 * submit and read jobs need just @tessera/client, which this package re-exports.
 */
import { Coordinator, type CoordinatorOptions } from '@tessera/coordinator';
import { loadSigningKeyPair } from '@tessera/crypto';
import type { Logger } from '@tessera/transport';
import {
  loadParticipantConfig,
  type NodeLogLevel,
  ParticipantNode,
  type ParticipantConfig,
} from '@tessera/participant';

// The analyst's side lives in @tessera/client (no services, no SQLite); the SDK adds the services.
export * from '@tessera/client';
export { LocalFederation, type LocalFederationOptions, type LocalParticipant } from './local-federation.js';
export { connectLocalAnalyst, type LocalAnalystOptions } from './local-analyst.js';
export {
  Coordinator,
  SqliteStore,
  createEnrollmentToken,
  inviteAnalyst,
  registerAnalystKey,
  certifyAnalyst,
  listAnalysts,
  revokeAnalyst,
  AnalystError,
  type AnalystSummary,
  type IssuedInvitation,
  readTrustAnchor,
  TlsSetupError,
  type CoordinatorOptions,
  type OperatorTlsFiles,
} from '@tessera/coordinator';
export {
  ParticipantNode,
  initParticipant,
  loadParticipantConfig,
  repinCoordinator,
  auditParticipant,
  ConfigError,
  type ParticipantConfig,
  type ParticipantAudit,
  NODE_LOG_LEVELS,
  type NodeLogLevel,
} from '@tessera/participant';

/** Starts a coordinator in this process (listen '127.0.0.1:0' picks a free port; see `.address`). */
export function startCoordinator(options: CoordinatorOptions): Promise<Coordinator> {
  return Coordinator.start(options);
}

/**
 * Starts a participant node from a config file path or object; resolves once the coordinator welcomed it. `logLevel`
 * ('warn' | 'info' | 'debug', default info) sets how much it gives `log`; a `logger` (fields, its own level) wins.
 */
export async function startParticipant(
  config: string | ParticipantConfig,
  log?: (line: string) => void,
  options: { logLevel?: NodeLogLevel; logger?: Logger } = {},
): Promise<ParticipantNode> {
  const c = typeof config === 'string' ? loadParticipantConfig(config) : config;
  const node = new ParticipantNode({
    config: c,
    identity: loadSigningKeyPair(c.identityKey),
    ...(log ? { log } : {}),
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  // Every data set is opened (and a broken file found) before the node joins: a CSV of any size is read by the local
  // engine, so a bad line near its end is an error now rather than in the first task.
  await node.data.open();
  const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
  node.start();
  await ready;
  return node;
}
