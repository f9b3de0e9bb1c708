// A signed analyst call, for a coordinator in plaintext on loopback (--insecure), where no client certificate can
// authenticate the analyst: each call carries the analyst's Ed25519 signature over the method, the time and a nonce.
import { randomBytes } from 'node:crypto';
import { lengthPrefixed, sign, verify, type SigningKeyPair } from '@tessera/crypto';

/** Signature context of a signed call. */
export const ANALYST_CALL_CONTEXT = 'tessera/v1/analyst-call';

/** The metadata entry a signed call travels in. */
export const ANALYST_CALL_METADATA = 'tessera-analyst-call';

/** A signed call as the coordinator reads it. */
export interface SignedAnalystCall {
  /** The analyst's Ed25519 public key. */
  identity: Uint8Array;
  timeMs: number;
  /** 16 random bytes: the coordinator refuses a nonce it has seen, so a captured call cannot be replayed. */
  nonce: Uint8Array;
  signature: Uint8Array;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** v1.<identity, 64 hex>.<unix ms>.<nonce, base64url>.<signature, base64url> */
const FORMAT = /^v1\.([0-9a-f]{64})\.(\d{1,15})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{86})$/;

function callMessage(method: string, c: Pick<SignedAnalystCall, 'identity' | 'timeMs' | 'nonce'>): Uint8Array {
  return lengthPrefixed(utf8(method), c.identity, utf8(String(c.timeMs)), c.nonce);
}

/** The metadata value that signs one call of `method` (its path, e.g. /tessera.v1.AnalystService/GetJob). */
export function signAnalystCall(method: string, identity: SigningKeyPair, now = Date.now()): string {
  const call = { identity: identity.publicKey, timeMs: now, nonce: new Uint8Array(randomBytes(16)) };
  const signature = sign(ANALYST_CALL_CONTEXT, callMessage(method, call), identity.secretKey);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  return `v1.${Buffer.from(call.identity).toString('hex')}.${now}.${b64(call.nonce)}.${b64(signature)}`;
}

/** Reads a signed call's metadata value; undefined when it is not one. Checks nothing else: see verifyAnalystCall. */
export function parseAnalystCall(value: string): SignedAnalystCall | undefined {
  const m = FORMAT.exec(value);
  if (!m) return undefined;
  return {
    identity: new Uint8Array(Buffer.from(m[1]!, 'hex')),
    timeMs: Number(m[2]),
    nonce: new Uint8Array(Buffer.from(m[3]!, 'base64url')),
    signature: new Uint8Array(Buffer.from(m[4]!, 'base64url')),
  };
}

/** True when the signature is the identity's over this method, time and nonce (freshness is the caller's check). */
export function verifyAnalystCall(method: string, call: SignedAnalystCall): boolean {
  return verify(ANALYST_CALL_CONTEXT, callMessage(method, call), call.signature, call.identity);
}
