// The coordinators of a load run: one process on its SQLite store, or N replicas sharing a throwaway PostgreSQL
// (`tessera coordinator start --store postgres://...`), each in its own process on the same data directory (its TLS
// keys and ledger key), so that participants pinned to the first trust them all.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CoordinatorProcess, tesseraBin } from '../coordinator-process.js';
import { startBenchPostgres, type BenchPostgres } from './bench-postgres.js';

export interface Replicas {
  coordinators: CoordinatorProcess[];
  /** Where participants dial: participant i dials addresses[i mod replicas]. */
  addresses: string[];
  /** Stops the coordinators (SIGTERM, so that a CPU profile is written) and the database; safe to call twice. */
  stop(): Promise<void>;
}

/** Whether this build's `tessera coordinator start` takes --store (coordinator replicas on PostgreSQL). */
export function coordinatorHasStore(): boolean {
  const help = execFileSync(process.execPath, [tesseraBin(), 'coordinator', 'start', '--help'], { encoding: 'utf8' });
  return /--store\b/.test(help);
}

export async function startReplicas(o: {
  replicas: number;
  dir: string;
  uploadSlots: number;
  nodeArgs?: string[];
  log: (line: string) => void;
}): Promise<Replicas> {
  if (o.replicas > 1 && !coordinatorHasStore())
    throw new Error(
      `--replicas ${o.replicas} needs coordinator replicas on a shared PostgreSQL store, and this build's ` +
        '`tessera coordinator start` has no --store option yet: run with --replicas 1',
    );
  let database: BenchPostgres | undefined;
  const coordinators: CoordinatorProcess[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(coordinators.map((c) => c.stop()));
    await database?.stop();
  };
  try {
    if (o.replicas > 1) {
      database = await startBenchPostgres();
      o.log(`PostgreSQL for ${o.replicas} replicas at ${database.url}`);
    }
    const store = database ? ['--store', database.url] : [];
    // Replicas share one data directory: the first creates its TLS keys and ledger key, and notes the store there,
    // so that enrolment and the analyst's registration on it reach the shared database.
    const dataDir = join(o.dir, 'coordinator');
    for (let k = 0; k < o.replicas; k++) {
      coordinators.push(
        await CoordinatorProcess.start({
          dataDir,
          uploadSlots: o.uploadSlots,
          // Only the first replica is profiled: the one the job is submitted to.
          ...(k === 0 && o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
          extraArgs: store,
          timeoutMs: 60_000,
        }),
      );
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { coordinators, addresses: coordinators.map((c) => c.address), stop };
}
