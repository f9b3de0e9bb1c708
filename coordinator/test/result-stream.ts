import * as grpc from '@grpc/grpc-js';
import { AnalystServiceDefinition, CHUNK_VALUES, type tessera } from '@tessera/proto';
import { channelCredentials } from '@tessera/transport';
import { expect } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { Coordinator } from '../src/index.js';
import { analystChannel } from './grpc-helpers.js';

/**
 * Stores a completed job whose model has `d` weights, fetches it with a grpc-js client at its
 * defaults (no raised message limits, as any third-party analyst tool would have) and checks it
 * arrives whole, in chunks of at most CHUNK_VALUES.
 */
export async function expectModelStreamsWhole(dataDir: string, d: number): Promise<void> {
  const c = await Coordinator.start({ dataDir, listen: '127.0.0.1:0' });
  try {
    const weights = new Float64Array(d);
    for (let i = 0; i < d; i++) weights[i] = (i % 1000) / 7;
    const now = Date.now();
    await c.store.createJob({
      id: 'job-big',
      name: 'big',
      specJson: JSON.stringify({ label: 'y', model: { type: 'logistic' } }),
      status: 'completed',
      roundsCompleted: 1,
      roundsTotal: 1,
      createdAt: now,
      updatedAt: now,
      error: '',
      contextJson: '',
      owner: 'analyst',
    });
    await c.store.completeRound(
      {
        jobId: 'job-big',
        round: 1,
        stage: 'fit',
        attempt: 1,
        status: 'completed',
        contributors: 2,
        dropped: [],
        metrics: {},
        seconds: 1,
        error: '',
        finishedAt: now,
      },
      weights,
      1,
    );

    const Client = grpc.makeGenericClientConstructor(AnalystServiceDefinition, 'AnalystService');
    // The job's owner, over TLS with its client certificate (no raised limits, as said above).
    const security = await analystChannel(c, 'analyst', generateSigningKeyPair().publicKey);
    const { credentials, options } = channelCredentials(c.address, security);
    const client = new Client(c.address, credentials, options) as unknown as grpc.Client &
      Record<string, (...a: unknown[]) => grpc.ClientReadableStream<tessera.v1.ResultPart>>;
    const md = new grpc.Metadata();
    const got = new Float64Array(d);
    let chunks = 0,
      largest = 0;
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
    expect(largest).toBe(Math.min(d, CHUNK_VALUES));
    let mismatches = 0;
    for (let i = 0; i < d; i++) if (got[i] !== weights[i]) mismatches++;
    expect(mismatches).toBe(0);
  } finally {
    await c.stop();
  }
}
