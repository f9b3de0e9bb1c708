import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Measurement, MeasurementResult } from './data-measure.js';

/** Runs one measurement in a fresh child process (data-child.ts), so that the peak RSS it reports is its own. */
export function runIsolated(
  m: Measurement,
  log: (line: string) => void,
): Promise<MeasurementResult & { peakRssKiB: number }> {
  const child = fork(fileURLToPath(new URL('./data-child.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    child.on(
      'message',
      (msg: { log?: string; result?: MeasurementResult & { peakRssKiB: number }; error?: string }) => {
        if (msg.log !== undefined) log(msg.log);
        if (msg.result) {
          settled = true;
          resolve(msg.result);
        }
        if (msg.error) {
          settled = true;
          reject(new Error(`${m.kind} measurement of ${m.file}: ${msg.error}`));
        }
      },
    );
    child.once('exit', (code, signal) => {
      if (!settled)
        reject(
          new Error(`the ${m.kind} measurement of ${m.file} exited without a result (${signal ?? `code ${code}`})`),
        );
    });
    child.send(m);
  });
}
