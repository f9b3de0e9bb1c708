// The cost of TLS: the foundation benchmark's gRPC run with the coordinator on TLS (the default) and with --insecure,
// at each n, measuring round latency and the coordinator process's CPU time.
import { FOUNDATION_DEFAULTS } from '@tessera/cli/bench-api';
import { runGrpc } from './grpc-run.js';
import { describeMachine, machineInfo, type MachineInfo } from './machine.js';
import type { FoundationRun } from './results.js';
import { fixed } from './stats.js';
import { benchTable } from './table.js';

/** `npm run bench transport`: issue 14's comparison, n = 10 and 100 at d = 10^5, plaintext first then TLS. */
export const TRANSPORT_DEFAULTS = {
  participants: [10, 100],
  dimension: 100_000,
  rounds: 5,
  rowsPerParticipant: FOUNDATION_DEFAULTS.rowsPerParticipant,
  shards: FOUNDATION_DEFAULTS.shards,
  layout: FOUNDATION_DEFAULTS.layout,
  uploadSlots: FOUNDATION_DEFAULTS.uploadSlots,
};

export interface TransportRow {
  n: number;
  d: number;
  transport: 'tls' | 'insecure';
  roundSeconds: number[];
  roundSecondsMedian: number;
  jobSeconds: number;
  /** Coordinator CPU seconds while the n participants enrolled and connected, and over the job. */
  connectCpuSeconds: number;
  jobCpuSeconds: number;
  coordinatorPeakRssMiB: number;
}

export interface TransportReport {
  benchmark: 'transport';
  date: string;
  machine: MachineInfo;
  command: string;
  options: typeof TRANSPORT_DEFAULTS;
  rows: TransportRow[];
  /** Per n: TLS over plaintext, for the median round and the coordinator's job CPU. */
  ratios: { n: number; roundSeconds: number; jobCpu: number }[];
  /** No bound is set on the cost of TLS: the report is a measurement. */
  pass: true;
  totalSeconds: number;
}

function rowOf(run: FoundationRun): TransportRow {
  const g = run.grpc!; // runGrpc always fills it
  return {
    n: run.n,
    d: run.d,
    transport: g.transport,
    roundSeconds: run.roundSeconds,
    roundSecondsMedian: run.roundSecondsMedian,
    jobSeconds: g.jobSeconds,
    connectCpuSeconds: g.coordinatorCpuSeconds.connect,
    jobCpuSeconds: g.coordinatorCpuSeconds.job,
    coordinatorPeakRssMiB: run.coordinatorPeakRssMiB,
  };
}

export async function runTransportBench(
  log: (line: string) => void,
  o: typeof TRANSPORT_DEFAULTS = TRANSPORT_DEFAULTS,
  command = 'npm run bench transport',
): Promise<TransportReport> {
  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  log(`transport benchmark on ${describeMachine(machine)}`);
  const rows: TransportRow[] = [];
  for (const n of o.participants) {
    for (const insecure of [true, false]) {
      const label = `${insecure ? 'insecure' : 'tls'} n=${n} d=${o.dimension}`;
      const run = await runGrpc({
        n,
        d: o.dimension,
        rounds: o.rounds,
        rowsPerParticipant: o.rowsPerParticipant,
        shards: o.shards,
        layout: o.layout,
        uploadSlots: o.uploadSlots,
        insecure,
        log: (line) => log(`${label}: ${line}`),
      });
      const row = rowOf(run);
      rows.push(row);
      log(`${label}: median round ${row.roundSecondsMedian} s, coordinator CPU ${row.jobCpuSeconds} s over the job`);
    }
  }
  const ratios = o.participants.map((n) => {
    const of = (t: TransportRow['transport']) => rows.find((r) => r.n === n && r.transport === t)!;
    const [tls, plain] = [of('tls'), of('insecure')];
    return {
      n,
      roundSeconds: fixed(tls.roundSecondsMedian / plain.roundSecondsMedian, 3),
      jobCpu: fixed(tls.jobCpuSeconds / plain.jobCpuSeconds, 3),
    };
  });
  return {
    benchmark: 'transport',
    date,
    machine,
    command,
    options: o,
    rows,
    ratios,
    pass: true,
    totalSeconds: fixed((performance.now() - started) / 1000, 1),
  };
}

export function renderTransportBench(r: TransportReport): string {
  return [
    `Transport benchmark (TLS against --insecure), ${r.date}`,
    `machine: ${describeMachine(r.machine)}`,
    `${r.options.rounds} rounds per run, ${r.options.rowsPerParticipant} rows per participant, secure.mode none`,
    '',
    benchTable(
      ['n', 'd', 'transport', 'round s (median)', 'job s', 'coordinator CPU s: connect', 'job', 'peak MiB'],
      r.rows.map((x) => [
        x.n,
        x.d,
        x.transport,
        x.roundSecondsMedian,
        x.jobSeconds,
        x.connectCpuSeconds,
        x.jobCpuSeconds,
        x.coordinatorPeakRssMiB,
      ]),
      { 3: 3, 4: 2, 5: 2, 6: 2, 7: 1 },
    ),
    '',
    benchTable(
      ['n', 'TLS / insecure: median round', 'coordinator job CPU'],
      r.ratios.map((x) => [x.n, x.roundSeconds, x.jobCpu]),
      { 1: 2, 2: 2 },
    ),
    '',
    `total ${r.totalSeconds} s`,
  ].join('\n');
}
