import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../src/index.js';

/**
 * Loads the Project Wycheproof files in `vectors/wycheproof/` (see PROVENANCE.md there) into typed cases.
 * Every field is checked as it is read, so a truncated or reshaped file fails loudly here instead of
 * silently yielding fewer cases.
 */

export type Result = 'valid' | 'invalid' | 'acceptable';

export interface Case {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: Result;
  /** `tcId 12 [Twist]`, for failure messages. */
  readonly label: string;
}

export interface VectorFile<C extends Case> {
  readonly algorithm: string;
  /** The count the file declares in its header. */
  readonly numberOfTests: number;
  /** The flag names the file documents in `notes`. */
  readonly documentedFlags: readonly string[];
  readonly cases: readonly C[];
}

type Json = Record<string, unknown>;

const dir = fileURLToPath(new URL('./vectors/wycheproof/', import.meta.url));

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${where} is not a JSON object`);
  return value as Json;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where} is not a JSON array`);
  return value;
}

function str(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`${where}.${key} is not a string (got ${typeof v})`);
  return v;
}

function int(o: Json, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new Error(`${where}.${key} is not a non-negative integer`);
  return v;
}

function hex(o: Json, key: string, where: string): Uint8Array {
  return fromHex(str(o, key, where), `${where}.${key}`);
}

/** Reads `file`, checks its `algorithm` and `schema`, and maps each test with `read(group, test, where)`. */
function load<C extends Case>(
  file: string,
  algorithm: string,
  schema: string,
  read: (group: Json, test: Json, base: Case, where: string) => C,
): VectorFile<C> {
  const root = object(JSON.parse(readFileSync(dir + file, 'utf8')), file);
  if (str(root, 'algorithm', file) !== algorithm)
    throw new Error(`${file}: expected algorithm ${algorithm}, got ${String(root.algorithm)}`);
  if (str(root, 'schema', file) !== schema)
    throw new Error(`${file}: expected schema ${schema}, got ${String(root.schema)}`);
  const cases: C[] = [];
  array(root.testGroups, `${file}.testGroups`).forEach((g, gi) => {
    const gWhere = `${file}.testGroups[${gi}]`;
    const group = object(g, gWhere);
    array(group.tests, `${gWhere}.tests`).forEach((t, ti) => {
      const where = `${gWhere}.tests[${ti}]`;
      const test = object(t, where);
      const result = str(test, 'result', where);
      if (result !== 'valid' && result !== 'invalid' && result !== 'acceptable')
        throw new Error(`${where}.result is "${result}"`);
      const flags = array(test.flags, `${where}.flags`).map((f, fi) => {
        if (typeof f !== 'string') throw new Error(`${where}.flags[${fi}] is not a string`);
        return f;
      });
      const tcId = int(test, 'tcId', where);
      const base: Case = {
        tcId,
        comment: str(test, 'comment', where),
        flags,
        result,
        label: `tcId ${tcId} [${flags.join(',')}]`,
      };
      cases.push(read(group, test, base, where));
    });
  });
  return {
    algorithm,
    numberOfTests: int(root, 'numberOfTests', file),
    documentedFlags: Object.keys(object(root.notes, `${file}.notes`)),
    cases,
  };
}

export interface XdhCase extends Case {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
  readonly shared: Uint8Array;
}

export function loadX25519(): VectorFile<XdhCase> {
  return load('x25519_test.json', 'XDH', 'xdh_comp_schema_v1.json', (group, test, base, where) => {
    if (str(group, 'curve', where) !== 'curve25519') throw new Error(`${where}: curve is not curve25519`);
    return {
      ...base,
      publicKey: hex(test, 'public', where),
      privateKey: hex(test, 'private', where),
      shared: hex(test, 'shared', where),
    };
  });
}

export interface EddsaCase extends Case {
  readonly publicKey: Uint8Array;
  readonly msg: Uint8Array;
  readonly sig: Uint8Array;
}

export function loadEd25519(): VectorFile<EddsaCase> {
  return load('ed25519_test.json', 'EDDSA', 'eddsa_verify_schema_v1.json', (group, test, base, where) => {
    const key = object(group.publicKey, `${where}.publicKey`);
    if (str(key, 'curve', where) !== 'edwards25519') throw new Error(`${where}: curve is not edwards25519`);
    return {
      ...base,
      publicKey: hex(key, 'pk', `${where}.publicKey`),
      msg: hex(test, 'msg', where),
      sig: hex(test, 'sig', where),
    };
  });
}

export interface AeadCase extends Case {
  /** Sizes in bits, as the group declares them. */
  readonly keySize: number;
  readonly ivSize: number;
  readonly tagSize: number;
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly aad: Uint8Array;
  readonly msg: Uint8Array;
  readonly ct: Uint8Array;
  readonly tag: Uint8Array;
}

export function loadAesGcm(): VectorFile<AeadCase> {
  return load('aes_gcm_test.json', 'AES-GCM', 'aead_test_schema_v1.json', (group, test, base, where) => {
    const c: AeadCase = {
      ...base,
      keySize: int(group, 'keySize', where),
      ivSize: int(group, 'ivSize', where),
      tagSize: int(group, 'tagSize', where),
      key: hex(test, 'key', where),
      iv: hex(test, 'iv', where),
      aad: hex(test, 'aad', where),
      msg: hex(test, 'msg', where),
      ct: hex(test, 'ct', where),
      tag: hex(test, 'tag', where),
    };
    if (c.key.length * 8 !== c.keySize || c.iv.length * 8 !== c.ivSize || c.tag.length * 8 !== c.tagSize) {
      throw new Error(`${where}: key/iv/tag lengths disagree with the group's keySize/ivSize/tagSize`);
    }
    return c;
  });
}

export interface HkdfCase extends Case {
  readonly ikm: Uint8Array;
  readonly salt: Uint8Array;
  readonly info: Uint8Array;
  readonly size: number;
  readonly okm: Uint8Array;
}

export function loadHkdfSha256(): VectorFile<HkdfCase> {
  return load('hkdf_sha256_test.json', 'HKDF-SHA-256', 'hkdf_test_schema_v1.json', (_group, test, base, where) => ({
    ...base,
    ikm: hex(test, 'ikm', where),
    salt: hex(test, 'salt', where),
    info: hex(test, 'info', where),
    size: int(test, 'size', where),
    okm: hex(test, 'okm', where),
  }));
}

/** How many cases have each result, as `{ valid, invalid, acceptable }`. */
export function countResults(cases: readonly Case[]): Record<Result, number> {
  const out: Record<Result, number> = { valid: 0, invalid: 0, acceptable: 0 };
  for (const c of cases) out[c.result]++;
  return out;
}

/** A tally of named outcomes, for asserting how many cases took each path. */
export class Tally {
  readonly counts: Record<string, number> = {};
  add(outcome: string): void {
    this.counts[outcome] = (this.counts[outcome] ?? 0) + 1;
  }
}
