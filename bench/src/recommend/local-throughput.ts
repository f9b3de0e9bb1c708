// The recommend benchmark's library half (issue 22): a merchant's local round, ALS and BPR, in interactions per
// second on one thread, timing the customer step (customer factors, kept locally) and the item update (the vector
// the secure sum adds) separately and together. The coordinator's step (applyItemUpdate) is timed apart.
import {
  type CustomerFactors,
  type Interactions,
  type ItemFactors,
  algorithmFromSpec,
  initItemFactors,
  interactionsFrom,
  seededRandom,
} from '@tessera/recommend';
import { fixed, median } from '../stats.js';
import { benchCatalogue, type MerchantShape, merchantRows } from './merchant-data.js';

export interface LocalThroughputOptions {
  merchant: MerchantShape;
  algorithms: ('als' | 'bpr')[];
  ks: number[];
  /** Timed rounds per configuration, after one untimed warm-up round. */
  rounds: number;
  seed: string;
}

/** Wall and CPU seconds of one phase, median over the timed rounds, and the interactions it handled per second. */
export interface PhaseTiming {
  seconds: number;
  cpuSeconds: number;
  /** Distinct (customer, item) pairs over wall seconds: the throughput on one thread. */
  interactionsPerSecond: number;
  /** The same over CPU seconds of the process (GC threads included): per core used. */
  interactionsPerCpuSecond: number;
}

export interface LocalThroughputRow {
  algorithm: 'als' | 'bpr';
  k: number;
  /** The item update's length: what every merchant's secure-sum vector holds. */
  updateLength: number;
  customerStep: PhaseTiming;
  itemUpdate: PhaseTiming;
  /** Customer step then item update: a merchant's whole local round. */
  localRound: PhaseTiming;
  /** The coordinator's applyItemUpdate on one merchant's update (not a merchant's cost). */
  coordinatorStepSeconds: number;
}

export interface LocalThroughputReport {
  merchant: { customers: number; items: number; rows: number; interactions: number; generateSeconds: number };
  rounds: number;
  results: LocalThroughputRow[];
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function timed<T>(f: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const cpu = cpuNow();
  const t = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t) / 1000, cpuSeconds: cpuNow() - cpu };
}

function phase(interactions: number, runs: { seconds: number; cpuSeconds: number }[]): PhaseTiming {
  const seconds = median(runs.map((r) => r.seconds));
  const cpuSeconds = median(runs.map((r) => r.cpuSeconds));
  return {
    seconds: fixed(seconds, 4),
    cpuSeconds: fixed(cpuSeconds, 4),
    interactionsPerSecond: fixed(interactions / seconds, 0),
    interactionsPerCpuSecond: fixed(interactions / cpuSeconds, 0),
  };
}

/** The benchmark's merchant, generated once for every configuration. */
export function benchMerchant(
  shape: MerchantShape,
  seed: string,
): { data: Interactions; rows: number; seconds: number } {
  const t = performance.now();
  const rows = merchantRows(shape, seededRandom(`${seed}/merchant`));
  const data = interactionsFrom(rows, benchCatalogue(shape.items), { source: 'bench merchant' });
  return { data, rows: rows.length, seconds: (performance.now() - t) / 1000 };
}

export function runLocalThroughput(o: LocalThroughputOptions, log: (line: string) => void): LocalThroughputReport {
  const merchant = benchMerchant(o.merchant, o.seed);
  const { data } = merchant;
  const interactions = data.items.length;
  log(
    `merchant: ${data.customerIds.length} customers, ${o.merchant.items} items, ${merchant.rows} rows, ` +
      `${interactions} distinct interactions (generated in ${merchant.seconds.toFixed(1)} s)`,
  );
  const results: LocalThroughputRow[] = [];
  for (const name of o.algorithms) {
    for (const k of o.ks) {
      const algorithm = algorithmFromSpec({ algorithm: name, k });
      const rng = seededRandom(`${o.seed}/${name}/${k}/sampling`);
      let items: ItemFactors = initItemFactors(o.merchant.items, k, seededRandom(`${o.seed}/items`));
      let customers: CustomerFactors | undefined;
      const steps: { seconds: number; cpuSeconds: number }[] = [];
      const updates: { seconds: number; cpuSeconds: number }[] = [];
      const wholes: { seconds: number; cpuSeconds: number }[] = [];
      const applies: number[] = [];
      for (let round = 0; round <= o.rounds; round++) {
        const step = timed(() => algorithm.localCustomerStep(items, data, customers, rng));
        customers = step.value;
        const update = timed(() => algorithm.localItemUpdate(items, step.value, data, rng));
        const apply = timed(() => algorithm.applyItemUpdate(items, update.value));
        items = apply.value;
        if (round === 0) continue; // the warm-up round (JIT), not timed
        steps.push(step);
        updates.push(update);
        wholes.push({ seconds: step.seconds + update.seconds, cpuSeconds: step.cpuSeconds + update.cpuSeconds });
        applies.push(apply.seconds);
      }
      const row: LocalThroughputRow = {
        algorithm: name,
        k,
        updateLength: algorithm.updateLength(o.merchant.items),
        customerStep: phase(interactions, steps),
        itemUpdate: phase(interactions, updates),
        localRound: phase(interactions, wholes),
        coordinatorStepSeconds: fixed(median(applies), 4),
      };
      results.push(row);
      log(
        `${name} k=${k}: local round ${row.localRound.seconds} s, ${row.localRound.interactionsPerSecond} ` +
          `interactions/s (customer step ${row.customerStep.seconds} s, item update ${row.itemUpdate.seconds} s)`,
      );
    }
  }
  return {
    merchant: {
      customers: data.customerIds.length,
      items: o.merchant.items,
      rows: merchant.rows,
      interactions,
      generateSeconds: fixed(merchant.seconds, 2),
    },
    rounds: o.rounds,
    results,
  };
}
