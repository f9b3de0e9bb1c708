import { afterAll, describe, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectModelStreamsWhole } from './result-stream.js';

describe('large vectors travel in chunks, at scale', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-large-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a 10^7-value model reaches a client with gRPC's default 4 MiB message limit", async () => {
    await expectModelStreamsWhole(dir, 10_000_000);
  }, 120_000);
});
