// `npm run bench mlp-rounds`: round latency of an MLP with about 10^5 parameters over gRPC (issue 17), for n = 10 and
// n = 100 participants, with SecAgg+ masking (the default) and in plaintext (secure: none) for comparison.
import { mlpModel, modelSize, seededRandom, trainModel } from '@tessera/ml';
import { describeMachine, machineInfo, type MachineInfo } from '../machine.js';
import { canReadProcMemory } from '../proc-memory.js';
import { canCountSocketBytes } from '../socket-bytes.js';
import { fixed, median } from '../stats.js';
import { benchTable } from '../table.js';
import { loadDigits } from './digits.js';
import { DIGITS_CLASSES, DIGITS_FEATURES } from './digits-shards.js';
import { runMlpRound, type MlpRoundRun, type MlpSecureMode } from './mlp-round-run.js';

export interface MlpRoundsOptions {
  participants: number[];
  hidden: number[];
  secure: MlpSecureMode[];
  rounds: number;
  rowsPerParticipant: number;
  batchSize: number;
  /** minParticipants = ceil(quorum × n); 1 (the default): every participant must contribute to every stage. */
  quorum: number;
  /** A run still going after this many seconds is stopped and reported as not completed. */
  timeoutSeconds: number;
}

/** 64 -> [512, 128] -> 10: 64·512 + 512 + 512·128 + 128 + 128·10 + 10 = 100,234 parameters. */
export const MLP_ROUNDS_DEFAULTS: MlpRoundsOptions = {
  participants: [10, 100],
  hidden: [512, 128],
  secure: ['none', 'masked'],
  rounds: 3,
  rowsPerParticipant: 30,
  batchSize: 16,
  quorum: 1,
  timeoutSeconds: 900,
};

/** Seconds in all: what bench/test runs. */
export const MLP_ROUNDS_QUICK: MlpRoundsOptions = {
  ...MLP_ROUNDS_DEFAULTS,
  participants: [3],
  hidden: [16],
  rounds: 2,
  rowsPerParticipant: 20,
  timeoutSeconds: 120,
};

/** A run that did not complete: what happened. */
export interface MlpRoundFailure {
  n: number;
  secure: MlpSecureMode;
  error: string;
  seconds: number;
}

export interface MlpRoundsReport {
  benchmark: 'mlp-rounds';
  date: string;
  machine: MachineInfo;
  command: string;
  options: MlpRoundsOptions;
  parameters: number;
  /** One participant's local epoch on its training rows (this process, alone): the round's floor of local work. */
  localEpochSeconds: number;
  runs: MlpRoundRun[];
  failures: MlpRoundFailure[];
  /** Largest n whose masked job completed (0 if none). */
  largestMaskedN: number;
  pass: boolean;
  totalSeconds: number;
}

/** Median wall time of one local epoch on a participant's training split (3 runs after a warm-up). */
function localEpochSeconds(o: MlpRoundsOptions): number {
  const all = loadDigits();
  const n = Math.max(1, Math.round(o.rowsPerParticipant * 0.75));
  const data = { x: all.x.subarray(0, n * all.d), y: all.y.subarray(0, n), n, d: all.d };
  const model = mlpModel({ features: all.d, hidden: o.hidden, head: 'softmax', classes: 10, l2: 0 });
  const init = model.init(seededRandom('bench-mlp-rounds init'));
  const cfg = { learningRate: 0.05, batchSize: o.batchSize, epochs: 1, optimiser: 'sgd' as const };
  const times: number[] = [];
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    trainModel(model, init, data, cfg, seededRandom(`bench-mlp-rounds ${r}`));
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

export async function runMlpRounds(
  log: (line: string) => void,
  o: MlpRoundsOptions = MLP_ROUNDS_DEFAULTS,
  command = 'npm run bench mlp-rounds',
): Promise<MlpRoundsReport> {
  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  if (!canReadProcMemory() || !canCountSocketBytes())
    throw new Error(
      "the mlp-rounds benchmark reads the coordinator's memory from /proc and its received bytes with ss (Linux, " +
        'iproute2); run it on Linux with iproute2 installed',
    );
  const parameters = modelSize(
    { kind: 'mlp', hidden: o.hidden },
    { features: DIGITS_FEATURES, task: 'multiclass', classes: DIGITS_CLASSES.length },
  );
  log(`mlp-rounds benchmark on ${describeMachine(machine)}`);
  const local = localEpochSeconds(o);
  log(
    `MLP ${DIGITS_FEATURES} -> [${o.hidden.join(', ')}] -> 10: ${parameters} parameters; one local epoch on ` +
      `${o.rowsPerParticipant} rows' training split takes ${fixed(local, 4)} s`,
  );
  const runs: MlpRoundRun[] = [];
  const failures: MlpRoundFailure[] = [];
  for (const n of o.participants) {
    for (const secure of o.secure) {
      const label = `n=${n} ${secure}`;
      const t0 = performance.now();
      log(`${label}: starting`);
      try {
        const run = await runMlpRound(
          {
            n,
            hidden: o.hidden,
            secure,
            rounds: o.rounds,
            rowsPerParticipant: o.rowsPerParticipant,
            batchSize: o.batchSize,
            quorum: o.quorum,
            timeoutSeconds: o.timeoutSeconds,
            log: (line) => log(`${label}: ${line}`),
          },
          parameters,
        );
        runs.push(run);
        log(
          `${label}: median round ${run.roundSecondsMedian} s, p90 ${run.roundSecondsP90} s, ` +
            `${run.uploadBytesPerParticipantRound} B up per participant per round, coordinator peak ` +
            `${run.coordinatorPeakRssMiB} MiB (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
        );
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        failures.push({ n, secure, error, seconds: fixed((performance.now() - t0) / 1000, 1) });
        log(`${label}: did not complete: ${error.split('\n')[0]}`);
      }
    }
  }
  const masked = runs.filter((r) => r.secure === 'masked').map((r) => r.n);
  return {
    benchmark: 'mlp-rounds',
    date,
    machine,
    command,
    options: o,
    parameters,
    localEpochSeconds: fixed(local, 4),
    runs,
    failures,
    largestMaskedN: masked.length ? Math.max(...masked) : 0,
    pass: failures.length === 0,
    totalSeconds: fixed((performance.now() - started) / 1000, 1),
  };
}

export function renderMlpRounds(r: MlpRoundsReport): string {
  const o = r.options;
  return [
    `MLP round latency over gRPC (issue 17), ${r.date}`,
    `machine: ${describeMachine(r.machine)}`,
    `MLP ${DIGITS_FEATURES} -> [${o.hidden.join(', ')}] -> 10 (${r.parameters} parameters) on digits, ` +
      `${o.rowsPerParticipant} rows per participant, 1 local epoch (batch ${o.batchSize}), ${o.rounds} rounds; ` +
      `one local epoch alone: ${r.localEpochSeconds} s; minParticipants ceil(${o.quorum} n)`,
    '',
    benchTable(
      [
        'n',
        'secure',
        'round s median',
        'round s p90',
        'fit+eval s',
        'up KiB/participant/round',
        'coord. RSS connected MiB',
        'coord. peak in job MiB',
        'coord. CPU s',
        'participants CPU s',
        'loop stall s',
        'accuracy',
      ],
      r.runs.map((x) => [
        x.n,
        x.secure,
        x.roundSecondsMedian,
        x.roundSecondsP90,
        median(x.roundToRoundSeconds),
        fixed(x.uploadBytesPerParticipantRound / 1024, 1),
        x.coordinatorConnectedRssMiB,
        x.coordinatorJobPeakRssMiB,
        x.coordinatorCpuSeconds,
        x.participantsCpuSeconds,
        x.eventLoopMaxStallSeconds,
        x.lastMetrics.accuracy ?? Number.NaN,
      ]),
      { 2: 2, 3: 2, 4: 2, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 2, 11: 3 },
    ),
    ...r.runs.flatMap((x) =>
      x.stages
        .filter((s) => s.status !== 'completed')
        .map((s) => `n=${x.n} ${x.secure}: round ${s.round} ${s.stage} ${s.status}: ${s.error ?? ''}`),
    ),
    ...r.failures.map((f) => `n=${f.n} ${f.secure}: did not complete after ${f.seconds} s: ${f.error.split('\n')[0]}`),
    `largest n with a completed masked job: ${r.largestMaskedN}; total ${r.totalSeconds} s`,
  ].join('\n');
}
