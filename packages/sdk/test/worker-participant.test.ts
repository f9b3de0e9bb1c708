import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCsv } from '@tessera/data';
import { createEnrollmentToken, initParticipant, LocalFederation } from '../src/index.js';
import { WorkerParticipant } from '../src/worker-participant.js';
import { shardsOf, tempDir } from './helpers.js';

/** Resolves once `check` holds (polled), or rejects naming `what` after `ms`. */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a participant in a worker thread', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  let configPath: string;
  let participantId: string;

  beforeAll(async () => {
    // A coordinator without participants; the one under test is enrolled here as the federation would enrol it.
    fed = await LocalFederation.start({ dir: tmp.dir, shards: [] });
    const dir = join(tmp.dir, 'merchant-1');
    const csv = join(dir, 'customers.csv');
    const token = await createEnrollmentToken(join(tmp.dir, 'coordinator'), 'merchant-1');
    ({ configPath, participantId } = await initParticipant({
      dir,
      coordinator: fed.address,
      token,
      name: 'merchant-1',
      datasets: { customers: { type: 'csv', path: csv } },
      policy: false,
    }));
    writeFileSync(csv, toCsv(shardsOf('breast_cancer.csv', 'benign', 1, 'iid', 3).shards[0]!));
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('is ready when it was welcomed before start() was called (the welcome is not lost)', async () => {
    const lines: string[] = [];
    const p = new WorkerParticipant('merchant-1', participantId, configPath, (l) => lines.push(l));
    try {
      // The thread connects on its own. It posts the "connected" log line and then, at once, its readiness: once
      // the line is here, the readiness has reached this thread too, before anyone called start().
      await until(() => lines.some((l) => l.includes(`${participantId} connected to`)), 'the welcome');
      await new Promise((r) => setTimeout(r, 100));
      let timer: NodeJS.Timeout | undefined;
      const never = new Promise<string>((r) => {
        timer = setTimeout(() => r('start() never resolved'), 5_000);
      });
      expect(await Promise.race([p.start().then(() => 'ready'), never])).toBe('ready');
      clearTimeout(timer);
    } finally {
      await p.stop();
    }
  });

  it('rejects start() when its thread exits before it connected, naming the participant', async () => {
    const p = new WorkerParticipant('merchant-9', 'p-none', join(tmp.dir, 'no-such-participant.yaml'), () => {});
    await expect(p.start()).rejects.toThrow(/participant merchant-9: .*no-such-participant\.yaml/);
    await p.stop();
  });
});
