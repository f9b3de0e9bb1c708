import type { Random } from '@tessera/crypto';
import { dirichletSample } from '@tessera/data';
import { type ItemCatalogue, itemCatalogue } from './catalogue.js';
import { type InteractionRow, type Interactions, interactionsFrom } from './interactions.js';

export interface SyntheticOptions {
  merchants?: number;
  customers?: number;
  items?: number;
  /** The planted latent dimension. */
  kTrue?: number;
  /** Dirichlet concentration of the customers' split across merchants (small: uneven merchants). */
  dirichletAlpha?: number;
  /** The chance that a merchant sells a given item, so catalogues overlap partly. */
  catalogueShare?: number;
  /** Mean purchases per customer (uniform between half and one and a half times it). */
  interactionsPerCustomer?: number;
  /** Weight of taste . embedding in the purchase logits. */
  tasteScale?: number;
  /** Standard deviation of the items' popularity term in the purchase logits. */
  popularityScale?: number;
  /** Fewest customers any merchant gets. */
  minCustomers?: number;
}

export const DEFAULT_SYNTHETIC: Required<SyntheticOptions> = {
  merchants: 10,
  customers: 2000,
  items: 300,
  kTrue: 4,
  dirichletAlpha: 1,
  catalogueShare: 0.6,
  interactionsPerCustomer: 12,
  tasteScale: 2,
  popularityScale: 1,
  minCustomers: 40,
};

export interface SyntheticRecommendation {
  catalogue: ItemCatalogue;
  /** Each merchant's rows (customer, item, timestamp), as a merchant's file would hold them. */
  rows: InteractionRow[][];
  tables: Interactions[];
  /** The planted truth: item embeddings (items x kTrue), popularity, customers' tastes (customers x kTrue). */
  truth: { kTrue: number; embeddings: Float64Array; popularity: Float64Array; tastes: Float64Array };
}

/**
 * Purchases with planted structure (a demo generator: pass seededRandom): items get embeddings in R^kTrue and a
 * popularity, customers a taste vector; each merchant gets a Dirichlet share of the customers and sells a random
 * part of the catalogue; a customer buys (with repeats) from its merchant's items by the softmax of
 * taste . embedding + popularity, one purchase per time step.
 */
export function syntheticRecommendation(options: SyntheticOptions, rng: Random): SyntheticRecommendation {
  const o = { ...DEFAULT_SYNTHETIC, ...options };
  if (o.customers < o.merchants * o.minCustomers) {
    throw new RangeError(`customers = ${o.customers} cannot give ${o.merchants} merchants ${o.minCustomers} each`);
  }
  const embeddings = gaussians(o.items * o.kTrue, rng, 1 / Math.sqrt(o.kTrue));
  const popularity = gaussians(o.items, rng, o.popularityScale);
  const tastes = gaussians(o.customers * o.kTrue, rng, o.tasteScale);
  const catalogue = itemCatalogue(Array.from({ length: o.items }, (_, i) => `item-${String(i).padStart(5, '0')}`));
  const sells = Array.from({ length: o.merchants }, () => {
    const own: number[] = [];
    for (let i = 0; i < o.items; i++) if (rng.float() < o.catalogueShare) own.push(i);
    return own.length > 0 ? own : [rng.int(o.items)];
  });
  const merchantOf = assignCustomers(o, rng);
  const rows: InteractionRow[][] = Array.from({ length: o.merchants }, () => []);
  for (let u = 0; u < o.customers; u++) {
    const m = merchantOf[u]!;
    const own = sells[m]!;
    const cumulative = new Float64Array(own.length);
    let total = 0;
    own.forEach((i, p) => {
      let z = popularity[i]!;
      for (let a = 0; a < o.kTrue; a++) z += tastes[u * o.kTrue + a]! * embeddings[i * o.kTrue + a]!;
      total += Math.exp(z);
      cumulative[p] = total;
    });
    const mean = o.interactionsPerCustomer;
    const n = Math.max(2, Math.round(mean / 2 + rng.float() * mean));
    let time = 0;
    for (let t = 0; t < n; t++) {
      const r = rng.float() * total;
      let p = 0;
      while (p < own.length - 1 && cumulative[p]! <= r) p++;
      time += 1 + rng.float();
      rows[m]!.push({ customer: `customer-${u}`, item: catalogue.ids[own[p]!]!, timestamp: time });
    }
  }
  const tables = rows.map((r, m) => interactionsFrom(r, catalogue, { source: `merchant-${m}` }));
  return { catalogue, rows, tables, truth: { kTrue: o.kTrue, embeddings, popularity, tastes } };
}

function gaussians(n: number, rng: Random, scale: number): Float64Array {
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = scale * rng.gaussian();
  return out;
}

/** Merchant of every customer: minCustomers each round-robin, the rest by Dirichlet shares. */
function assignCustomers(o: Required<SyntheticOptions>, rng: Random): Uint32Array {
  const shares = dirichletSample(o.dirichletAlpha, o.merchants, rng);
  const merchantOf = new Uint32Array(o.customers);
  const order = Uint32Array.from({ length: o.customers }, (_, u) => u);
  rng.shuffle(order);
  order.forEach((u, p) => {
    if (p < o.merchants * o.minCustomers) {
      merchantOf[u] = p % o.merchants;
      return;
    }
    let r = rng.float();
    let m = 0;
    for (; m < o.merchants - 1 && r >= shares[m]!; m++) r -= shares[m]!;
    merchantOf[u] = m;
  });
  return merchantOf;
}
