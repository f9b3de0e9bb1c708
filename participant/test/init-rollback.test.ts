// A failed `initParticipant` (a refused token, an unreachable coordinator) leaves no directory, key, config or policy.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coordinator, createEnrollmentToken } from '@tessera/coordinator';
import { toCsv } from '@tessera/data';
import { BREAST_CANCER, shards } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { initParticipant } from '../src/index.js';

describe('a failed participant init leaves nothing behind', () => {
  const tmp = tempDir('tessera-init-rollback-');
  let coordinator: Coordinator;
  const csv = join(tmp.dir, 'customers.csv');

  beforeAll(async () => {
    writeFileSync(csv, toCsv(shards(BREAST_CANCER, 2)[0]!));
    coordinator = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await coordinator.stop();
    tmp.cleanup();
  });

  const init = (dir: string, token: string, name: string, address = coordinator.address) =>
    initParticipant({ dir, coordinator: address, token, name, datasets: { customers: { type: 'csv', path: csv } } });

  it('removes the directory (and the parents) it created when the coordinator refuses a used token', async () => {
    const token = await createEnrollmentToken(coordinator.options.dataDir, 'm1');
    await init(join(tmp.dir, 'm1'), token, 'm1');
    const second = join(tmp.dir, 'nested', 'm1-again');
    await expect(init(second, token, 'm1')).rejects.toThrow();
    expect(existsSync(join(tmp.dir, 'nested'))).toBe(false);
  });

  it('keeps a directory that existed, and the files in it, removing only what init added', async () => {
    const dir = join(tmp.dir, 'own');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    // The token names m2; enrolling as another name is refused by the coordinator, after the key is made.
    const token = await createEnrollmentToken(coordinator.options.dataDir, 'm2');
    await expect(init(dir, token, 'someone-else')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    // The token was refused, not used: the right name still enrols.
    await expect(init(dir, token, 'm2')).resolves.toMatchObject({ participantId: expect.any(String) });
  });

  it('writes nothing when the coordinator is unreachable', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const dir = join(tmp.dir, 'unreachable');
    const token = await createEnrollmentToken(coordinator.options.dataDir, 'm3');
    await expect(init(dir, token, 'm3', `127.0.0.1:${closed}`)).rejects.toThrow();
    expect(existsSync(dir)).toBe(false);
  }, 20_000);
});
