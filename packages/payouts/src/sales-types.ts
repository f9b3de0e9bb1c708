/** The views of data-trust products and sales: what the coordinator answers, the CLI prints and the SDK returns. */

/** How a product's price is split among its contributors. */
export type ProductValuation =
  /** The jobs' own valuation: noisy row counts (reports, DP training), or the Shapley family (exact training). */
  | 'job'
  /** Equal shares among the jobs' contributors: reveals nothing and costs no epsilon. */
  | 'equal';

/** One contributor's weight in a product's splits. */
export interface ProductMember {
  participant: string;
  /** Its combined value: the mean over the product's jobs of its share of each job's positive values. */
  value: number;
  /** Its share of every sale (value / the sum of positive values). */
  share: number;
  /** Per job: its value in that job (a noisy row count for `records`), and per group where the job has groups. */
  jobs: { job: string; method: string; value: number; groups?: number[] }[];
}

/** A product: finished jobs of one analyst listed for sale. */
export interface ProductView {
  id: string;
  name: string;
  description: string;
  jobs: string[];
  /** The jobs' kinds, in the order of `jobs`: query, train, recommend... */
  kinds: string[];
  /** The list price in minor units. */
  price: number;
  currency: string;
  valuation: ProductValuation;
  /** The valuation methods of the jobs (records, shapley, equal...), once each. */
  methods: string[];
  members: ProductMember[];
  /** Epsilon the valuation released (per member, at `delta`); 0 when it spent none (exact or equal). */
  valuationEpsilon: number;
  valuationDelta: number | null;
  /** Per job, what its valuation released and cost (absent on products listed before it was kept). */
  releases?: ProductRelease[];
  owner: string;
  createdAt: string;
  /** Sales so far: their count, and gross, refunded and net in minor units. */
  sales: { count: number; gross: number; refunded: number; net: number };
}

/** What one job's valuation released and what it cost: its own epsilon, its noise, a report's extra noise. */
export interface ProductRelease {
  job: string;
  method: string;
  /** Epsilon of the valuation's own release (a DP training job's count); 0 when exact, equal or joint. */
  epsilon: number;
  delta: number | null;
  /** The noise standard deviation of one member's value (rows for records), 0 when exact. */
  noiseStd: number;
  /**
   * A private report valued jointly: the factor its own noise grew by for the counts (sqrt(r^2 + 1) / r,
   * valuationNoiseFactor of @tessera/jobs); absent for other jobs.
   */
  reportNoiseFactor?: number;
  /** How the values were released, in words (the job valuation's note). */
  note: string;
}

/** A member left out of a sale, and why (its policy's words, or that it could not be asked). */
export interface SaleRefusal {
  participant: string;
  reason: string;
  /** 'policy': its owner's terms; 'unavailable': not connected or no answer in time. */
  kind: 'policy' | 'unavailable';
}

/** One member's entry of a sale or refund in the ledger. */
export interface SaleEntry {
  participant: string;
  /** Minor units: positive for a sale's payout, negative for a refund. */
  amount: number;
  share: number;
  seq: number;
  hash: string;
}

/** A refund of (part of) a sale. */
export interface RefundView {
  id: string;
  amount: number;
  reason: string;
  createdAt: string;
  entries: SaleEntry[];
  /** The ledger seq of the buyer-refund event. */
  seq: number;
}

/** A sale: the buyer, the price, how it was split, who was left out, and its refunds. */
export interface SaleView {
  id: string;
  product: string;
  productName: string;
  jobs: string[];
  buyer: string;
  buyerClass: string;
  /** The price in minor units. */
  amount: number;
  currency: string;
  note: string;
  seller: string;
  createdAt: string;
  /** The split of the price among the consenting members (sums to `amount` exactly). */
  entries: SaleEntry[];
  refusals: SaleRefusal[];
  refunds: RefundView[];
  /** amount - the refunds' amounts. */
  net: number;
  /** The ledger seq of the sale event. */
  seq: number;
  ledgerHead: string;
  coordinatorPublicKey: string;
}

/**
 * A finished job's valuation, kept in its context for the products built from it: each contributor's value and what
 * releasing the values cost. Written by the query runner (`valuation: records`: noisy row counts through the query's
 * own secure sum), by a DP training job's VALUATION_COUNT sum, and by an exact training job's payout (Shapley family).
 */
export interface JobValuation {
  /** records | equal | shapley | loo | tmc | gtg */
  method: string;
  /** The contributors (the secure sum's survivors, or the training job's contributors), each with its value. */
  members: { participant: string; value: number; groups?: number[] }[];
  /** Group labels of `members[].groups` (a query's groups, in plan order), when the job has groups. */
  groups?: string[];
  /**
   * Epsilon the valuation's own release cost each member (a DP training job's VALUATION_COUNT sum), at `delta`; 0 when
   * it was exact, equal, or released jointly with a private query under the query's own epsilon.
   */
  epsilon: number;
  delta: number | null;
  /** The noise standard deviation of each value (a count's, in rows), 0 when exact. */
  noiseStd: number;
  /** How the values were released, for the product view: for example "jointly with the query at epsilon 1". */
  note: string;
}
