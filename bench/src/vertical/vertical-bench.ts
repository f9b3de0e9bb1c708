// `npm run bench` part "vertical" (issue 18): SecureBoost time per tree, vertical logistic regression time per
// epoch, and PSI alignment throughput on every core, each with wall and process CPU seconds (worker threads
// included), so that a loaded machine shows as CPU well below cores x wall.
import { availableParallelism } from 'node:os';
import { seededRandom } from '@tessera/ml';
import { measureAlignmentThroughput, type AlignmentThroughput } from '@tessera/psi';
import { trainSecureBoost, trainVerticalLogistic } from '@tessera/vertical';
import { machineInfo, type MachineInfo } from '../machine.js';
import { fixed } from '../stats.js';

export interface VerticalBenchOptions {
  /** SecureBoost: aligned rows, guest features, bins, depth. */
  boostRows: number;
  boostGuestFeatures: number;
  boostBins: number;
  boostDepth: number;
  /** SecureBoost host feature counts actually run (one tree each); the estimate fits a line through them. */
  boostHostFeatures: number[];
  /** The host feature count the estimate is for (the 300). */
  boostTargetHostFeatures: number;
  /** Vertical LR: aligned rows (guest 10 features + label, one host with 20) and the batch sizes timed. */
  vlrRows: number;
  vlrBatchSizes: number[];
  /** PSI alignment sizes (ids per side) and worker threads. */
  psiSizes: number[];
  psiThreads: number;
}

export const VERTICAL_DEFAULTS: VerticalBenchOptions = {
  boostRows: 100_000,
  boostGuestFeatures: 30,
  boostBins: 32,
  boostDepth: 5,
  boostHostFeatures: [4, 30],
  boostTargetHostFeatures: 300,
  vlrRows: 100_000,
  vlrBatchSizes: [8192],
  psiSizes: [100_000, 1_000_000],
  psiThreads: availableParallelism(),
};

/** Host features per histogram ciphertext: 128 classes of 2^ceil(log2 bins) slots (4 at 32 bins). */
export const featuresPerGroup = (bins: number): number => 128 / 2 ** Math.ceil(Math.log2(bins));

export interface BoostRun {
  rows: number;
  guestFeatures: number;
  hostFeatures: number;
  /** Host feature groups (histogram ciphertexts per node). */
  groups: number;
  depth: number;
  bins: number;
  /** Key generation and host setup (binning, worker start-up), once per training. */
  setupSeconds: number;
  /** Wall seconds of the one tree (encryption, every histogram, every decryption, the split search). */
  treeSeconds: number;
  /** Process CPU seconds (every thread) over the tree. */
  treeCpuSeconds: number;
  histogramCiphertexts: number;
  histogramMiB: number;
  gradientMiB: number;
  minNoiseBudget: number;
  /** Whether the tree used a host split (a sanity check that the host's sums mattered). */
  usedHostSplit: boolean;
}

export interface BoostEstimate {
  hostFeatures: number;
  groups: number;
  treeSeconds: number;
  treeCpuSeconds: number;
  /** How the figures were obtained: a line a + b * groups through the measured runs. */
  method: string;
}

export interface VlrRun {
  rows: number;
  batchSize: number;
  steps: number;
  epochSeconds: number;
  epochCpuSeconds: number;
  setupSeconds: number;
  ciphertextMiB: number;
}

export interface VerticalBenchReport {
  pass: boolean;
  machine: MachineInfo;
  startedAt: string;
  options: VerticalBenchOptions;
  secureBoost: BoostRun[];
  secureBoostEstimate: BoostEstimate | null;
  vlr: VlrRun[];
  psi: AlignmentThroughput[];
}

const cpuSince = (start: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
};

/** One SecureBoost tree on synthetic Gaussian columns; the label depends on a guest and a host column. */
export async function runBoostTree(
  rows: number,
  guestFeatures: number,
  hostFeatures: number,
  bins: number,
  depth: number,
): Promise<BoostRun> {
  const random = seededRandom('vertical-bench-boost');
  const column = () => Float64Array.from({ length: rows }, () => random.gaussian());
  const guest = Array.from({ length: guestFeatures }, column);
  const host = Array.from({ length: hostFeatures }, column);
  const labels = Float64Array.from({ length: rows }, (_, i) =>
    0.5 * guest[0]![i]! + host[0]![i]! + random.gaussian() > 0 ? 1 : 0,
  );
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await trainSecureBoost({
    guestFeatures: guest,
    labels,
    hostFeatures: [host],
    config: { trees: 1, depth, bins },
  });
  const wall = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(cpu);
  const setupSeconds = result.setupMs / 1000;
  const treeSeconds = result.trainMs / 1000;
  return {
    rows,
    guestFeatures,
    hostFeatures,
    groups: Math.ceil(hostFeatures / featuresPerGroup(bins)),
    depth,
    bins,
    setupSeconds: fixed(setupSeconds, 2),
    treeSeconds: fixed(treeSeconds, 2),
    // The tree's share of the CPU, taking set-up to have run at the same CPU-to-wall ratio (it is short).
    treeCpuSeconds: fixed(cpuSeconds * (treeSeconds / Math.max(wall, treeSeconds + setupSeconds)), 2),
    histogramCiphertexts: result.stats.histogramCiphertexts,
    histogramMiB: fixed(result.stats.histogramBytes / 2 ** 20, 1),
    gradientMiB: fixed(result.stats.gradientBytes / 2 ** 20, 1),
    minNoiseBudget: result.stats.minNoiseBudget,
    usedHostSplit: JSON.stringify(result.guestModel).includes('"party":"host"'),
  };
}

/** A line a + b * groups through the runs (least squares; proportional when only one group count was run). */
export function estimateBoost(runs: readonly BoostRun[], hostFeatures: number): BoostEstimate | null {
  if (runs.length === 0) return null;
  const groups = Math.ceil(hostFeatures / featuresPerGroup(runs[0]!.bins));
  const fit = (y: (r: BoostRun) => number): number => {
    const xs = runs.map((r) => r.groups);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = runs.map(y).reduce((a, b) => a + b, 0) / runs.length;
    const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    if (sxx === 0) return (my * groups) / mx;
    const slope = runs.reduce((a, r) => a + (r.groups - mx) * (y(r) - my), 0) / sxx;
    return my + slope * (groups - mx);
  };
  const measured = runs.map((r) => `${r.hostFeatures} host features (${r.groups} groups)`).join(' and ');
  return {
    hostFeatures,
    groups,
    treeSeconds: fixed(
      fit((r) => r.treeSeconds),
      0,
    ),
    treeCpuSeconds: fixed(
      fit((r) => r.treeCpuSeconds),
      0,
    ),
    method:
      `estimate, not measured: a line a + b * groups through the runs at ${measured}, ` +
      `evaluated at ${groups} groups`,
  };
}

/** Vertical LR, one epoch, guest 10 features and the label, one host with 20 (as logistic-bench.slow.test.ts). */
export async function runVlrEpoch(rows: number, batchSize: number): Promise<VlrRun> {
  const rng = seededRandom('vlr-bench');
  const guest = { x: new Float64Array(rows * 10), n: rows, d: 10, y: new Float64Array(rows) };
  const host = { x: new Float64Array(rows * 20), n: rows, d: 20 };
  for (let i = 0; i < rows; i++) {
    let u = 0;
    for (let k = 0; k < 10; k++) u += (guest.x[i * 10 + k] = rng.gaussian()) * (k % 3 === 0 ? 1 : 0);
    for (let j = 0; j < 20; j++) u += (host.x[i * 20 + j] = rng.gaussian()) * (j % 4 === 0 ? 0.5 : 0);
    guest.y[i] = rng.float() < 1 / (1 + Math.exp(-u)) ? 1 : 0;
  }
  let bytes = 0;
  const cpu = process.cpuUsage();
  const result = await trainVerticalLogistic({
    guest,
    hosts: [host],
    schedule: { epochs: 1, batchSize, learningRate: 0.5, l2: 0, shuffleSeed: 'bench' },
    observe: (_, m) => {
      for (const v of Object.values(m))
        if (Array.isArray(v)) for (const c of v) if (c instanceof Uint8Array) bytes += c.length;
    },
  });
  const cpuSeconds = cpuSince(cpu);
  const epoch = result.seconds - result.setupSeconds;
  return {
    rows,
    batchSize,
    steps: result.steps,
    epochSeconds: fixed(epoch, 2),
    epochCpuSeconds: fixed(cpuSeconds * (epoch / Math.max(epoch, result.seconds)), 2),
    setupSeconds: fixed(result.setupSeconds, 2),
    ciphertextMiB: fixed(bytes / 2 ** 20, 0),
  };
}

export async function runVerticalBench(
  log: (line: string) => void,
  options: VerticalBenchOptions = VERTICAL_DEFAULTS,
): Promise<VerticalBenchReport> {
  const machine = machineInfo();
  const startedAt = new Date().toISOString();
  const secureBoost: BoostRun[] = [];
  for (const hostFeatures of options.boostHostFeatures) {
    log(`SecureBoost: ${options.boostRows} rows, ${options.boostGuestFeatures} + ${hostFeatures} features, one tree`);
    const run = await runBoostTree(
      options.boostRows,
      options.boostGuestFeatures,
      hostFeatures,
      options.boostBins,
      options.boostDepth,
    );
    log(`  tree ${run.treeSeconds} s wall, ${run.treeCpuSeconds} CPU s, ${run.histogramCiphertexts} histograms`);
    secureBoost.push(run);
  }
  const vlr: VlrRun[] = [];
  for (const batchSize of options.vlrBatchSizes) {
    log(`vertical LR: ${options.vlrRows} rows, batch ${batchSize}, one epoch`);
    const run = await runVlrEpoch(options.vlrRows, batchSize);
    log(`  ${run.epochSeconds} s per epoch`);
    vlr.push(run);
  }
  const psi: AlignmentThroughput[] = [];
  for (const n of options.psiSizes) {
    log(`PSI alignment: ${n} ids per side, ${options.psiThreads} worker threads`);
    const r = await measureAlignmentThroughput(n, options.psiThreads);
    log(`  ${r.seconds.toFixed(1)} s, ${Math.round(r.idsPerSecondPerSide)} ids/s per side`);
    psi.push(r);
  }
  return {
    pass: secureBoost.every((r) => r.minNoiseBudget > 0),
    machine,
    startedAt,
    options,
    secureBoost,
    secureBoostEstimate: estimateBoost(secureBoost, options.boostTargetHostFeatures),
    vlr,
    psi,
  };
}

export function renderVerticalBench(r: VerticalBenchReport): string {
  const lines = [
    `vertical (issue 18), ${r.machine.cpus} CPUs, load ${r.machine.loadAverage.join(' / ')}`,
    ...r.secureBoost.map(
      (b) =>
        `  SecureBoost ${b.rows} rows x (${b.guestFeatures} + ${b.hostFeatures}), ${b.bins} bins, depth ${b.depth}: ` +
        `${b.treeSeconds} s per tree (${b.treeCpuSeconds} CPU s), ${b.histogramCiphertexts} histograms, ` +
        `noise budget left ${b.minNoiseBudget} bits`,
    ),
  ];
  const e = r.secureBoostEstimate;
  if (e)
    lines.push(
      `  SecureBoost at ${e.hostFeatures} host features: ~${e.treeSeconds} s (${e.treeCpuSeconds} CPU s), ${e.method}`,
    );
  for (const v of r.vlr)
    lines.push(
      `  vertical LR ${v.rows} rows, batch ${v.batchSize}: ${v.epochSeconds} s per epoch (${v.epochCpuSeconds} CPU s)`,
    );
  for (const p of r.psi)
    lines.push(
      `  PSI ${p.n} ids per side, ${p.threads} threads: ${p.seconds.toFixed(1)} s, ` +
        `${Math.round(p.idsPerSecondPerSide)} ids/s per side, ${Math.round(p.idsPerCpuSecondPerSide)} per CPU s`,
    );
  return lines.join('\n');
}
