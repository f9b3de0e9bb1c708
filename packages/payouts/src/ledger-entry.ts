import { CHAIN_GENESIS, fromHex, sign, toHex, verify } from '@tessera/crypto';
import { entryHash, entryVersion, LEDGER_CONTEXT, LEDGER_VERSION } from './ledger-format.js';
import {
  LEDGER_KINDS,
  type LedgerEntry,
  type LedgerHead,
  type LedgerKind,
  type LedgerVersion,
  type PayoutRecord,
} from './ledger-types.js';

export type { LedgerEntry, LedgerHead, LedgerKind, LedgerVersion, PayoutRecord } from './ledger-types.js';
export { LEDGER_KINDS } from './ledger-types.js';

export const GENESIS_HASH = CHAIN_GENESIS;

/**
 * The fields every entry has, in their fixed order (the order of the hash input and of an exported line). An
 * exported line starts with `version` when the entry has one (LEDGER_VERSION_FIELD); a version 3 entry has
 * LEDGER_V3_FIELDS after `timestamp` (see ledgerFields).
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
/** The fields version 3 adds, placed after `timestamp` and before `hash`. */
export const LEDGER_V3_FIELDS = ['kind', 'product', 'sale'] as const;
export type LedgerField = (typeof LEDGER_FIELDS)[number] | (typeof LEDGER_V3_FIELDS)[number];
/** The optional first field of an exported line: the entry's format version (LedgerVersion). */
export const LEDGER_VERSION_FIELD = 'version';

const FIELDS_V3: readonly LedgerField[] = [...LEDGER_FIELDS.slice(0, 9), ...LEDGER_V3_FIELDS, 'hash', 'signature'];

/** The fields of an entry of `version`, in the order of an exported line (after `version`) and of the hash input. */
export function ledgerFields(version: LedgerVersion): readonly LedgerField[] {
  return version === 3 ? FIELDS_V3 : LEDGER_FIELDS;
}

/** The fields of a record (an entry without its chain fields), in line order. */
const RECORD_FIELDS = ['job', 'participant', 'amount', 'currency', 'method', 'share', 'timestamp'] as const;

const HASH = /^[0-9a-f]{64}$/;
const SIGNATURE = /^[0-9a-f]{128}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The sign rule of `amount` per kind: [test, wording]. */
const AMOUNT_RULE: Record<LedgerKind, [(n: number) => boolean, string]> = {
  payout: [(n) => n >= 0, 'a non-negative integer number of minor units'],
  refund: [(n) => n <= 0, 'a non-positive integer number of minor units for a refund (minus the amount taken back)'],
  sale: [(n) => n > 0, 'a positive integer number of minor units for a sale (its price)'],
  'buyer-refund': [(n) => n < 0, 'a negative integer number of minor units for a buyer-refund (minus the refund)'],
};

/**
 * The reason a field value is invalid, or undefined when it is valid. `kind` (version 3; default `payout`, which is
 * every older entry) decides the sign of `amount`, that `share` is 1 for a sale or buyer-refund and that `method` is
 * `refund` for a refund or buyer-refund. Whether `product` and `sale` may be empty is entryProblem's (across fields).
 */
export function fieldProblem(
  field: LedgerField | typeof LEDGER_VERSION_FIELD,
  value: unknown,
  kind: LedgerKind = 'payout',
): string | undefined {
  const got = ` (got ${JSON.stringify(value) ?? String(value)})`;
  switch (field) {
    case 'version':
      return value === 1 || value === 2 || value === 3 ? undefined : `version must be 1, 2 or 3${got}`;
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
      return typeof value === 'string' && value !== '' ? undefined : `${field} must be a non-empty string${got}`;
    case 'method':
      if (kind === 'refund' || kind === 'buyer-refund')
        return value === 'refund' ? undefined : `method must be "refund" for a ${kind} entry${got}`;
      return typeof value === 'string' && value !== '' ? undefined : `method must be a non-empty string${got}`;
    case 'amount': {
      const [ok, wording] = AMOUNT_RULE[kind];
      return Number.isSafeInteger(value) && ok(value as number) ? undefined : `amount must be ${wording}${got}`;
    }
    case 'currency':
      return typeof value === 'string' && /^[A-Z]{3}$/.test(value)
        ? undefined
        : `currency must be a three-letter ISO 4217 code${got}`;
    case 'share':
      if (kind === 'sale' || kind === 'buyer-refund')
        return value === 1 ? undefined : `share must be 1 for a ${kind} entry${got}`;
      return typeof value === 'number' && value >= 0 && value <= 1
        ? undefined
        : `share must be a number from 0 to 1${got}`;
    case 'timestamp':
      return typeof value === 'string' && ISO_8601.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `timestamp must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z${got}`;
    case 'kind':
      return LEDGER_KINDS.includes(value as LedgerKind)
        ? undefined
        : `kind must be one of ${LEDGER_KINDS.join(', ')}${got}`;
    case 'product':
    case 'sale':
      return typeof value === 'string' ? undefined : `${field} must be a string${got}`;
  }
}

/**
 * The reason a record's fields (not its chain fields) are invalid in format `version`, or undefined: each field
 * (fieldProblem, under the entry's kind), and across fields: a version 3 entry has `kind`, `product` and `sale`, an
 * older one none of them; `product` and `sale` are both '' (a job's own payout) or both set, and set for every kind
 * but `payout`.
 */
export function entryProblem(r: PayoutRecord, version: LedgerVersion): string | undefined {
  if (version < 3) {
    const extra = LEDGER_V3_FIELDS.find((f) => r[f] !== undefined);
    return extra === undefined
      ? RECORD_FIELDS.map((f) => fieldProblem(f, r[f])).find((p) => p !== undefined)
      : `${extra} is a field of version 3 entries, this one is version ${version}` +
          ` (got ${JSON.stringify(r[extra])}; write the entry as version 3 or drop the field)`;
  }
  const kindProblem = fieldProblem('kind', r.kind);
  if (kindProblem) return kindProblem;
  const kind = r.kind as LedgerKind;
  for (const f of [...RECORD_FIELDS, 'product', 'sale'] as const) {
    const problem = fieldProblem(f, r[f], kind);
    if (problem) return problem;
  }
  const { product, sale } = r as Required<PayoutRecord>;
  if (kind === 'payout' && product === '' && sale === '') return undefined;
  if (product === '')
    return kind === 'payout'
      ? `product must be set for a sale's payout (sale is ${JSON.stringify(sale)}; a job's own payout has neither)`
      : `product must be the product's id for a ${kind} entry (got "")`;
  if (sale === '')
    return kind === 'payout'
      ? `sale must be set for a sale's payout (product is ${JSON.stringify(product)}; a job's own payout has neither)`
      : `sale must be the sale's id for a ${kind} entry (got "")`;
  return undefined;
}

/** Throws a RangeError naming the record and field unless `record` is valid as a version LEDGER_VERSION entry. */
function checkRecord(record: PayoutRecord, index: number): void {
  const problem = entryProblem(withDefaults(record), LEDGER_VERSION);
  if (problem) throw new RangeError(`records[${index}]: ${problem}`);
}

/** The record with its version 3 fields filled in: absent means kind payout, product '', sale ''. */
function withDefaults(r: PayoutRecord): Required<PayoutRecord> {
  return { ...r, kind: r.kind ?? 'payout', product: r.product ?? '', sale: r.sale ?? '' };
}

/**
 * Chains and signs records after `head` with the coordinator's Ed25519 secret key, in format LEDGER_VERSION (3):
 * a record without `kind`, `product` or `sale` is a job's own payout (payout, '', '').
 */
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
  for (const record of records) {
    const r = withDefaults(record);
    seq++;
    const unsigned = {
      version: LEDGER_VERSION,
      seq,
      prevHash,
      job: r.job,
      participant: r.participant,
      // -0 (a zero refund) is stored as 0, as JSON would.
      amount: r.amount === 0 ? 0 : r.amount,
      currency: r.currency,
      method: r.method,
      share: r.share,
      timestamp: r.timestamp,
      kind: r.kind,
      product: r.product,
      sale: r.sale,
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
 * amount, currency, method, share, timestamp, then kind, product, sale (version 3), then hash, signature.
 */
export function ledgerLine(e: LedgerEntry): string {
  const ordered: Record<string, unknown> = {};
  if (e.version !== undefined) ordered[LEDGER_VERSION_FIELD] = e.version;
  for (const field of ledgerFields(entryVersion(e))) ordered[field] = e[field];
  return JSON.stringify(ordered);
}

/** The reason an entry's chain fields (seq, prevHash, hash, signature) are invalid, or undefined. */
export function chainProblem(e: Pick<LedgerEntry, 'seq' | 'prevHash' | 'hash' | 'signature'>): string | undefined {
  for (const f of ['seq', 'prevHash', 'hash', 'signature'] as const) {
    const problem = fieldProblem(f, e[f]);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Hash and signature of one entry (a participant's receipt): true when both hold under the coordinator's public key.
 */
export function verifyEntry(e: LedgerEntry, publicKey: Uint8Array): boolean {
  if (e.version !== undefined && fieldProblem(LEDGER_VERSION_FIELD, e.version) !== undefined) return false;
  if (chainProblem(e) !== undefined || entryProblem(e, entryVersion(e)) !== undefined) return false;
  return entryHash(e) === e.hash && verify(LEDGER_CONTEXT, fromHex(e.hash), fromHex(e.signature), publicKey);
}
