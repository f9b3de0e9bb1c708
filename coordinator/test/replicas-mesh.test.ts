/** The replica directory as the mesh keeps it: crashed replicas' rows go, and a replica never links to itself. */
import { lineLogger } from '@tessera/transport';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicaMesh } from '../src/replicas/replica-mesh.js';
import { SessionRegistry } from '../src/service/registry.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { tempDir } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('ReplicaMesh', () => {
  it('forgets replicas silent for 10 lease lifetimes, and links neither to its id nor to its own address', async () => {
    const tmp = tempDir();
    const store = new SqliteStore(join(tmp.dir, 'coordinator.sqlite'));
    cleanups.push(() => tmp.cleanup());
    cleanups.push(() => store.close());
    const ttl = 1_000;
    const now = Date.now();
    await store.registerReplica('crashed-long-ago', '127.0.0.1:1', now - 11 * ttl);
    await store.registerReplica('crashed-lately', '127.0.0.1:2', now - 5 * ttl);
    // A row a crashed process left at the address this replica now listens on, still fresh.
    await store.registerReplica('previous-self', '127.0.0.1:7999', now);
    await store.registerReplica('other', '127.0.0.1:3', now);
    const log: string[] = [];
    const mesh = new ReplicaMesh({
      store,
      replicaId: 'me',
      address: '127.0.0.1:7999',
      security: { mode: 'insecure' },
      registry: new SessionRegistry(),
      ttlMs: ttl,
      onCancel: () => undefined,
      logger: lineLogger((l) => log.push(l)),
    });
    cleanups.push(() => mesh.stop());
    await mesh.start();
    const ids = (await store.liveReplicas(0)).map((r) => r.id).sort();
    expect(ids).toEqual(['crashed-lately', 'me', 'other', 'previous-self']);
    expect(log.some((l) => l.startsWith('replica crashed-long-ago (127.0.0.1:1) forgotten'))).toBe(true);
    // Linked to 'other' only: not to itself under its old name at its own address.
    expect(mesh.peers).toBe(1);
  });
});
