/** The types of the payout ledger: a payment, its chained and signed entry, and a ledger's head. */

/**
 * How an entry is hashed. 1: the JSON array of LEDGER_CONTEXT and the fields (entries without a `version` field,
 * written before version 2 existed). 2: the shared hash chain of @tessera/crypto under PAYOUT_CHAIN's tag. 3: the
 * same chain under PAYOUT_CHAIN_V3's tag, over the fields of version 2 and `kind`, `product` and `sale`.
 */
export type LedgerVersion = 1 | 2 | 3;

/**
 * What an entry records (version 3; older entries are all `payout`s of a job): `payout` pays a member (a job's own
 * payout, or its part of a sale), `refund` takes part of a sale's payout back (amount <= 0), `sale` is the sale
 * itself (the buyer and the price) and `buyer-refund` the money returned to the buyer (amount < 0).
 */
export type LedgerKind = 'payout' | 'refund' | 'sale' | 'buyer-refund';

/** The kinds of version 3, in a fixed order. */
export const LEDGER_KINDS: readonly LedgerKind[] = ['payout', 'refund', 'sale', 'buyer-refund'];

/** One payment to one participant for one job, or (version 3) one event of a product's sale. */
export interface PayoutRecord {
  job: string;
  participant: string;
  amount: number;
  currency: string;
  method: string;
  share: number;
  timestamp: string;
  /** Version 3: what the entry records; absent means `payout`. */
  kind?: LedgerKind;
  /** Version 3: the product id; '' (or absent) for a job's own payout. */
  product?: string;
  /** Version 3: the sale id; '' (or absent) for a job's own payout. */
  sale?: string;
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
