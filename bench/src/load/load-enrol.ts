// Enrols a load run's n participants, ten at a time, as bench-enrol.ts does, but paced to the coordinator's limit on
// unauthenticated calls (enrolment is one: 300 at once, then 30 a second by default): a refusal for that limit waits
// the time the coordinator names and tries again.
import { join } from 'node:path';
import { createEnrollmentToken, initParticipant } from '@tessera/sdk';
import type { BenchEnrolment } from '../bench-enrol.js';

const CONCURRENCY = 10;
const MAX_TRIES = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The config path of each enrolled node, in order. */
export async function enrolLoadParticipants(e: BenchEnrolment): Promise<string[]> {
  const configPaths: string[] = new Array(e.n);
  const enrolOne = async (i: number) => {
    const name = `bench-${String(i + 1).padStart(4, '0')}`;
    const token = await createEnrollmentToken(e.coordinatorDir, name);
    for (let attempt = 1; ; attempt++) {
      try {
        const { configPath } = await initParticipant({
          dir: join(e.dir, `${name}-${attempt}`),
          coordinator: e.address,
          token,
          name,
          datasets: { [e.dataset]: { type: 'csv', path: e.shardOf(i), secure: 'none' } },
          policy: false,
        });
        configPaths[i] = configPath;
        return;
      } catch (err) {
        const m = /rate limit.*retry in ([\d.]+) s/s.exec((err as Error).message);
        if (!m || attempt >= MAX_TRIES) throw err;
        await sleep(Math.max(100, Number(m[1]) * 1000) + Math.random() * 200);
      }
    }
  };
  for (let start = 0; start < e.n; start += CONCURRENCY)
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, e.n - start) }, (_, k) => enrolOne(start + k)));
  return configPaths;
}
