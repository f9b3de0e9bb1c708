// `npm run bench mlp`: local training throughput of the MLP on digits (issue 17), in examples per second on one
// core, for Tessera's typed-array MLP against TensorFlow.js (CPU and WASM backends) training the same network,
// from the same starting parameters, in the same process.
import { seededRandom } from '@tessera/ml';
import { tf } from '@tessera/tfjs';
import { describeMachine, machineInfo, type MachineInfo } from '../machine.js';
import { fixed, median } from '../stats.js';
import { benchTable } from '../table.js';
import { loadDigits } from './digits.js';
import {
  type MlpShape,
  type Trainer,
  type TrainingSettings,
  tesseraMlp,
  tesseraTrainer,
  tfjsAdapterTrainer,
  tfjsFitTrainer,
} from './mlp-trainers.js';

export interface MlpThroughputOptions {
  shape: MlpShape;
  batchSize: number;
  /** Timed epochs per run (a one-epoch warm-up per implementation and optimiser comes first, untimed). */
  epochs: number;
  runs: number;
  optimisers: { optimiser: TrainingSettings['optimiser']; learningRate: number }[];
  seed: string;
}

export const MLP_THROUGHPUT_DEFAULTS: MlpThroughputOptions = {
  shape: { features: 64, hidden: [64, 32], classes: 10 },
  batchSize: 32,
  epochs: 10,
  runs: 3,
  optimisers: [
    { optimiser: 'sgd', learningRate: 0.05 },
    { optimiser: 'adam', learningRate: 0.001 },
  ],
  seed: 'bench-mlp',
};

/** A few seconds in all: what bench/test runs. */
export const MLP_THROUGHPUT_QUICK: MlpThroughputOptions = { ...MLP_THROUGHPUT_DEFAULTS, epochs: 1, runs: 1 };

export interface MlpThroughputRow {
  implementation: string;
  backend: string;
  optimiser: string;
  learningRate: number;
  /** n × epochs / wall seconds, per run, and their median. */
  examplesPerSecond: number[];
  examplesPerSecondMedian: number;
  /** n × epochs / CPU seconds of the process (user + system): throughput per core used. */
  examplesPerCpuSecondMedian: number;
  /** CPU seconds over wall seconds: 1 when one core did the work. */
  coresUsed: number;
  /** Training accuracy after each run: the implementations did equal work when these agree. */
  accuracy: number[];
}

export interface MlpThroughputReport {
  benchmark: 'mlp';
  date: string;
  machine: MachineInfo;
  command: string;
  options: MlpThroughputOptions;
  rows: number;
  tfjs: { version: string; wasmSimd: boolean; wasmThreads: boolean };
  results: MlpThroughputRow[];
  /**
   * Per optimiser: Tessera's median examples per CPU second over the fastest tfjs model.fit's (per core: robust to
   * other work on the machine, which lowers wall-clock throughput but not CPU time).
   */
  ratios: { optimiser: string; fastestTfjs: string; tesseraOverFastest: number }[];
  /** The goal: Tessera at least as fast as the fastest tfjs backend, for every optimiser. */
  pass: boolean;
  totalSeconds: number;
}

export async function runMlpThroughput(
  log: (line: string) => void,
  o: MlpThroughputOptions = MLP_THROUGHPUT_DEFAULTS,
  command = 'npm run bench mlp',
): Promise<MlpThroughputReport> {
  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  log(`mlp benchmark on ${describeMachine(machine)}`);
  // The CPU backend's "install tfjs-node" banner and tfjs's debug checks off: tfjs at its fastest.
  tf.enableProdMode();
  const data = loadDigits();
  const trainers: Trainer[] = [
    tesseraTrainer(o.shape),
    tfjsFitTrainer(o.shape, 'cpu'),
    tfjsFitTrainer(o.shape, 'wasm'),
    tfjsAdapterTrainer(o.shape, 'cpu'),
  ];
  const inits = Array.from({ length: o.runs }, (_, r) => tesseraMlp(o.shape).init(seededRandom(`${o.seed} init ${r}`)));
  const results: MlpThroughputRow[] = [];
  for (const { optimiser, learningRate } of o.optimisers) {
    for (const t of trainers) {
      const base = { optimiser, learningRate, batchSize: o.batchSize, seed: o.seed };
      await t.train(inits[0]!, data, { ...base, epochs: 1 }); // warm-up (JIT, WASM instantiation), not timed
      const runs = [];
      for (let r = 0; r < o.runs; r++) {
        runs.push(await t.train(inits[r]!, data, { ...base, epochs: o.epochs, seed: `${o.seed} run ${r}` }));
      }
      const examples = data.n * o.epochs;
      const row: MlpThroughputRow = {
        implementation: t.name,
        backend: t.backend,
        optimiser,
        learningRate,
        examplesPerSecond: runs.map((x) => fixed(examples / x.seconds, 0)),
        examplesPerSecondMedian: fixed(median(runs.map((x) => examples / x.seconds)), 0),
        examplesPerCpuSecondMedian: fixed(median(runs.map((x) => examples / x.cpuSeconds)), 0),
        coresUsed: fixed(median(runs.map((x) => x.cpuSeconds / x.seconds)), 2),
        accuracy: runs.map((x) => fixed(x.accuracy, 4)),
      };
      results.push(row);
      log(`${optimiser} ${t.name}: ${row.examplesPerSecondMedian} examples/s, accuracy ${row.accuracy.join(' ')}`);
    }
  }
  const ratios = o.optimisers.map(({ optimiser }) => {
    const mine = results.filter((r) => r.optimiser === optimiser);
    const ours = mine.find((r) => r.backend === '')!; // the Tessera trainer runs for every optimiser
    const fastest = mine
      .filter((r) => r.implementation.endsWith('model.fit'))
      .reduce((a, b) => (b.examplesPerCpuSecondMedian > a.examplesPerCpuSecondMedian ? b : a));
    return {
      optimiser,
      fastestTfjs: fastest.implementation,
      tesseraOverFastest: fixed(ours.examplesPerCpuSecondMedian / fastest.examplesPerCpuSecondMedian, 2),
    };
  });
  return {
    benchmark: 'mlp',
    date,
    machine,
    command,
    options: o,
    rows: data.n,
    tfjs: {
      version: tf.version_core,
      wasmSimd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
      wasmThreads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    },
    results,
    ratios,
    pass: ratios.every((r) => r.tesseraOverFastest >= 1),
    totalSeconds: fixed((performance.now() - started) / 1000, 1),
  };
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

export function renderMlpThroughput(r: MlpThroughputReport): string {
  const { shape } = r.options;
  return [
    `Local training throughput, MLP on digits (issue 17), ${r.date}`,
    `machine: ${describeMachine(r.machine)}`,
    `${r.rows} rows, ${shape.features} -> [${shape.hidden.join(', ')}] -> ${shape.classes} softmax, batch ` +
      `${r.options.batchSize}, ${r.options.epochs} timed epochs after a 1-epoch warm-up, ` +
      `median of ${r.options.runs}; tfjs ${r.tfjs.version} (WASM SIMD ${onOff(r.tfjs.wasmSimd)}, ` +
      `threads ${onOff(r.tfjs.wasmThreads)})`,
    '',
    benchTable(
      ['optimiser', 'implementation', 'examples/s', 'per CPU s', 'cores', 'train accuracy'],
      r.results.map((x) => [
        `${x.optimiser} ${x.learningRate}`,
        x.implementation,
        x.examplesPerSecondMedian,
        x.examplesPerCpuSecondMedian,
        x.coresUsed,
        x.accuracy.map((a) => a.toFixed(3)).join(' '),
      ]),
      { 4: 2 },
    ),
    '',
    ...r.ratios.map((x) => `${x.optimiser}: Tessera ${x.tesseraOverFastest}x the fastest tfjs (${x.fastestTfjs})`),
    `goal (at least as fast as the fastest tfjs backend): ${r.pass ? 'met' : 'NOT met'}`,
  ].join('\n');
}
