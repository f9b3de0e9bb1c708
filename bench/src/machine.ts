import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { fixed } from './stats.js';

/** The machine a benchmark ran on: what `nproc`, `free -h`, `node --version` and /proc/cpuinfo say. */
export interface MachineInfo {
  cpuModel: string;
  /** Logical CPUs available to this process (as `nproc` counts them). */
  cpus: number;
  memTotalGiB: number;
  memAvailableGiB: number;
  node: string;
  os: string;
  /** 1, 5 and 15 minute load averages when the benchmark started: other work on the machine skews timings. */
  loadAverage: number[];
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: fall back to what libuv reports
  }
  return cpus()[0]?.model.trim() ?? 'unknown';
}

function memAvailableBytes(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

export function machineInfo(): MachineInfo {
  const gib = (b: number) => fixed(b / 1024 ** 3, 1);
  return {
    cpuModel: cpuModel(),
    cpus: availableParallelism(),
    memTotalGiB: gib(totalmem()),
    memAvailableGiB: gib(memAvailableBytes()),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    loadAverage: loadavg().map((l) => fixed(l, 2)),
  };
}

export const describeMachine = (m: MachineInfo) =>
  `${m.cpus} x ${m.cpuModel}, ${m.memTotalGiB} GiB RAM (${m.memAvailableGiB} GiB available), ` +
  `Node ${m.node}, ${m.os}; load average ${m.loadAverage.join(' ')} at start`;
