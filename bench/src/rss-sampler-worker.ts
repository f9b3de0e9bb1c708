// Worker thread of RssSampler: reads VmRSS of workerData.pid every workerData.intervalMs and
// answers 'stop' with the readings as a flat array [t0, rss0, t1, rss1, ...] (ms, KiB).
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { pid, intervalMs } = workerData as { pid: number; intervalMs: number };
const readings: number[] = [];
const path = `/proc/${pid}/status`;

const sample = () => {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(path, 'utf8'));
    if (m) readings.push(Date.now(), Number(m[1]));
  } catch {
    // the process has exited: nothing more to read
  }
};

sample();
const timer = setInterval(sample, intervalMs);
parentPort!.on('message', (m: string) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  sample();
  parentPort!.postMessage(readings);
});
