// `npm run bench tfjs-federated`: a bring-your-own TensorFlow.js LayersModel trained federated through the SDK
// (issue 17) against the built-in MLP of the same shape, over several seeds: held-out accuracy, mean ± sd for each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTable, readCsvFile, selectRows, type RawTable } from '@tessera/data';
import { evaluateModel, modelFromSpec, seededRandom, standardise, type Model } from '@tessera/ml';
import { LocalFederation, type JobResult } from '@tessera/sdk';
import { tfjsModelFromTopology, tfl, topologyOf, type TfjsTopology } from '@tessera/tfjs';
import { describeMachine, machineInfo, type MachineInfo } from '../machine.js';
import { fixed } from '../stats.js';
import { benchTable } from '../table.js';
import { DIGITS_CSV } from './digits.js';

export interface TfjsFederatedOptions {
  seeds: number[];
  participants: number;
  rounds: number;
  hidden: number[];
  local: { optimiser: 'sgd' | 'adam'; learningRate: number; epochs: number; batchSize: number };
}

export const TFJS_FEDERATED_DEFAULTS: TfjsFederatedOptions = {
  seeds: [1, 2, 3, 4, 5],
  participants: 3,
  rounds: 10,
  hidden: [32],
  local: { optimiser: 'sgd', learningRate: 0.1, epochs: 1, batchSize: 32 },
};

/** Seconds in all: what bench/test runs. */
export const TFJS_FEDERATED_QUICK: TfjsFederatedOptions = {
  ...TFJS_FEDERATED_DEFAULTS,
  seeds: [1],
  rounds: 2,
  hidden: [8],
};

const CLASSES = Array.from({ length: 10 }, (_, i) => String(i));

export interface TfjsFederatedRun {
  seed: number;
  kind: 'tfjs' | 'mlp';
  /** The final model's accuracy on the held-out fifth of digits, which no participant holds. */
  testAccuracy: number;
  /** The last round's federated evaluation (the participants' validation rows, pooled). */
  lastRoundAccuracy: number;
  seconds: number;
}

export interface TfjsFederatedSummary {
  kind: 'tfjs' | 'mlp';
  testAccuracyMean: number;
  testAccuracySd: number;
  lastRoundAccuracyMean: number;
  lastRoundAccuracySd: number;
}

export interface TfjsFederatedReport {
  benchmark: 'tfjs-federated';
  date: string;
  machine: MachineInfo;
  command: string;
  options: TfjsFederatedOptions;
  testRows: number;
  runs: TfjsFederatedRun[];
  summaries: TfjsFederatedSummary[];
  /** tfjs minus mlp mean test accuracy, and twice the standard error of that difference. */
  difference: number;
  twoStandardErrors: number;
  /** Both trained every seed, and the means differ by at most max(0.02, two standard errors). */
  pass: boolean;
  totalSeconds: number;
}

/** Digits dealt round-robin after a seeded shuffle: `parts` shards and a held-out test table of a fifth. */
function dealt(parts: number, seed: string): { shards: RawTable[]; test: RawTable } {
  const table = readCsvFile(DIGITS_CSV);
  const order = Uint32Array.from(table.rows.keys());
  seededRandom(seed).shuffle(order);
  const testRows = Math.round(order.length / 5);
  const train = [...order.subarray(testRows)];
  const shards = Array.from({ length: parts }, (_, p) =>
    selectRows(
      table,
      train.filter((_, i) => i % parts === p),
    ),
  );
  return { shards, test: selectRows(table, [...order.subarray(0, testRows)]) };
}

/** The 64 -> hidden (ReLU) -> 10 (softmax) LayersModel's topology: what an analyst would bring. */
function tfjsTopology(hidden: number[]): TfjsTopology {
  const layers = tfl.sequential({
    layers: [
      ...hidden.map((units, i) =>
        tfl.layers.dense({ ...(i === 0 ? { inputShape: [64] } : {}), units, activation: 'relu' }),
      ),
      tfl.layers.dense({ units: CLASSES.length, activation: 'softmax' }),
    ],
  });
  const topology = topologyOf(layers);
  layers.dispose();
  return topology;
}

/** Accuracy of the job's parameters on the test table, encoded and standardised as the federation agreed. */
function testAccuracy(model: Model, result: JobResult, test: RawTable): number {
  const enc = encodeTable(test, {
    label: result.label,
    features: result.features,
    target: { task: 'multiclass', classes: CLASSES },
  });
  const z = standardise(enc, {
    mean: Float64Array.from(result.mean),
    std: Float64Array.from(result.std),
    ...(result.standardisedClip > 0 ? { clip: result.standardisedClip } : {}),
  });
  const m = evaluateModel(model, Float64Array.from(result.weights), { ...z, y: enc.y }) as { accuracy?: number };
  if (m.accuracy === undefined) throw new Error('the multiclass evaluation reported no accuracy');
  return m.accuracy;
}

const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sdOf = (xs: number[]) => {
  const m = meanOf(xs);
  return xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

export async function runTfjsFederated(
  log: (line: string) => void,
  o: TfjsFederatedOptions = TFJS_FEDERATED_DEFAULTS,
  command = 'npm run bench tfjs-federated',
): Promise<TfjsFederatedReport> {
  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  log(`tfjs-federated benchmark on ${describeMachine(machine)}`);
  const topology = tfjsTopology(o.hidden);
  const runs: TfjsFederatedRun[] = [];
  let testRows = 0;
  for (const seed of o.seeds) {
    const { shards, test } = dealt(o.participants, `bench-tfjs-federated/${seed}`);
    testRows = test.rows.length;
    const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-tfjs-'));
    const fed = await LocalFederation.start({ dir, shards, runtime: 'inline' });
    try {
      for (const kind of ['tfjs', 'mlp'] as const) {
        const t0 = performance.now();
        const model =
          kind === 'tfjs' ? { kind, topology, classes: CLASSES } : { kind, hidden: o.hidden, classes: CLASSES, l2: 0 };
        const submitted = await fed.analyst.submit({
          dataset: 'customers',
          label: 'digit',
          model,
          local: o.local,
          rounds: o.rounds,
          minParticipants: o.participants,
          seed,
        });
        const job = await fed.analyst.watch(submitted.id);
        if (job.status !== 'completed') throw new Error(`seed ${seed}, ${kind}: the job ${job.status}: ${job.error}`);
        const result = await fed.analyst.result(job.id);
        const scorer =
          kind === 'tfjs'
            ? (await tfjsModelFromTopology(topology, { task: 'multiclass', classes: CLASSES.length })).model
            : modelFromSpec(
                { kind: 'mlp', hidden: o.hidden, l2: 0 },
                { features: result.features.length, task: 'multiclass', classes: CLASSES.length },
              );
        const fits = job.history.filter((h) => h.stage === 'fit' && h.status === 'completed');
        const run: TfjsFederatedRun = {
          seed,
          kind,
          testAccuracy: fixed(testAccuracy(scorer, result, test), 4),
          lastRoundAccuracy: fixed(fits.at(-1)?.metrics.accuracy ?? Number.NaN, 4),
          seconds: fixed((performance.now() - t0) / 1000, 1),
        };
        runs.push(run);
        log(`seed ${seed} ${kind}: test accuracy ${run.testAccuracy}, last round ${run.lastRoundAccuracy}`);
      }
    } finally {
      await fed.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const summaries = (['tfjs', 'mlp'] as const).map((kind): TfjsFederatedSummary => {
    const of = runs.filter((r) => r.kind === kind);
    const test = of.map((r) => r.testAccuracy);
    const last = of.map((r) => r.lastRoundAccuracy);
    return {
      kind,
      testAccuracyMean: fixed(meanOf(test), 4),
      testAccuracySd: fixed(sdOf(test), 4),
      lastRoundAccuracyMean: fixed(meanOf(last), 4),
      lastRoundAccuracySd: fixed(sdOf(last), 4),
    };
  });
  const [t, m] = summaries as [TfjsFederatedSummary, TfjsFederatedSummary];
  const difference = fixed(t.testAccuracyMean - m.testAccuracyMean, 4);
  const n = o.seeds.length;
  const twoStandardErrors = fixed(2 * Math.sqrt((t.testAccuracySd ** 2 + m.testAccuracySd ** 2) / n), 4);
  return {
    benchmark: 'tfjs-federated',
    date,
    machine,
    command,
    options: o,
    testRows,
    runs,
    summaries,
    difference,
    twoStandardErrors,
    pass: runs.length === 2 * n && Math.abs(difference) <= Math.max(0.02, twoStandardErrors),
    totalSeconds: fixed((performance.now() - started) / 1000, 1),
  };
}

export function renderTfjsFederated(r: TfjsFederatedReport): string {
  const o = r.options;
  const shape = `64 -> [${o.hidden.join(', ')}] -> 10`;
  return [
    `tfjs LayersModel against the built-in MLP, federated (issue 17), ${r.date}`,
    `machine: ${describeMachine(r.machine)}`,
    `digits, ${shape}, ${o.participants} participants (IID), ${o.rounds} rounds, local ${o.local.optimiser} ` +
      `${o.local.learningRate}, ${o.local.epochs} epoch(s), batch ${o.local.batchSize}; seeds ${o.seeds.join(', ')}; ` +
      `${r.testRows} held-out rows`,
    '',
    benchTable(
      ['model', 'test accuracy mean', 'sd', 'last-round federated accuracy mean', 'sd'],
      r.summaries.map((s) => [
        s.kind,
        s.testAccuracyMean,
        s.testAccuracySd,
        s.lastRoundAccuracyMean,
        s.lastRoundAccuracySd,
      ]),
      { 1: 4, 2: 4, 3: 4, 4: 4 },
    ),
    `per seed (tfjs / mlp test accuracy): ${o.seeds
      .map((s) => {
        const of = (k: string) => r.runs.find((x) => x.seed === s && x.kind === k)?.testAccuracy ?? Number.NaN;
        return `${s}: ${of('tfjs')} / ${of('mlp')}`;
      })
      .join('; ')}`,
    `tfjs - mlp: ${r.difference} (2 standard errors ${r.twoStandardErrors}); ` +
      `within noise: ${r.pass ? 'yes' : 'NO'}; total ${r.totalSeconds} s`,
  ].join('\n');
}
