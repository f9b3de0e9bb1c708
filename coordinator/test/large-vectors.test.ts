import { afterAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalystServiceDefinition, CHUNK_VALUES, tessera } from '@tessera/proto';
import { Coordinator } from '../src/index.js';

describe('large vectors travel in chunks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-large-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('one chunk encodes far below gRPC\'s 4 MiB default', () => {
    const values = new Float64Array(CHUNK_VALUES).map((_, i) => Math.sin(i) * 1e6);
    const bytes = tessera.v1.UpdateChunk.encode({ task: { jobId: 'job-x', round: 1, stage: 3 }, chunk: { offset: 9_000_000, total: 10_000_000, values: values as unknown as number[] } }).finish();
    expect(bytes.length).toBeLessThan(1024 * 1024);
  });

  it('a 10^7-value model reaches a client with gRPC\'s default 4 MiB message limit', async () => {
    const c = await Coordinator.start({ dataDir: dir, listen: '127.0.0.1:0' });
    try {
      const d = 10_000_000;
      const weights = new Float64Array(d);
      for (let i = 0; i < d; i++) weights[i] = (i % 1000) / 7;
      const now = Date.now();
      c.store.createJob({ id: 'job-big', name: 'big', specJson: JSON.stringify({ label: 'y', model: { type: 'logistic' } }), status: 'completed',
        roundsCompleted: 1, roundsTotal: 1, createdAt: now, updatedAt: now, error: '', contextJson: '' });
      c.store.completeRound({ jobId: 'job-big', round: 1, stage: 'fit', attempt: 1, status: 'completed', contributors: 2, dropped: [], metrics: {}, seconds: 1, error: '', finishedAt: now }, weights, 1);

      // A client with grpc-js defaults (no raised limits), as any third-party analyst tool would have.
      const Client = grpc.makeGenericClientConstructor(AnalystServiceDefinition, 'AnalystService');
      const client = new Client(c.address, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, (...a: unknown[]) => grpc.ClientReadableStream<tessera.v1.ResultPart>>;
      const md = new grpc.Metadata();
      md.set('authorization', `Bearer ${c.analystToken}`);
      const got = new Float64Array(d);
      let chunks = 0, largest = 0;
      await new Promise<void>((resolve, reject) => {
        const call = client.getResult({ jobId: 'job-big' }, md);
        call.on('data', (p: tessera.v1.ResultPart) => {
          if (!p.weights) return;
          chunks++;
          largest = Math.max(largest, (p.weights.values ?? []).length);
          got.set(p.weights.values ?? [], Number(p.weights.offset));
        });
        call.on('error', reject);
        call.on('end', resolve);
      });
      client.close();
      expect(chunks).toBe(Math.ceil(d / CHUNK_VALUES));
      expect(largest).toBe(CHUNK_VALUES);
      let mismatches = 0;
      for (let i = 0; i < d; i++) if (got[i] !== weights[i]) mismatches++;
      expect(mismatches).toBe(0);
    } finally {
      await c.stop();
    }
  }, 120_000);
});
