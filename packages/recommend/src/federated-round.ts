import type { Random } from '@tessera/crypto';
import { seededRandom } from '@tessera/crypto';
import type { RecommendAlgorithm } from './algorithm.js';
import { checkFactorCount } from './factor-count.js';
import { type CustomerFactors, type ItemFactors, initItemFactors } from './factors.js';
import type { Interactions } from './interactions.js';

/** One merchant in an in-process federation: its table, its customers' factors (after a round) and its randomness. */
export interface MerchantState {
  readonly data: Interactions;
  readonly customers?: CustomerFactors;
  readonly rng: Random;
}

export interface RoundResult {
  items: ItemFactors;
  merchants: MerchantState[];
  /** The summed item update, what a secure sum would reveal to the coordinator. */
  sum: Float64Array;
}

/**
 * One federated round in process, as the services will run it: each merchant's customer step and item update,
 * the plain sum of the updates (a secure sum's result), the coordinator's step.
 */
export function federatedRound(
  algorithm: RecommendAlgorithm,
  items: ItemFactors,
  merchants: readonly MerchantState[],
): RoundResult {
  const sum = new Float64Array(algorithm.updateLength(items.count));
  const next = merchants.map((m) => {
    const customers = algorithm.localCustomerStep(items, m.data, m.customers, m.rng);
    const update = algorithm.localItemUpdate(items, customers, m.data, m.rng);
    for (let p = 0; p < sum.length; p++) sum[p]! += update[p]!;
    return { ...m, customers };
  });
  return { items: algorithm.applyItemUpdate(items, sum), merchants: next, sum };
}

export interface TrainOptions {
  rounds: number;
  /** Seeds the item initialisation and each merchant's sampling (`${seed}/merchant/${m}`). Default "recommend". */
  seed?: string;
}

export interface TrainedModel {
  items: ItemFactors;
  /** Each table's customers' factors, fitted against the final item factors. */
  customers: CustomerFactors[];
  seconds: number;
}

/**
 * Trains over the given tables: several tables are a federation, one pooled table is the centralized baseline,
 * a single merchant's table is its local-only model. A final customer step fits customers to the last items.
 */
export function trainRecommender(
  algorithm: RecommendAlgorithm,
  tables: readonly Interactions[],
  options: TrainOptions,
): TrainedModel {
  checkFactorCount(algorithm.k, tables);
  const seed = options.seed ?? 'recommend';
  const started = performance.now();
  const catalogue = tables[0]!.catalogue;
  let items = initItemFactors(catalogue.ids.length, algorithm.k, seededRandom(`${seed}/items`));
  let merchants: MerchantState[] = tables.map((data, m) => ({ data, rng: seededRandom(`${seed}/merchant/${m}`) }));
  for (let round = 0; round < options.rounds; round++) {
    const result = federatedRound(algorithm, items, merchants);
    items = result.items;
    merchants = result.merchants;
  }
  const customers = merchants.map((m) => algorithm.localCustomerStep(items, m.data, m.customers, m.rng));
  return { items, customers, seconds: (performance.now() - started) / 1000 };
}
