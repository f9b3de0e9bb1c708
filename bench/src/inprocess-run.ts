import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agreeSchema, featureNames, type AgreedSchema } from '@tessera/data';
import { createStrategy, deltaOf, logisticConfigFrom, StreamingSum } from '@tessera/fl';
import {
  logisticInit,
  momentsOf,
  seededRandom,
  standardisationFrom,
  trainLogistic,
  type Standardisation,
} from '@tessera/ml';
import { LocalData } from '@tessera/participant';
import { benchJobSpec, dataFields, shardSpec, type RunConfig } from './grpc-run.js';
import type { FoundationRun } from './results.js';
import { fixed, median, MiB } from './stats.js';
import { BENCH_DATASET, BENCH_LABEL, writeShards } from './synthetic.js';

const MEMORY_CHECKPOINTS = 10;
const INSTRUMENTED_ROUNDS = 3;

const settle = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Bytes held in ArrayBuffers (every Float64Array vector) after a full garbage collection. Twice:
 * V8 frees dead ArrayBuffers' memory in a concurrent sweep that the next collection completes.
 */
function liveVectorBytes(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

/** [count, sums, sums of squares] of one participant's rows: the participant's STATISTICS answer. */
function statisticsVector(data: LocalData, schema: AgreedSchema): { vector: Float64Array; count: number } {
  const encoded = data.encode(BENCH_DATASET, schema);
  const m = momentsOf(encoded);
  const vector = new Float64Array(2 * encoded.d + 1);
  vector[0] = m.count;
  vector.set(m.sum, 1);
  vector.set(m.sumSquares, encoded.d + 1);
  return { vector, count: m.count };
}

/**
 * The foundation round without the network, in this process: each participant's local fit
 * (the participant's own LocalData.prepare, trainLogistic and deltaOf, seeded as a node seeds
 * them) streamed into a StreamingSum one contribution at a time, then the FedAvg update, as the
 * coordinator's fit stage does. Needs `gc` (node --expose-gc) for the memory figure.
 */
export async function runInProcess(cfg: RunConfig, gc: () => void): Promise<FoundationRun> {
  const { n, d, log } = cfg;
  const dir = mkdtempSync(join(tmpdir(), `tessera-bench-inproc-n${n}-d${d}-`));
  try {
    const shardData = writeShards(join(dir, 'shards'), shardSpec(cfg)).map(
      (path) => new LocalData({ [BENCH_DATASET]: { type: 'csv', path, exclude: [] } }),
    );
    const ids = Array.from({ length: n }, (_, i) => `p-${String(i + 1).padStart(3, '0')}`);
    // Participant i trains on shard i mod the shard count (several share a shard when n exceeds it).
    const dataOf = (i: number) => {
      const data = shardData[i % shardData.length];
      if (!data) throw new Error(`no shard for participant ${i + 1}: ${shardData.length} shards were written`);
      return data;
    };
    const spec = benchJobSpec(cfg);

    // Setup, as the coordinator's schema and statistics stages (not timed).
    const schema = agreeSchema(shardData.map((data) => data.profile(BENCH_DATASET, BENCH_LABEL, [], [])));
    const k = featureNames(schema).length;
    if (k + 1 !== d) throw new Error(`the bench data encodes ${k} features, expected ${d - 1}`);
    const stats = new StreamingSum(2 * k + 1);
    for (let i = 0; i < n; i++) {
      const { vector } = statisticsVector(dataOf(i), schema);
      stats.addChunk(0, vector, 1);
      stats.commit(1);
    }
    const s = stats.result().weightedSum;
    const standardisation: Standardisation = standardisationFrom({
      count: s[0]!, // the sum has 2k + 1 entries, the count first
      sum: s.slice(1, k + 1),
      sumSquares: s.slice(k + 1),
    });
    const strategy = createStrategy({
      name: 'fedavg',
      fractionFit: 1,
      serverLearningRate: 1,
      minFitParticipants: n,
      seed: `${spec.seed}/in-process`,
    });
    const local = {
      epochs: spec.local.epochs,
      batchSize: spec.local.batchSize,
      learningRate: spec.local.learningRate,
      l2: 1e-4,
    };

    /** One participant's FIT answer, computed as participant/src/local-compute.ts does. */
    const localFit = (i: number, round: number, global: Float64Array) => {
      const seed = `${spec.seed}/${ids[i]}`;
      const prepared = dataOf(i).prepare(BENCH_DATASET, schema, standardisation, spec.validationFraction, seed);
      const result = trainLogistic(
        global,
        prepared.train,
        logisticConfigFrom({ ...local, round }),
        seededRandom(`${seed}/round-${round}`),
      );
      return { delta: deltaOf(result.weights, global), numExamples: prepared.train.n };
    };

    const fitRound = (round: number, global: Float64Array, checkpoint?: (contribution: number) => void) => {
      const started = performance.now();
      let fitMs = 0,
        aggregateMs = 0;
      const plan = strategy.configureFit(round, ids);
      const sum = new StreamingSum(global.length);
      plan.participants.forEach((id, c) => {
        const t0 = performance.now();
        const { delta, numExamples } = localFit(ids.indexOf(id), round, global);
        const t1 = performance.now();
        checkpoint?.(c);
        const t2 = performance.now();
        const w = strategy.contributionWeight(numExamples);
        sum.addChunk(0, delta, w);
        sum.commit(w);
        fitMs += t1 - t0;
        aggregateMs += performance.now() - t2;
      });
      const t3 = performance.now();
      const summed = sum.result();
      const next = strategy.aggregateFit(round, global, summed);
      aggregateMs += performance.now() - t3;
      checkpoint?.(-1); // after the update: the sum, its snapshot and the next model are alive
      if (summed.contributors !== plan.participants.length)
        throw new Error(
          `round ${round}: ${summed.contributors} contributions summed, expected ${plan.participants.length}`,
        );
      const seconds = (performance.now() - started) / 1000;
      return { next, seconds, fitSeconds: fitMs / 1000, aggregateSeconds: aggregateMs / 1000 };
    };

    let global = logisticInit(k);
    const roundSeconds: number[] = [],
      fitSeconds: number[] = [],
      aggregateSeconds: number[] = [];
    for (let round = 1; round <= cfg.rounds; round++) {
      const r = fitRound(round, global);
      global = r.next;
      roundSeconds.push(fixed(r.seconds, 4));
      fitSeconds.push(r.fitSeconds);
      aggregateSeconds.push(r.aggregateSeconds);
      log(
        `round ${round}/${cfg.rounds}: ${r.seconds.toFixed(3)} s (local fits ${r.fitSeconds.toFixed(3)} s, ` +
          `aggregation ${r.aggregateSeconds.toFixed(4)} s)`,
      );
      await settle();
    }

    // Three more, untimed rounds with memory checkpoints: live vector bytes above the baseline
    // (everything the participants keep, and the global model) after a full GC, with the
    // running sum and the newest contribution alive, and after the FedAvg update. The median of
    // the three rounds' peaks is kept: a one-off allocation of V8 or Node itself (a Buffer pool
    // slab, code being optimised) is not the aggregation's.
    await settle(50); // pending I/O (the log lines above) lets go of its buffers
    const every = Math.max(1, Math.floor(n / MEMORY_CHECKPOINTS));
    let checkpoints = 0;
    const peaks: number[] = [];
    for (let extra = 1; extra <= INSTRUMENTED_ROUNDS; extra++) {
      const base = liveVectorBytes(gc);
      let peak = 0;
      const r = fitRound(cfg.rounds + extra, global, (c) => {
        if (c >= 0 && c % every !== every - 1 && c !== n - 1) return;
        peak = Math.max(peak, liveVectorBytes(gc) - base);
        checkpoints++;
      });
      global = r.next;
      peaks.push(peak);
    }
    const peak = median(peaks);
    log(`aggregation peaks ${peaks.map((p) => `${p} B`).join(', ')} above the baseline in the instrumented rounds`);

    return {
      mode: 'inprocess',
      n,
      d,
      rounds: cfg.rounds,
      ...dataFields(cfg),
      roundSeconds,
      roundSecondsMedian: fixed(median(roundSeconds), 4),
      coordinatorPeakRssMiB: fixed(peak / MiB, 3),
      memoryMeasure:
        'peak live ArrayBuffer bytes of the aggregation ' +
        '(process.memoryUsage().arrayBuffers after forced full GCs) above the pre-round baseline, ' +
        'at contribution checkpoints and after the FedAvg update; median over 3 instrumented rounds',
      inprocess: {
        aggregationSecondsMedian: fixed(median(aggregateSeconds), 5),
        localFitSecondsMedian: fixed(median(fitSeconds), 4),
        checkpoints,
        processPeakRssMiB: fixed(process.resourceUsage().maxRSS / 1024, 1),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `runInProcess` in a fresh child process (node --expose-gc) so that each configuration starts clean. */
export function runInProcessIsolated(cfg: RunConfig): Promise<FoundationRun> {
  const child = fork(fileURLToPath(new URL('./inprocess-child.js', import.meta.url)), [], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { log, ...plain } = cfg;
  return new Promise((resolve, reject) => {
    let settled = false;
    child.on('message', (m: { log?: string; result?: FoundationRun; error?: string }) => {
      if (m.log !== undefined) log(m.log);
      if (m.result) {
        settled = true;
        resolve(m.result);
      }
      if (m.error) {
        settled = true;
        reject(new Error(m.error));
      }
    });
    child.once('exit', (code, signal) => {
      if (!settled)
        reject(new Error(`the in-process benchmark child exited without a result (${signal ?? `code ${code}`})`));
    });
    child.send(plain);
  });
}
