/** Whether a coordinator can serve: its store answers, its schema is the newest this code knows, gRPC listens. */
import { MIGRATIONS } from '../store/migrations.js';
import type { Store } from '../store/store.js';

export interface ReadinessCheck {
  ok: boolean;
  detail: string;
}

export interface Readiness {
  ready: boolean;
  checks: { store: ReadinessCheck; migrations: ReadinessCheck; grpc: ReadinessCheck };
}

/** How long the store may take to answer before the coordinator counts as not ready. */
const STORE_TIMEOUT_MS = 2000;

export async function readinessOf(store: Store, grpc: { listening: boolean; address: string }): Promise<Readiness> {
  const known = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  let version: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    version = await Promise.race([
      Promise.resolve(store.schemaVersion()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), STORE_TIMEOUT_MS);
      }),
    ]);
  } catch {
    // Why is not said: /readyz answers anyone, and a driver's message may name the database's host.
  } finally {
    clearTimeout(timer);
  }
  const checks = {
    store:
      version === undefined
        ? { ok: false, detail: `the store did not answer within ${STORE_TIMEOUT_MS} ms, or failed` }
        : ok('reachable'),
    migrations:
      version === undefined
        ? { ok: false, detail: 'unknown (the store does not answer)' }
        : version === known
          ? ok(`schema version ${version}`)
          : { ok: false, detail: `schema version ${version}, expected ${known}` },
    grpc: grpc.listening ? ok(`listening on ${grpc.address}`) : { ok: false, detail: 'not listening' },
  };
  return { ready: checks.store.ok && checks.migrations.ok && checks.grpc.ok, checks };
}

const ok = (detail: string): ReadinessCheck => ({ ok: true, detail });
