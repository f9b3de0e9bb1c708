import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { loadOrCreateSigningKeyPair } from '@tessera/crypto';
import type { DatasetSource } from './config.js';
import { enroll } from './enroll.js';
import { loadConsentPolicy } from './consent/policy.js';

export interface InitOptions {
  /** Directory for the config file and the identity key. */
  dir: string;
  coordinator: string;
  token: string;
  name: string;
  datasets: Record<string, Omit<DatasetSource, 'exclude'> & { exclude?: string[] }>;
  /** A consent policy file (checked before enrolling, so a bad one does not use up the token). */
  policy?: string;
}

/** Creates an identity key, enrols with the coordinator and writes participant.yaml; returns its path. */
export async function initParticipant(o: InitOptions): Promise<{ configPath: string; participantId: string }> {
  if (o.policy) loadConsentPolicy(o.policy, { datasets: Object.keys(o.datasets) });
  mkdirSync(o.dir, { recursive: true });
  const keyPath = join(o.dir, 'identity.key');
  const identity = loadOrCreateSigningKeyPair(keyPath);
  const { participantId } = await enroll(o.coordinator, o.token, o.name, identity);
  const configPath = join(o.dir, 'participant.yaml');
  const datasets = Object.fromEntries(Object.entries(o.datasets).map(([k, v]) => [k, { ...v, path: relative(o.dir, v.path) || '.' }]));
  writeFileSync(configPath, [
    '# Tessera participant node. Raw rows never leave this machine: only model updates and aggregate statistics do.',
    stringify({ name: o.name, coordinator: o.coordinator, participantId, identityKey: 'identity.key', datasets, ...(o.policy ? { policy: relative(o.dir, o.policy) } : {}) }),
  ].join('\n'));
  return { configPath, participantId };
}
