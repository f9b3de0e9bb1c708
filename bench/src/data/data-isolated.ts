import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Measurement, MeasurementResult } from './data-measure.js';

/** Runs one measurement in a fresh child process (data-child.ts), so that the peak RSS it reports is its own. */
export function runIsolated(
  m: Measurement,
  log: (line: string) => void,
): Promise<MeasurementResult & { peakRssKiB: number }> {
  const child = fork(childScript(), [], {
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

/** The built child next to this module; from the sources (vitest), the built one in bench/dist. */
function childScript(): string {
  const here = fileURLToPath(new URL('./data-child.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = fileURLToPath(new URL('../../dist/data/data-child.js', import.meta.url));
  if (!existsSync(built)) throw new Error(`${built} is missing: build the bench first (npx tsc -b bench)`);
  return built;
}
