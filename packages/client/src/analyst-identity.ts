// The analyst's Ed25519 identity, the one `tessera keys create` puts in the key file: it signs every job spec, each
// call to a plaintext loopback coordinator, and the TLS key the coordinator's CA certifies at join.
import { randomBytes } from 'node:crypto';
import {
  generateSigningKeyPair,
  readSecretFile,
  sign,
  signingKeyPairFromSecret,
  type SigningKeyPair,
} from '@tessera/crypto';
import { signAnalystCall, signScoringSetup, signTlsKey, type tessera } from '@tessera/proto';
import { readAnalystKeyFile, type AnalystKeys } from './sealed/analyst-keys.js';

/** The signature context of a job spec (participants' consent grants name analysts by the key that signed it). */
const JOB_SPEC_CONTEXT = 'tessera/v1/job-spec';

/** The signature context of a web console login challenge (packages/console: login-challenges.ts). */
export const CONSOLE_LOGIN_CONTEXT = 'tessera/v1/console-login';

/** An analyst identity: its public key, and signatures with its secret key (which it never shows). */
export class AnalystIdentity {
  readonly #pair: SigningKeyPair;

  private constructor(pair: SigningKeyPair) {
    this.#pair = pair;
  }

  /** A fresh identity (an in-process federation's analyst; `tessera keys create` makes one for people). */
  static generate(): AnalystIdentity {
    return new AnalystIdentity(generateSigningKeyPair());
  }

  static fromSecretKey(secretKey: Uint8Array): AnalystIdentity {
    return new AnalystIdentity(signingKeyPairFromSecret(Uint8Array.from(secretKey)));
  }

  /** The identity of analyst keys (the one that signs their BFV key, so sealed jobs and specs agree). */
  static of(keys: Pick<AnalystKeys, 'identitySecretKeyBytes'>): AnalystIdentity {
    return AnalystIdentity.fromSecretKey(keys.identitySecretKeyBytes());
  }

  /** The Ed25519 public key. */
  get identity(): Uint8Array {
    return this.#pair.publicKey;
  }

  get identityHex(): string {
    return Buffer.from(this.#pair.publicKey).toString('hex');
  }

  /** The signature over a job spec as submitted (SubmitJobRequest.spec_signature). */
  signSpec(specJson: string): Uint8Array {
    return sign(JOB_SPEC_CONTEXT, new TextEncoder().encode(specJson), this.#pair.secretKey);
  }

  /** The signature over an encrypted-scoring setup and the spec it is for (ScoringSetup.signature). */
  signScoringSetup(specJson: string, setup: tessera.v1.IScoringSetup): Uint8Array {
    return signScoringSetup(specJson, setup, this.#pair.secretKey);
  }

  /** The signature over a web console's login challenge (tessera console open): proves this identity to it. */
  signConsoleChallenge(challenge: string): Uint8Array {
    return sign(CONSOLE_LOGIN_CONTEXT, new TextEncoder().encode(challenge), this.#pair.secretKey);
  }

  /** The metadata value of one signed call of `method` (a plaintext coordinator's authentication). */
  signCall(method: string): string {
    return signAnalystCall(method, this.#pair);
  }

  /** The signature that vouches for a TLS public key at join (with the invitation's secret, or '' to renew). */
  signTlsKey(invitationSecret: string, tlsPublicKey: Uint8Array): Uint8Array {
    return signTlsKey('analyst', invitationSecret, tlsPublicKey, this.#pair.secretKey);
  }

  toString(): string {
    return `AnalystIdentity(${this.identityHex.slice(0, 16)}...)`;
  }

  toJSON(): { identity: string } {
    return { identity: this.identityHex };
  }
}

/**
 * The identity in an analyst key file (tessera keys create), read without loading the BFV keys into SEAL: every analyst
 * command needs the identity, only sealed ones the BFV keys. The file is checked as loadAnalystKeys checks it (errors
 * name the file and the field), and one that other users can read is refused (LoosePermissionsError names the fix).
 */
export function loadAnalystIdentity(path: string): AnalystIdentity {
  const { identitySecretKey } = readAnalystKeyFile(path);
  readSecretFile(path); // refuses a key file others can read
  return AnalystIdentity.fromSecretKey(identitySecretKey);
}

/**
 * The spec with a fresh submission stamp (`submission: {nonce, at}`) signed into it: a participant runs a signed spec
 * under one job id only, so a coordinator cannot replay an authorised spec as a new job with another cohort, while
 * each submission of the same spec by the analyst is a new signed spec and runs. A spec that already carries a
 * `submission` keeps it (the caller stamped it).
 */
export function stampedSpec(spec: object, now: Date = new Date()): object {
  if ('submission' in spec) return spec;
  return { ...spec, submission: { nonce: randomBytes(16).toString('hex'), at: now.toISOString() } };
}
