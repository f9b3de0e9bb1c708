import { FOUNDATION_DEFAULTS, type FoundationRequest } from '@tessera/cli/bench-api';
import { runGrpc } from './grpc-run.js';
import { runInProcessIsolated } from './inprocess-run.js';
import { describeMachine, machineInfo } from './machine.js';
import { canReadProcMemory } from './proc-memory.js';
import type { BenchMode, FoundationReport, FoundationRun, MemoryCheck } from './results.js';
import { fixed } from './stats.js';
import { benchTable } from './table.js';

/** What a foundation run measures; the defaults (FOUNDATION_DEFAULTS) are those of `tessera bench foundation`. */
export type FoundationOptions = FoundationRequest;
export { FOUNDATION_DEFAULTS };

/** The design bound: peak at the largest n under this many times the peak at the smallest n. */
export const MEMORY_RATIO_LIMIT = 2;

export function memoryChecks(runs: readonly FoundationRun[]): MemoryCheck[] {
  const checks: MemoryCheck[] = [];
  for (const mode of [...new Set(runs.map((r) => r.mode))]) {
    for (const d of [...new Set(runs.map((r) => r.d))]) {
      const same = runs.filter((r) => r.mode === mode && r.d === d).sort((a, b) => a.n - b.n);
      const [low] = same;
      const high = same.at(-1);
      if (same.length < 2 || !low || !high) continue;
      const ratio = high.coordinatorPeakRssMiB / low.coordinatorPeakRssMiB;
      checks.push({
        mode,
        d,
        nLow: low.n,
        nHigh: high.n,
        peakLowMiB: low.coordinatorPeakRssMiB,
        peakHighMiB: high.coordinatorPeakRssMiB,
        ratio: fixed(ratio, 3),
        limit: MEMORY_RATIO_LIMIT,
        pass: ratio < MEMORY_RATIO_LIMIT,
      });
    }
  }
  return checks;
}

/**
 * Round latency and coordinator peak memory for every (mode, n, d): over gRPC on loopback with
 * the coordinator in its own process, and in-process without the network.
 */
export async function runFoundation(o: FoundationOptions): Promise<FoundationReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  if (o.modes.includes('grpc') && !canReadProcMemory()) {
    throw new Error(
      "the gRPC benchmark reads the coordinator's memory from /proc/<pid>/status, " +
        'which this system does not have (Linux only); run with --modes inprocess',
    );
  }
  o.log(`foundation benchmark on ${describeMachine(machine)}`);
  const runs: FoundationRun[] = [];
  const order: BenchMode[] = ['inprocess', 'grpc'];
  for (const mode of order.filter((m) => o.modes.includes(m))) {
    for (const d of o.dims) {
      for (const n of o.participants) {
        const label = `${mode} n=${n} d=${d}`;
        const t0 = performance.now();
        o.log(`${label}: starting`);
        const cfg = {
          n,
          d,
          rounds: o.rounds,
          rowsPerParticipant: o.rowsPerParticipant,
          shards: o.shards,
          layout: o.layout,
          uploadSlots: o.uploadSlots,
          log: (line: string) => o.log(`${label}: ${line}`),
        };
        const run = mode === 'grpc' ? await runGrpc(cfg) : await runInProcessIsolated(cfg);
        runs.push(run);
        o.log(
          `${label}: median round ${run.roundSecondsMedian} s, coordinator peak ${run.coordinatorPeakRssMiB} MiB ` +
            `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
    }
  }
  const checks = memoryChecks(runs);
  return {
    benchmark: 'foundation',
    date: startedAt,
    machine,
    command: o.command,
    options: {
      participants: o.participants,
      dims: o.dims,
      rounds: o.rounds,
      modes: o.modes,
      uploadSlots: o.uploadSlots,
      rowsPerParticipant: o.rowsPerParticipant,
      shards: o.shards,
      layout: o.layout,
    },
    runs,
    memoryChecks: checks,
    pass: checks.every((c) => c.pass),
    totalSeconds: fixed((performance.now() - started) / 1000, 1),
  };
}

/** gRPC peaks are whole MiB-scale process figures (1 decimal); in-process peaks are a few vectors (3 decimals). */
const peak = (mode: BenchMode, mib: number) => mib.toFixed(mode === 'grpc' ? 1 : 3);

/** The report as text tables: the runs, the per-stage memory of the gRPC runs, and the memory checks. */
export function renderFoundation(r: FoundationReport): string {
  const out: string[] = [];
  out.push(`Foundation benchmark, ${r.date}`);
  out.push(`machine: ${describeMachine(r.machine)}`);
  out.push(
    `${r.options.rounds} rounds per run; ${r.options.rowsPerParticipant} rows per participant, ` +
      `${r.options.layout} layout; coordinator --upload-slots ${r.options.uploadSlots}`,
  );
  out.push('');
  out.push(
    benchTable(
      ['mode', 'n', 'd', 'round s (median)', 'coordinator peak MiB', 'what the peak is'],
      r.runs.map((x) => [
        x.mode,
        x.n,
        x.d,
        x.roundSecondsMedian,
        peak(x.mode, x.coordinatorPeakRssMiB),
        x.mode === 'grpc'
          ? 'VmHWM of the coordinator process'
          : `live vectors of the aggregation (whole process: ${x.inprocess?.processPeakRssMiB} MiB)`,
      ]),
      { 3: 3 },
    ),
  );
  const grpc = r.runs.filter((x) => x.grpc);
  if (grpc.length) {
    out.push('');
    out.push('coordinator RSS by stage (gRPC runs, MiB; sampled every 10 ms):');
    out.push(
      benchTable(
        ['n', 'd', 'idle', 'connected', 'schema', 'statistics', 'fit', 'evaluate', 'peak (VmHWM)', 'job s'],
        grpc.map((x) => {
          const g = x.grpc!;
          return [
            x.n,
            x.d,
            g.coordinatorIdleRssMiB,
            g.coordinatorConnectedRssMiB,
            g.stagePeakRssMiB.schema,
            g.stagePeakRssMiB.statistics,
            g.stagePeakRssMiB.fit,
            g.stagePeakRssMiB.evaluate,
            x.coordinatorPeakRssMiB,
            g.jobSeconds,
          ];
        }),
        { 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1 },
      ),
    );
  }
  if (r.memoryChecks.length) {
    out.push('');
    out.push(`memory criterion: peak(n=max) / peak(n=min) < ${MEMORY_RATIO_LIMIT}`);
    out.push(
      benchTable(
        ['mode', 'd', 'n_min', 'n_max', 'peak n_min MiB', 'peak n_max MiB', 'ratio', 'result'],
        r.memoryChecks.map((c) => [
          c.mode,
          c.d,
          c.nLow,
          c.nHigh,
          peak(c.mode, c.peakLowMiB),
          peak(c.mode, c.peakHighMiB),
          c.ratio,
          c.pass ? 'pass' : 'FAIL',
        ]),
        { 6: 2 },
      ),
    );
  }
  out.push('');
  out.push(`${r.pass ? 'all memory checks passed' : 'memory check FAILED'}; total ${r.totalSeconds} s`);
  return out.join('\n');
}
