import { fromHex, sha256Hex, sign, toHex, verify } from '@tessera/crypto';

export const LEDGER_CONTEXT = 'tessera/v1/payout-ledger';
export const GENESIS_HASH = '0'.repeat(64);

/** One payment to one participant for one job. */
export interface PayoutRecord {
  job: string;
  participant: string;
  amount: number;
  currency: string;
  method: string;
  share: number;
  timestamp: string;
}
/** A record chained to its predecessor and signed by the coordinator. */
export interface LedgerEntry extends PayoutRecord {
  seq: number;
  prevHash: string;
  hash: string;
  signature: string;
}
/** The newest entry of a ledger: {seq: 0, hash: GENESIS_HASH} for an empty ledger. */
export interface LedgerHead {
  seq: number;
  hash: string;
}

/** The fields of an entry in their fixed order (the order of the hash input and of an exported line). */
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

const HASH = /^[0-9a-f]{64}$/;
const SIGNATURE = /^[0-9a-f]{128}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The reason a field value is invalid, or undefined when it is valid. */
export function fieldProblem(field: (typeof LEDGER_FIELDS)[number], value: unknown): string | undefined {
  const got = ` (got ${JSON.stringify(value) ?? String(value)})`;
  switch (field) {
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

/**
 * SHA-256 (hex) of the canonical encoding of seq, prevHash and the record fields in this fixed order:
 * seq, prevHash, job, participant, amount, currency, method, share, timestamp. The encoding is the JSON array
 * [LEDGER_CONTEXT, seq, prevHash, job, ...] (JSON strings are quoted and escaped, so no two entries encode alike).
 */
export function entryHash(e: Omit<LedgerEntry, 'hash' | 'signature'>): string {
  return sha256Hex(
    JSON.stringify([
      LEDGER_CONTEXT,
      e.seq,
      e.prevHash,
      e.job,
      e.participant,
      e.amount,
      e.currency,
      e.method,
      e.share,
      e.timestamp,
    ]),
  );
}

/** Throws a RangeError naming the record and field unless every field of `record` is valid. */
function checkRecord(record: PayoutRecord, index: number): void {
  for (const field of ['job', 'participant', 'amount', 'currency', 'method', 'share', 'timestamp'] as const) {
    const problem = fieldProblem(field, record[field]);
    if (problem) throw new RangeError(`records[${index}]: ${problem}`);
  }
}

/** Chains and signs records after `head` with the coordinator's Ed25519 secret key. */
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
 * One exported line: JSON with keys in the order seq, prevHash, job, participant, amount, currency, method, share,
 * timestamp, hash, signature.
 */
export function ledgerLine(e: LedgerEntry): string {
  const ordered: Record<string, unknown> = {};
  for (const field of LEDGER_FIELDS) ordered[field] = e[field];
  return JSON.stringify(ordered);
}

/**
 * Hash and signature of one entry (a participant's receipt): true when both hold under the coordinator's public key.
 */
export function verifyEntry(e: LedgerEntry, publicKey: Uint8Array): boolean {
  if (LEDGER_FIELDS.some((f) => fieldProblem(f, e[f]) !== undefined)) return false;
  return entryHash(e) === e.hash && verify(LEDGER_CONTEXT, fromHex(e.hash), fromHex(e.signature), publicKey);
}
