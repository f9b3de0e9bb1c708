/**
 * The analyst's BFV key pair for sealed mode. Participants encrypt under the public key, the
 * coordinator adds ciphertexts, and only the holder of the secret key reads the aggregates.
 * The secret key lives in a private field: it never appears in `toString`, `JSON.stringify` or
 * `util.inspect`, only through the explicit `secretKeyBytes()`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { inspect } from 'node:util';
import { generateSigningKeyPair, sign, signingKeyPairFromSecret } from '@tessera/crypto';
import { signAnalystKey, signScoringSetup, type tessera } from '@tessera/proto';
import {
  BfvDecryptor,
  BfvEncryptor,
  BfvKeyPair,
  chooseBfvParameters,
  loadSeal,
  plainModulusOf,
  validateBfvParameters,
  type BfvParameters,
} from '@tessera/he';

/** The BFV parameters as they travel (SubmitJobRequest.sealed_params_json) and sit in the key file. */
export interface SealedParams {
  polyModulusDegree: number;
  coeffModulusBits: number[];
  plainModulus: number;
}

export const ANALYST_KEYS_FORMAT = 'tessera-analyst-keys';
export const ANALYST_KEYS_VERSION = 2;

/** An error about an analyst key file; the message names the file and the field. */
export class AnalystKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalystKeysError';
  }
}

const wireParams = (p: BfvParameters): SealedParams => ({
  polyModulusDegree: p.polyModulusDegree,
  coeffModulusBits: [...p.coeffModulusBits],
  plainModulus: plainModulusOf(p),
});

const fullParams = (p: SealedParams): BfvParameters => ({
  polyModulusDegree: p.polyModulusDegree,
  coeffModulusBits: [...p.coeffModulusBits],
  plainModulus: p.plainModulus,
  slots: p.polyModulusDegree,
  securityLevel: 128,
});

/**
 * An analyst's keys: a BFV key pair (parameters, public key, and the secret key behind an explicit
 * accessor) and an Ed25519 identity that signs the BFV key, so participants can tell it from a key a
 * coordinator might slip in.
 */
export class AnalystKeys {
  readonly #secretKey: Uint8Array;
  readonly #identitySecretKey: Uint8Array;
  /** The BFV parameters the keys were made for. */
  readonly params: BfvParameters;
  /** The analyst's Ed25519 public key (participants may list it as trusted). */
  readonly identity: Uint8Array;

  private constructor(
    params: BfvParameters,
    readonly publicKey: Uint8Array,
    secretKey: Uint8Array,
    identitySecretKey: Uint8Array,
  ) {
    this.params = params;
    this.#secretKey = secretKey;
    this.#identitySecretKey = identitySecretKey;
    this.identity = signingKeyPairFromSecret(identitySecretKey).publicKey;
  }

  /** The identity as hex, the form participants list in trustedAnalysts. */
  get identityHex(): string {
    return Buffer.from(this.identity).toString('hex');
  }

  /** The analyst's signature over the BFV public key and parameters (SubmitJobRequest.analyst_signature). */
  keySignature(): Uint8Array {
    return signAnalystKey(this.publicKey, this.sealedParams, this.#identitySecretKey);
  }

  /**
   * The analyst's signature over a job spec as submitted (SubmitJobRequest.spec_signature), so participants' grants can
   * name this analyst.
   */
  signSpec(specJson: string): Uint8Array {
    return sign('tessera/v1/job-spec', new TextEncoder().encode(specJson), this.#identitySecretKey);
  }

  /** The signature over an encrypted-scoring setup and the spec it is for (ScoringSetup.signature). */
  signScoringSetup(specJson: string, setup: tessera.v1.IScoringSetup): Uint8Array {
    return signScoringSetup(specJson, setup, this.#identitySecretKey);
  }

  /** A copy of the identity's secret key (for saving the key file). */
  identitySecretKeyBytes(): Uint8Array {
    return this.#identitySecretKey.slice();
  }

  /**
   * Checks that the parameters are valid, both keys load under them and belong together (a random
   * vector encrypted under the public key decrypts to itself under the secret key). Throws otherwise.
   */
  static async fromBytes(
    params: SealedParams,
    publicKey: Uint8Array,
    secretKey: Uint8Array,
    identitySecretKey: Uint8Array,
  ): Promise<AnalystKeys> {
    await loadSeal();
    const full = fullParams(params);
    validateBfvParameters(full);
    if (identitySecretKey.length !== 32)
      throw new AnalystKeysError(`the identity secret key must be 32 bytes, got ${identitySecretKey.length}`);
    const keys = new AnalystKeys(
      full,
      Uint8Array.from(publicKey),
      Uint8Array.from(secretKey),
      Uint8Array.from(identitySecretKey),
    );
    keys.check();
    return keys;
  }

  /** Fresh keys: n = 4096 and the largest 32-bit batching prime, which covers every federation size jobs use. */
  static async create(): Promise<AnalystKeys> {
    await loadSeal();
    const params = chooseBfvParameters({ participants: 1, bitsPerCoordinate: 1 });
    const pair = BfvKeyPair.generate(params);
    return new AnalystKeys(params, pair.publicKey, pair.secretKeyBytes(), generateSigningKeyPair().secretKey);
  }

  /** A copy of the serialized secret key. Keep it private: whoever holds it reads every sealed aggregate. */
  secretKeyBytes(): Uint8Array {
    return this.#secretKey.slice();
  }

  /** The parameters as plain data, as SubmitJobRequest.sealed_params_json carries them. */
  get sealedParams(): SealedParams {
    return wireParams(this.params);
  }

  /** SHA-256 of the public key (hex), to recognise a key without printing it. */
  get fingerprint(): string {
    return createHash('sha256').update(this.publicKey).digest('hex');
  }

  /** A decryptor for sealed aggregates; `dispose()` it when done. */
  decryptor(): BfvDecryptor {
    return new BfvDecryptor(this.params, this.#secretKey);
  }

  private check(): void {
    const probe = new Uint32Array(16);
    const bytes = randomBytes(probe.length * 4);
    const p = plainModulusOf(this.params);
    for (let i = 0; i < probe.length; i++) probe[i] = bytes.readUInt32LE(i * 4) % p;
    let enc: BfvEncryptor | undefined;
    let dec: BfvDecryptor | undefined;
    try {
      enc = new BfvEncryptor(this.params, this.publicKey);
      dec = this.decryptor();
      let back: Uint32Array | undefined;
      try {
        back = dec.decrypt(enc.encrypt(probe), probe.length);
      } catch {
        back = undefined;
      }
      if (!back?.every((v, i) => v === probe[i]))
        throw new AnalystKeysError(
          'the public key and the secret key do not belong together (a test encryption did not decrypt)',
        );
    } finally {
      enc?.dispose();
      dec?.dispose();
    }
  }

  toString(): string {
    return (
      `AnalystKeys(BFV n=${this.params.polyModulusDegree}, p=${plainModulusOf(this.params)}, ` +
      `public key sha256 ${this.fingerprint.slice(0, 16)})`
    );
  }

  /** Never the secret key: the parameters and the public key's fingerprint. */
  toJSON(): { params: SealedParams; publicKeySha256: string; identity: string } {
    return { params: this.sealedParams, publicKeySha256: this.fingerprint, identity: this.identityHex };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Creates a fresh analyst key pair (see `AnalystKeys.create`). */
export function createAnalystKeys(): Promise<AnalystKeys> {
  return AnalystKeys.create();
}

/**
 * Writes the key pair as JSON {format, version, params, publicKey, secretKey} (keys in base64) with
 * file mode 0600. Refuses to replace an existing file unless `overwrite`.
 */
export function saveAnalystKeys(path: string, keys: AnalystKeys, opts: { overwrite?: boolean } = {}): void {
  if (!opts.overwrite && existsSync(path))
    throw new AnalystKeysError(
      `${path} already exists: refusing to overwrite analyst keys (pass overwrite / --force to replace them)`,
    );
  const text = `${JSON.stringify({
    format: ANALYST_KEYS_FORMAT,
    version: ANALYST_KEYS_VERSION,
    params: keys.sealedParams,
    publicKey: Buffer.from(keys.publicKey).toString('base64'),
    secretKey: Buffer.from(keys.secretKeyBytes()).toString('base64'),
    identity: keys.identityHex,
    identitySecretKey: Buffer.from(keys.identitySecretKeyBytes()).toString('base64'),
  })}\n`;
  const flags = constants.O_WRONLY | constants.O_CREAT | (opts.overwrite ? constants.O_TRUNC : constants.O_EXCL);
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AnalystKeysError(
      code === 'EEXIST'
        ? `${path} already exists: refusing to overwrite analyst keys (pass overwrite / --force to replace them)`
        : `cannot write analyst keys to ${path}: ${(e as Error).message}`,
    );
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The fields of an analyst key file, checked for shape (not yet for what SEAL makes of them). */
export interface AnalystKeyFile {
  params: SealedParams;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  identitySecretKey: Uint8Array;
}

/**
 * Reads an analyst key file and checks its shape without loading SEAL (every analyst command needs the identity, only
 * sealed ones the BFV keys); errors name the file and the field.
 */
export function readAnalystKeyFile(path: string): AnalystKeyFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file (create one with `tessera keys create`)'
        : (e as Error).message;
    throw new AnalystKeysError(`cannot read analyst keys ${path}: ${reason}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AnalystKeysError(`${path}: not valid JSON (expected an analyst key file from \`tessera keys create\`)`);
  }
  const bad = (field: string, what: string) => new AnalystKeysError(`${path}: ${field} ${what}`);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('(top level)', 'must be a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.format !== ANALYST_KEYS_FORMAT)
    throw bad('format', `must be "${ANALYST_KEYS_FORMAT}", got ${JSON.stringify(d.format) ?? 'nothing'}`);
  if (d.version !== ANALYST_KEYS_VERSION)
    throw bad('version', `must be ${ANALYST_KEYS_VERSION}, got ${JSON.stringify(d.version) ?? 'nothing'}`);
  const p = d.params as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw bad('params', 'must be an object {polyModulusDegree, coeffModulusBits, plainModulus}');
  if (!Number.isInteger(p.polyModulusDegree))
    throw bad(
      'params.polyModulusDegree',
      `must be an integer, got ${JSON.stringify(p.polyModulusDegree) ?? 'nothing'}`,
    );
  if (
    !Array.isArray(p.coeffModulusBits) ||
    p.coeffModulusBits.length === 0 ||
    !p.coeffModulusBits.every((b) => Number.isInteger(b))
  ) {
    throw bad(
      'params.coeffModulusBits',
      `must be a non-empty array of integers, got ${JSON.stringify(p.coeffModulusBits) ?? 'nothing'}`,
    );
  }
  if (!Number.isSafeInteger(p.plainModulus))
    throw bad('params.plainModulus', `must be an integer, got ${JSON.stringify(p.plainModulus) ?? 'nothing'}`);
  const bytes = (field: 'publicKey' | 'secretKey' | 'identitySecretKey'): Uint8Array => {
    const v = d[field];
    if (typeof v !== 'string' || v.length === 0 || !BASE64.test(v))
      throw bad(field, 'must be a non-empty base64 string');
    return new Uint8Array(Buffer.from(v, 'base64'));
  };
  const params: SealedParams = {
    polyModulusDegree: p.polyModulusDegree as number,
    coeffModulusBits: p.coeffModulusBits as number[],
    plainModulus: p.plainModulus as number,
  };
  const publicKey = bytes('publicKey');
  const secretKey = bytes('secretKey');
  const identitySecretKey = bytes('identitySecretKey');
  if (identitySecretKey.length !== 32)
    throw bad('identitySecretKey', `must be a 32-byte Ed25519 secret key, got ${identitySecretKey.length} bytes`);
  return { params, publicKey, secretKey, identitySecretKey };
}

/** Reads and checks an analyst key file; errors name the file and the field. */
export async function loadAnalystKeys(path: string): Promise<AnalystKeys> {
  const { params, publicKey, secretKey, identitySecretKey } = readAnalystKeyFile(path);
  const bad = (field: string, what: string) => new AnalystKeysError(`${path}: ${field} ${what}`);
  await loadSeal();
  try {
    validateBfvParameters(fullParams(params));
  } catch (e) {
    throw bad('params', `are not valid BFV parameters: ${(e as Error).message}`);
  }
  try {
    new BfvEncryptor(fullParams(params), publicKey).dispose();
  } catch (e) {
    throw bad('publicKey', `is not a BFV public key for these parameters: ${(e as Error).message}`);
  }
  try {
    new BfvDecryptor(fullParams(params), secretKey).dispose();
  } catch (e) {
    throw bad('secretKey', `is not a BFV secret key for these parameters: ${(e as Error).message}`);
  }
  try {
    return await AnalystKeys.fromBytes(params, publicKey, secretKey, identitySecretKey);
  } catch (e) {
    throw new AnalystKeysError(`${path}: ${(e as Error).message}`);
  }
}
