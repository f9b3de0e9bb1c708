import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Resident set size now and its high-water mark, in KiB, from /proc/<pid>/status (Linux). */
export interface ProcMemory {
  rssKiB: number;
  hwmKiB: number;
}

export function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${name} line`);
    return Number(m[1]);
  };
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}

/** Checks that per-process memory can be read here (Linux /proc); the gRPC benchmark needs it. */
export function canReadProcMemory(): boolean {
  try {
    procMemory(process.pid);
    return true;
  } catch {
    return false;
  }
}

/** One RSS reading: wall-clock time (ms since the epoch) and VmRSS in KiB. */
export interface RssSample {
  t: number;
  rssKiB: number;
}

/**
 * Samples another process's VmRSS every `intervalMs` from a worker thread, so the readings keep
 * their pace while this thread is busy (e.g. running participants' local training).
 */
export class RssSampler {
  private readonly worker: Worker;

  constructor(pid: number, intervalMs = 10) {
    this.worker = new Worker(new URL('./rss-sampler-worker.js', import.meta.url), { workerData: { pid, intervalMs } });
  }

  private stopped: Promise<RssSample[]> | undefined;

  /** Stops sampling (once; later calls get the same readings); resolves with every reading taken. */
  stop(): Promise<RssSample[]> {
    this.stopped ??= new Promise((resolve, reject) => {
      this.worker.once('message', (flat: number[]) => {
        const samples: RssSample[] = [];
        // (time, RSS) pairs: the loop bound keeps both of a pair in range
        for (let i = 0; i + 1 < flat.length; i += 2) samples.push({ t: flat[i]!, rssKiB: flat[i + 1]! });
        void this.worker.terminate();
        resolve(samples);
      });
      this.worker.once('error', reject);
      this.worker.postMessage('stop');
    });
    return this.stopped;
  }
}
