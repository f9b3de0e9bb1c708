import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { CHUNK_VALUES, tessera } from '@tessera/proto';
import { expectModelStreamsWhole } from './result-stream.js';

describe('large vectors travel in chunks', () => {
  const { dir, cleanup } = tempDir('tessera-large-');
  afterAll(cleanup);

  it("one chunk encodes far below gRPC's 4 MiB default", () => {
    const values = new Float64Array(CHUNK_VALUES).map((_, i) => Math.sin(i) * 1e6);
    const bytes = tessera.v1.UpdateChunk.encode({
      task: { jobId: 'job-x', round: 1, stage: 3 },
      chunk: { offset: 9_000_000, total: 10_000_000, values: values as unknown as number[] },
    }).finish();
    expect(bytes.length).toBeLessThan(1024 * 1024);
  });

  // The 10^7-value model is in large-vectors.slow.test.ts (npm run test:slow).
  it("a model of three and a bit chunks reaches a client with gRPC's default limit, every value in place", async () => {
    await expectModelStreamsWhole(dir, 3 * CHUNK_VALUES + 17);
  });
});
