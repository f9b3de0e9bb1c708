import { CHAIN_GENESIS, fromHex, sign, toHex, verify } from '@tessera/crypto';
import { entryHash, LEDGER_CONTEXT, LEDGER_VERSION } from './ledger-format.js';
import type { LedgerEntry, LedgerHead, PayoutRecord } from './ledger-types.js';

export type { LedgerEntry, LedgerHead, LedgerVersion, PayoutRecord } from './ledger-types.js';

export const GENESIS_HASH = CHAIN_GENESIS;

/**
 * The required fields of an entry in their fixed order (the order of the hash input and of an exported line). An
 * exported line starts with `version` when the entry has one (LEDGER_VERSION_FIELD).
 */
export const LEDGER_FIELDS = [
  'seq',
  'prevHash',
  'job',
  'participant',
  'amount',
  'currency',
  'method',
  'share',
  'timestamp',
  'hash',
  'signature',
] as const;
export type LedgerField = (typeof LEDGER_FIELDS)[number];
/** The optional first field of an exported line: the entry's format version (LedgerVersion). */
export const LEDGER_VERSION_FIELD = 'version';

const HASH = /^[0-9a-f]{64}$/;
const SIGNATURE = /^[0-9a-f]{128}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The reason a field value is invalid, or undefined when it is valid. */
export function fieldProblem(field: LedgerField | typeof LEDGER_VERSION_FIELD, value: unknown): string | undefined {
  const got = ` (got ${JSON.stringify(value) ?? String(value)})`;
  switch (field) {
    case 'version':
      return value === 1 || value === 2 ? undefined : `version must be 1 or 2${got}`;
    case 'seq':
      return Number.isSafeInteger(value) && (value as number) >= 1 ? undefined : `seq must be a positive integer${got}`;
    case 'prevHash':
    case 'hash':
      return typeof value === 'string' && HASH.test(value)
        ? undefined
        : `${field} must be 64 lower-case hex characters${got}`;
    case 'signature':
      return typeof value === 'string' && SIGNATURE.test(value)
        ? undefined
        : `signature must be 128 lower-case hex characters${got}`;
    case 'job':
    case 'participant':
    case 'method':
      return typeof value === 'string' && value !== '' ? undefined : `${field} must be a non-empty string${got}`;
    case 'amount':
      return Number.isSafeInteger(value) && (value as number) >= 0
        ? undefined
        : `amount must be a non-negative integer number of minor units${got}`;
    case 'currency':
      return typeof value === 'string' && /^[A-Z]{3}$/.test(value)
        ? undefined
        : `currency must be a three-letter ISO 4217 code${got}`;
    case 'share':
      return typeof value === 'number' && value >= 0 && value <= 1
        ? undefined
        : `share must be a number from 0 to 1${got}`;
    case 'timestamp':
      return typeof value === 'string' && ISO_8601.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `timestamp must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z${got}`;
  }
}

/** Throws a RangeError naming the record and field unless every field of `record` is valid. */
function checkRecord(record: PayoutRecord, index: number): void {
  for (const field of ['job', 'participant', 'amount', 'currency', 'method', 'share', 'timestamp'] as const) {
    const problem = fieldProblem(field, record[field]);
    if (problem) throw new RangeError(`records[${index}]: ${problem}`);
  }
}

/** Chains and signs records after `head` with the coordinator's Ed25519 secret key, in format LEDGER_VERSION. */
export function appendEntries(
  head: LedgerHead,
  records: readonly PayoutRecord[],
  secretKey: Uint8Array,
): LedgerEntry[] {
  if (!Number.isSafeInteger(head.seq) || head.seq < 0)
    throw new RangeError(`head.seq must be a non-negative integer, got ${head.seq}`);
  if (!HASH.test(head.hash)) throw new RangeError(`head.hash must be 64 lower-case hex characters, got "${head.hash}"`);
  records.forEach(checkRecord);
  const out: LedgerEntry[] = [];
  let { seq, hash: prevHash } = head;
  for (const r of records) {
    seq++;
    const unsigned = {
      version: LEDGER_VERSION,
      seq,
      prevHash,
      job: r.job,
      participant: r.participant,
      amount: r.amount,
      currency: r.currency,
      method: r.method,
      share: r.share,
      timestamp: r.timestamp,
    };
    const hash = entryHash(unsigned);
    const signature = toHex(sign(LEDGER_CONTEXT, fromHex(hash), secretKey));
    out.push({ ...unsigned, hash, signature });
    prevHash = hash;
  }
  return out;
}

/**
 * One exported line: JSON with keys in the order version (when the entry has one), seq, prevHash, job, participant,
 * amount, currency, method, share, timestamp, hash, signature.
 */
export function ledgerLine(e: LedgerEntry): string {
  const ordered: Record<string, unknown> = {};
  if (e.version !== undefined) ordered[LEDGER_VERSION_FIELD] = e.version;
  for (const field of LEDGER_FIELDS) ordered[field] = e[field];
  return JSON.stringify(ordered);
}

/**
 * Hash and signature of one entry (a participant's receipt): true when both hold under the coordinator's public key.
 */
export function verifyEntry(e: LedgerEntry, publicKey: Uint8Array): boolean {
  if (LEDGER_FIELDS.some((f) => fieldProblem(f, e[f]) !== undefined)) return false;
  if (e.version !== undefined && fieldProblem(LEDGER_VERSION_FIELD, e.version) !== undefined) return false;
  return entryHash(e) === e.hash && verify(LEDGER_CONTEXT, fromHex(e.hash), fromHex(e.signature), publicKey);
}
