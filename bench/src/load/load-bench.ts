// `tessera bench load`: one load run per participant count (load-run.ts), the report and its text tables.
import { LOAD_DEFAULTS, type LoadRequest } from '@tessera/cli/bench-api';
import { describeMachine, machineInfo, type MachineInfo } from '../machine.js';
import { canReadProcMemory } from '../proc-memory.js';
import { canCountSocketBytes } from '../socket-bytes.js';
import { fixed } from '../stats.js';
import { benchTable } from '../table.js';
import { runLoad, type LoadRun } from './load-run.js';

export { LOAD_DEFAULTS };

export interface LoadReport {
  benchmark: 'load';
  date: string;
  machine: MachineInfo;
  command: string;
  options: Omit<LoadRequest, 'log' | 'command'>;
  runs: LoadRun[];
  totalSeconds: number;
}

export async function runLoadBench(o: LoadRequest): Promise<LoadReport> {
  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  if (!canReadProcMemory() || !canCountSocketBytes())
    throw new Error(
      "the load harness reads the coordinator's CPU and memory from /proc and its sockets' bytes with `ss` " +
        '(iproute2): it runs on Linux only',
    );
  o.log(`load harness on ${describeMachine(machine)}`);
  const runs: LoadRun[] = [];
  for (const n of o.participants) {
    const workers = Math.max(1, Math.min(o.workers, n));
    o.log(`n = ${n}, d = ${o.dim}, masked, ${o.rounds} round(s), ${o.replicas} replica(s), ${workers} workers`);
    const run = await runLoad({
      n,
      d: o.dim,
      rounds: o.rounds,
      replicas: o.replicas,
      workers,
      profile: o.profile,
      ...(o.profileDir ? { profileDir: o.profileDir } : {}),
      rowsPerParticipant: LOAD_DEFAULTS.rowsPerParticipant,
      shards: LOAD_DEFAULTS.shards,
      uploadSlots: LOAD_DEFAULTS.uploadSlots,
      log: o.log,
    });
    const hottest = run.profile?.bottleneck ? `; hottest: ${run.profile.bottleneck.name}` : '';
    o.log(
      `n = ${n}: round ${run.roundSecondsMedian} s, coordinator ${run.coordinator.cpuSeconds.job} CPU s, ` +
        `peak ${run.coordinator.peakRssMiB.join(', ')} MiB${hottest}`,
    );
    runs.push(run);
  }
  const { log: _log, command, ...options } = o;
  return {
    benchmark: 'load',
    date,
    machine,
    command,
    options,
    runs,
    totalSeconds: fixed((performance.now() - started) / 1000, 1),
  };
}

export function renderLoad(r: LoadReport): string {
  const main = benchTable(
    [
      'n',
      'replicas',
      'contributors',
      'round s',
      'advertise',
      'share keys',
      'masked input',
      'consistency',
      'unmask',
      'coord CPU s',
      'CPU s/round',
      'coord cores',
      'coord peak MiB',
      'msg/s',
      'KiB up/part',
      'KiB down/part',
      'MiB/part (node)',
    ],
    r.runs.map((x) => [
      x.n,
      x.replicas,
      x.contributors,
      x.roundSecondsMedian,
      x.stageSeconds.advertise,
      x.stageSeconds.shareKeys,
      x.stageSeconds.maskedInput,
      x.stageSeconds.consistency,
      x.stageSeconds.unmask,
      x.coordinator.cpuSeconds.job,
      x.coordinator.cpuSeconds.perRound,
      x.coordinator.cores,
      Math.max(...x.coordinator.peakRssMiB),
      x.messages.perSecond,
      fixed(x.bytesPerParticipant.up / 1024, 1),
      fixed(x.bytesPerParticipant.down / 1024, 1),
      x.participantMemory.perParticipantMiB,
    ]),
    { 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 1, 10: 1, 11: 2, 13: 0, 14: 1, 15: 1, 16: 2 },
  );
  const profiles = r.runs
    .filter((x) => x.profile)
    .map(
      (x) =>
        `CPU profile of the coordinator over the job, n = ${x.n} (self time, ${x.profile!.busySeconds} busy s):\n` +
        benchTable(
          ['function', 'self s', 'share'],
          x.profile!.top.map((f) => [f.name, f.selfSeconds, f.share]),
          { 1: 2, 2: 3 },
        ) +
        `\nfirst bottleneck: ${x.profile!.bottleneck?.name ?? 'none found'}`,
    );
  return [
    `load harness (d = ${r.options.dim}, masked, ${r.options.rounds} round(s)) on ${describeMachine(r.machine)}`,
    main,
    ...profiles,
  ].join('\n\n');
}
