import { afterAll, describe, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { expectModelStreamsWhole } from './result-stream.js';

describe('large vectors travel in chunks, at scale', () => {
  const { dir, cleanup } = tempDir('tessera-large-');
  afterAll(cleanup);

  it("a 10^7-value model reaches a client with gRPC's default 4 MiB message limit", async () => {
    await expectModelStreamsWhole(dir, 10_000_000);
  }, 120_000);
});
