import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export type DatasetSource =
  | { type: 'csv'; path: string; exclude: string[] }
  | { type: 'sqlite'; path: string; table: string; exclude: string[] };

/** A participant node's settings, from its config file (YAML or JSON) and flags. */
export interface ParticipantConfig {
  name: string;
  /** host:port of the coordinator's gRPC endpoint. */
  coordinator: string;
  /** Assigned at enrolment. */
  participantId: string;
  /** The Ed25519 identity key file (created by `tessera participant init`). */
  identityKey: string;
  /** Logical data set name -> local source. Only these names are served. */
  datasets: Record<string, DatasetSource>;
}

export class ConfigError extends Error {
  constructor(readonly file: string, readonly field: string, message: string) {
    super(`${file}: ${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a parsed config; relative paths are resolved against `baseDir`. */
export function parseParticipantConfig(input: unknown, file: string, baseDir: string): ParticipantConfig {
  if (!isObj(input)) throw new ConfigError(file, '(root)', 'expected a mapping with name, coordinator, participantId, identityKey and datasets');
  const known = ['name', 'coordinator', 'participantId', 'identityKey', 'datasets'];
  for (const k of Object.keys(input)) if (!known.includes(k)) throw new ConfigError(file, k, `unknown field; known fields: ${known.join(', ')}`);
  const text = (field: string): string => {
    const v = input[field];
    if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(file, field, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const datasetsIn = input.datasets;
  if (!isObj(datasetsIn) || Object.keys(datasetsIn).length === 0) {
    throw new ConfigError(file, 'datasets', 'must map at least one data set name to a source, e.g. customers: { type: csv, path: ./customers.csv }');
  }
  const datasets: Record<string, DatasetSource> = {};
  for (const [name, src] of Object.entries(datasetsIn)) {
    const field = `datasets.${name}`;
    if (!isObj(src)) throw new ConfigError(file, field, 'must be a mapping with type and path');
    const exclude = src.exclude === undefined ? [] : src.exclude;
    if (!Array.isArray(exclude) || exclude.some((c) => typeof c !== 'string')) throw new ConfigError(file, `${field}.exclude`, 'must be a list of column names');
    if (typeof src.path !== 'string' || !src.path) throw new ConfigError(file, `${field}.path`, 'is required (a file path)');
    if (src.type === 'csv') datasets[name] = { type: 'csv', path: at(src.path), exclude: exclude as string[] };
    else if (src.type === 'sqlite') {
      if (typeof src.table !== 'string' || !src.table) throw new ConfigError(file, `${field}.table`, 'is required for a sqlite source');
      datasets[name] = { type: 'sqlite', path: at(src.path), table: src.table, exclude: exclude as string[] };
    } else throw new ConfigError(file, `${field}.type`, `must be "csv" or "sqlite", got ${JSON.stringify(src.type)}`);
  }
  return {
    name: text('name'),
    coordinator: text('coordinator'),
    participantId: text('participantId'),
    identityKey: at(text('identityKey')),
    datasets,
  };
}

export function loadParticipantConfig(file: string): ParticipantConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(file, '(file)', 'cannot be read; create one with `tessera participant init`');
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e) {
    throw new ConfigError(file, '(syntax)', (e as Error).message);
  }
  return parseParticipantConfig(parsed, file, dirname(resolve(file)));
}
