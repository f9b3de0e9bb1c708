import { hashChain, sha256Hex } from '@tessera/crypto';
import type { LedgerEntry, LedgerVersion } from './ledger-types.js';

/**
 * The context of every entry's Ed25519 signature (over the entry's hash). It predates format versions, hence its
 * "v1"; it did not change with version 2, whose hashes are already domain-separated by PAYOUT_CHAIN's tag.
 */
export const LEDGER_CONTEXT = 'tessera/v1/payout-ledger';

export type { LedgerVersion } from './ledger-types.js';

/** The version appendEntries writes. A ledger moves from version 1 to 2 to 3 at any entry, never back. */
export const LEDGER_VERSION: LedgerVersion = 3;

/** The version 2 chain: link(seq, prevHash, [job, participant, amount, currency, method, share, timestamp]). */
export const PAYOUT_CHAIN = hashChain('tessera/payout-ledger/v2');

/**
 * The version 3 chain: link(seq, prevHash, [job, participant, amount, currency, method, share, timestamp, kind,
 * product, sale]).
 */
export const PAYOUT_CHAIN_V3 = hashChain('tessera/payout-ledger/v3');

/** The entry's format version: 1 when it has no `version` field. */
export function entryVersion(e: { version?: LedgerVersion }): LedgerVersion {
  return e.version ?? 1;
}

/**
 * The version 1 hash: SHA-256 (hex) of the JSON array [LEDGER_CONTEXT, seq, prevHash, job, participant, amount,
 * currency, method, share, timestamp] (JSON strings are quoted and escaped, so no two entries encode alike).
 */
function entryHashV1(e: Omit<LedgerEntry, 'hash' | 'signature'>): string {
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

function entryHashV2(e: Omit<LedgerEntry, 'hash' | 'signature'>): string {
  return PAYOUT_CHAIN.link(e.seq, e.prevHash, [
    e.job,
    e.participant,
    e.amount,
    e.currency,
    e.method,
    e.share,
    e.timestamp,
  ]);
}

/** Version 3 hashes the three fields it adds (entryProblem requires them of a version 3 entry). */
function entryHashV3(e: Omit<LedgerEntry, 'hash' | 'signature'>): string {
  return PAYOUT_CHAIN_V3.link(e.seq, e.prevHash, [
    e.job,
    e.participant,
    e.amount,
    e.currency,
    e.method,
    e.share,
    e.timestamp,
    e.kind ?? 'payout',
    e.product ?? '',
    e.sale ?? '',
  ]);
}

/** The hash of an entry in the encoding of its format version (see LedgerVersion). */
export function entryHash(e: Omit<LedgerEntry, 'hash' | 'signature'>): string {
  const version = entryVersion(e);
  switch (version) {
    case 1:
      return entryHashV1(e);
    case 2:
      return entryHashV2(e);
    case 3:
      return entryHashV3(e);
    default:
      throw new RangeError(`unknown payout ledger format version ${String(version)}`);
  }
}
