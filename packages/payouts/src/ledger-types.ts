/** The types of the payout ledger: a payment, its chained and signed entry, and a ledger's head. */

/**
 * How an entry is hashed. 1: the JSON array of LEDGER_CONTEXT and the fields (entries without a `version` field,
 * written before version 2 existed). 2: the shared hash chain of @tessera/crypto under PAYOUT_CHAIN's tag.
 */
export type LedgerVersion = 1 | 2;

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
  /** The format the hash is computed in; absent (version 1) in entries written before version 2. */
  version?: LedgerVersion;
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
