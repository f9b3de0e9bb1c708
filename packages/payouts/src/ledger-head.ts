/** Signed ledger heads (the coordinator's word on the ledger's length and newest hash) and members' cosignatures. */
import { fromHex, lengthPrefixed, sign, toHex, verify } from '@tessera/crypto';
import type { LedgerHead } from './ledger-types.js';

/** The context of the coordinator's Ed25519 signature over a ledger head (seq, hash). */
export const LEDGER_HEAD_CONTEXT = 'tessera/v1/payout-ledger-head';
/** The context of a participant's Ed25519 countersignature over a ledger head it received. */
export const LEDGER_COSIGN_CONTEXT = 'tessera/v1/payout-ledger-cosignature';

/** A ledger head with the coordinator's signature (hex) over it. */
export interface SignedLedgerHead extends LedgerHead {
  signature: string;
}

/** A member's countersignature over a signed head of the ledger of `coordinatorKey` (all hex). */
export interface LedgerCosignature {
  participant: string;
  /** The participant's Ed25519 identity key. */
  publicKey: string;
  coordinatorKey: string;
  seq: number;
  hash: string;
  signature: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const utf8 = new TextEncoder();

function u64(seq: number): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new RangeError(`head seq must be a non-negative integer, got ${seq}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(seq), false);
  return out;
}

function headHash(hash: string): Uint8Array {
  if (!HEX64.test(hash)) throw new RangeError(`head hash must be 64 lower-case hex characters, got "${hash}"`);
  return fromHex(hash);
}

/** The bytes the coordinator signs for a head: length-prefixed (seq as 8 bytes big-endian, hash as 32 bytes). */
export function headMessage(head: LedgerHead): Uint8Array {
  return lengthPrefixed(u64(head.seq), headHash(head.hash));
}

/**
 * The bytes a participant countersigns: length-prefixed (coordinator key, seq, hash, participant id as UTF-8), so a
 * cosignature names the ledger (by its key) and the member, and is valid for nothing else.
 */
export function cosignatureMessage(c: Omit<LedgerCosignature, 'signature' | 'publicKey'>): Uint8Array {
  if (!HEX64.test(c.coordinatorKey))
    throw new RangeError(`coordinatorKey must be 64 lower-case hex characters, got "${c.coordinatorKey}"`);
  return lengthPrefixed(fromHex(c.coordinatorKey), u64(c.seq), headHash(c.hash), utf8.encode(c.participant));
}

/** Signs `head` with the coordinator's ledger key. */
export function signHead(head: LedgerHead, secretKey: Uint8Array): SignedLedgerHead {
  return { seq: head.seq, hash: head.hash, signature: toHex(sign(LEDGER_HEAD_CONTEXT, headMessage(head), secretKey)) };
}

/** True when the head is well formed and its signature verifies under the coordinator's key. */
export function verifyHead(head: SignedLedgerHead, coordinatorKey: Uint8Array): boolean {
  if (!Number.isSafeInteger(head.seq) || head.seq < 1 || !HEX64.test(head.hash) || !HEX128.test(head.signature))
    return false;
  return verify(LEDGER_HEAD_CONTEXT, headMessage(head), fromHex(head.signature), coordinatorKey);
}

/** A participant's countersignature over a head of the ledger signed by `coordinatorKey`. */
export function cosignHead(
  head: LedgerHead,
  coordinatorKey: string,
  participant: string,
  identity: { publicKey: Uint8Array; secretKey: Uint8Array },
): LedgerCosignature {
  const unsigned = { participant, coordinatorKey: coordinatorKey.toLowerCase(), seq: head.seq, hash: head.hash };
  const signature = toHex(sign(LEDGER_COSIGN_CONTEXT, cosignatureMessage(unsigned), identity.secretKey));
  return { ...unsigned, publicKey: toHex(identity.publicKey), signature };
}

/** The reason a cosignature is malformed or does not verify under its own public key, or undefined. */
export function cosignatureProblem(c: LedgerCosignature): string | undefined {
  if (typeof c.participant !== 'string' || c.participant === '') return 'participant must be a non-empty string';
  if (typeof c.publicKey !== 'string' || !HEX64.test(c.publicKey))
    return 'publicKey must be 64 lower-case hex characters';
  if (typeof c.coordinatorKey !== 'string' || !HEX64.test(c.coordinatorKey))
    return 'coordinatorKey must be 64 lower-case hex characters';
  if (!Number.isSafeInteger(c.seq) || c.seq < 1) return `seq must be a positive integer (got ${String(c.seq)})`;
  if (typeof c.hash !== 'string' || !HEX64.test(c.hash)) return 'hash must be 64 lower-case hex characters';
  if (typeof c.signature !== 'string' || !HEX128.test(c.signature))
    return 'signature must be 128 lower-case hex characters';
  if (!verify(LEDGER_COSIGN_CONTEXT, cosignatureMessage(c), fromHex(c.signature), fromHex(c.publicKey)))
    return `the signature does not verify under participant ${c.participant}'s key ${c.publicKey.slice(0, 16)}...`;
  return undefined;
}

/** One exported cosignature line: JSON with keys in a fixed order. */
export function cosignatureLine(c: LedgerCosignature): string {
  return JSON.stringify({
    participant: c.participant,
    publicKey: c.publicKey,
    coordinatorKey: c.coordinatorKey,
    seq: c.seq,
    hash: c.hash,
    signature: c.signature,
  });
}

/** Parses one cosignature line (types only; cosignatureProblem checks the signature). Throws naming the line. */
export function parseCosignatureLine(text: string, line: number): LedgerCosignature {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`cosignature line ${line} is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new RangeError(`cosignature line ${line} is not a JSON object`);
  const o = parsed as Record<string, unknown>;
  for (const k of ['participant', 'publicKey', 'coordinatorKey', 'hash', 'signature'])
    if (typeof o[k] !== 'string') throw new RangeError(`cosignature line ${line}: field ${k} must be a string`);
  if (typeof o.seq !== 'number') throw new RangeError(`cosignature line ${line}: field seq must be a number`);
  return o as unknown as LedgerCosignature;
}
