// Enrols a benchmark's n participant nodes against a running coordinator, ten at a time: each gets its own
// directory, token, identity and one CSV shard, opted in to plaintext jobs (secure: none) and without a policy.
import { join } from 'node:path';
import { createEnrollmentToken, initParticipant } from '@tessera/sdk';

const ENROL_CONCURRENCY = 10;

export interface BenchEnrolment {
  n: number;
  /** Where each node's directory goes (`bench-001`, ...). */
  dir: string;
  coordinatorDir: string;
  address: string;
  dataset: string;
  shardOf: (i: number) => string;
  insecure?: boolean;
}

/** The config path of each enrolled node, in order. */
export async function enrolBenchParticipants(e: BenchEnrolment): Promise<string[]> {
  const configPaths: string[] = new Array(e.n);
  for (let start = 0; start < e.n; start += ENROL_CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(ENROL_CONCURRENCY, e.n - start) }, async (_, k) => {
        const i = start + k;
        const name = `bench-${String(i + 1).padStart(3, '0')}`;
        const { configPath } = await initParticipant({
          dir: join(e.dir, name),
          coordinator: e.address,
          token: await createEnrollmentToken(e.coordinatorDir, name),
          ...(e.insecure ? { insecure: true } : {}),
          name,
          // Plaintext comparison jobs run on these nodes too: they opt in (masked and sealed stay accepted).
          datasets: { [e.dataset]: { type: 'csv', path: e.shardOf(i), secure: 'none' } },
          policy: false,
        });
        configPaths[i] = configPath;
      }),
    );
  }
  return configPaths;
}
