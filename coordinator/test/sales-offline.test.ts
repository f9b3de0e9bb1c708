// A member offline at a sale: left out as unavailable, paid nothing from it, and, once back, never asked about that
// sale nor sent a receipt of it (the coordinator keeps no pending SALE task or receipt for it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tessera } from '@tessera/proto';
import type { AnalystClient } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { connectAnalystTo, enrolIdentity, RawStream, type Identity } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

const pb = tessera.v1;

describe('a member offline at a sale', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  let on: Identity;
  let off: Identity;
  let onStream: RawStream;

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    on = await enrolIdentity(coord, 'on');
    off = await enrolIdentity(coord, 'off');
    onStream = await RawStream.open(on);
    await onStream.hello(on, ['customers']);
    const now = Date.now();
    // A finished report both members contributed to, sold in equal shares.
    await coord.store.createJob({
      id: 'job-report',
      name: 'job-report',
      specJson: JSON.stringify({ kind: 'query', sql: 'SELECT COUNT(*) FROM customers' }),
      status: 'completed',
      roundsCompleted: 1,
      roundsTotal: 1,
      createdAt: now,
      updatedAt: now,
      error: '',
      contextJson: JSON.stringify({ contributors: [on.id, off.id] }),
      owner: 'analyst',
    });
  });
  afterAll(async () => {
    onStream?.close();
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('is left out as unavailable, and once back gets neither the SALE task nor a receipt of it', async () => {
    const product = await analyst.addProduct({
      jobs: ['job-report'],
      name: 'Counts',
      price: 1_000,
      currency: 'EUR',
      valuation: 'equal',
    });
    expect(product.members.map((m) => m.participant).sort()).toEqual([on.id, off.id].sort());
    // The online member consents; the offline one has no session to be asked on.
    const answering = (async () => {
      const { task } = await onStream.task();
      expect(task.ref).toMatchObject({ round: 1, stage: pb.Stage.SALE });
      onStream.send(on, { done: { task: task.ref, numExamples: 0 } });
      return onStream.take('receipt');
    })();
    const sale = await analyst.sellProduct({ product: product.id, buyer: 'acme-bank' });
    await answering;
    expect(sale.entries.map((e) => [e.participant, e.amount])).toEqual([[on.id, 1_000]]);
    expect(sale.refusals).toEqual([
      { participant: off.id, kind: 'unavailable', reason: expect.stringContaining('not connected') },
    ]);

    // Back online after the sale: nothing about it arrives.
    const back = await RawStream.open(off);
    try {
      await back.hello(off, ['customers']);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(back.has('task')).toBe(false);
      expect(back.has('receipt')).toBe(false);
      // The ledger holds the sale event (to the buyer) and the online member's payout, nothing for the offline one.
      const rows = await coord.store.ledgerRows(product.id);
      expect(rows.map((r) => r.participant)).toEqual(['acme-bank', on.id]);
    } finally {
      back.close();
    }
  });
});
