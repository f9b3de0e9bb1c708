// The party layer's refusals: duplicate ids, too small an overlap, tables or splits that do not match, labels
// that do not fit, and cancellation. Both sides must reject with the reason (the peer's says the other stopped),
// and neither may hang (each run is bounded by a timeout).
import { linkedPair, type PartyTable, type VerticalModelConfig } from '@tessera/vertical';
import { describe, expect, it } from 'vitest';
import { partyTables, reason, runPair } from './party-fixture.js';

const VLR: VerticalModelConfig = { kind: 'vertical-logistic', epochs: 2, batchSize: 64, learningRate: 0.1, l2: 1e-3 };
const tables = partyTables();
const ms = 30_000;

describe('vertical party refusals', () => {
  it('duplicate identifiers: the guest refuses, the host hears why', async () => {
    const ids = [...tables.guest.ids];
    ids[1] = ids[0]!;
    const run = await runPair({ ...tables, guest: { ...tables.guest, ids } }, VLR, { ms });
    expect(reason(run.guest)).toMatch(/1 of \d+ identifiers repeat an earlier row/); // the PSI layer's own words
    expect(reason(run.host)).toMatch(/^the guest stopped the run: the guest's identifier column repeats identifiers/);
  });

  it('an overlap below minOverlap: both refuse, naming the minimum', async () => {
    const small = partyTables('party-small', 0.05); // 28 shared customers
    const run = await runPair(small, VLR, { ms });
    for (const side of [run.guest, run.host]) {
      const why = reason(side);
      expect(why).toMatch(/only 28 identifiers are shared, fewer than the minimum overlap of 50/);
      // Nothing about the peer's table beyond what alignment reveals (its size is in its blinded set anyway).
      expect(why).not.toMatch(/identifiers? at|rows of/);
    }
  });

  it('no shared identifier at all: both refuse', async () => {
    const host: PartyTable = { ...tables.host, ids: tables.host.ids.map((id) => `other-${id}`) };
    const run = await runPair({ ...tables, host }, VLR, { ms });
    expect(reason(run.guest)).toMatch(/only 0 identifiers are shared, fewer than the minimum overlap of 50/);
    expect(reason(run.host)).toMatch(/only 0 identifiers are shared/);
  });

  it('sides that split the shared rows differently: the guest refuses the host row count', async () => {
    const run = await runPair(tables, VLR, { host: { testFraction: 0.2 }, ms });
    expect(reason(run.guest)).toMatch(/the host has \d+ training rows and the guest \d+: .* split the aligned rows/);
    expect(reason(run.host)).toMatch(/^the guest stopped the run: the host has \d+ training rows/);
  });

  it('a host column with a missing row: the host refuses before sending anything', async () => {
    const columns = tables.host.columns.map((c, j) => (j === 3 ? c.subarray(1) : c));
    const run = await runPair(tables, VLR, { hostTable: { ...tables.host, columns }, ms });
    const name = tables.host.featureNames[3]!;
    const n = tables.host.ids.length;
    expect(reason(run.host)).toContain(
      `the host's table is not usable: feature "${name}" has ${n - 1} values for ${n}`,
    );
    expect(reason(run.guest)).toMatch(/^the host stopped the run: the host's table is not usable/);
  });

  it('labels that do not match the rows: the guest refuses', async () => {
    const run = await runPair(tables, VLR, { labels: tables.labels.subarray(1), ms });
    expect(reason(run.guest)).toMatch(/the guest's labels are not usable: \d+ labels for \d+ identifiers/);
    expect(reason(run.host)).toMatch(/^the guest stopped the run: the guest's labels are not usable/);
  });

  it('a SecureBoost host whose job asks for other bins: the host refuses the setup', async () => {
    const boost: VerticalModelConfig = {
      kind: 'secureboost',
      trees: 1,
      depth: 2,
      learningRate: 0.3,
      bins: 8,
      minChildWeight: 1,
      lambda: 1,
    };
    const run = await runPair(tables, boost, { host: { model: { ...boost, bins: 16 } }, ms });
    expect(reason(run.host)).toMatch(/the guest asks for 8 bins, the host's job says 16/);
    expect(reason(run.guest)).toMatch(/^the host stopped the run: the guest asks for 8 bins/);
  });

  it('cancelling the guest mid-training stops both', async () => {
    const controller = new AbortController();
    const progress = (phase: string) => {
      if (phase === 'train') controller.abort();
    };
    const run = await runPair(tables, VLR, { guest: { signal: controller.signal, progress }, ms });
    expect(reason(run.guest)).toBe('the guest cancelled the run');
    expect(reason(run.host)).toBe('the guest stopped the run: the guest cancelled the run');
  });

  it('cancelling the host while it waits for the guest stops both', async () => {
    const controller = new AbortController();
    const progress = (phase: string) => {
      if (phase === 'train') controller.abort(); // the guest's first epoch: the host is waiting for its next step
    };
    const run = await runPair(tables, VLR, { guest: { progress }, host: { signal: controller.signal }, ms });
    expect(reason(run.host)).toBe('the host cancelled the run');
    expect(reason(run.guest)).toBe('the host stopped the run: the host cancelled the run');
  });

  it('a closed link rejects pending and later receives once its queue is read', async () => {
    const link = linkedPair();
    const pending = link.host.receive();
    await link.guest.send({ kind: 'vertical/finished' });
    await expect(pending).resolves.toEqual({ kind: 'vertical/finished' });
    await link.guest.send({ kind: 'vertical/abort', reason: 'bye' });
    const waiting = link.guest.receive();
    link.host.close('the service stopped');
    await expect(waiting).rejects.toThrow('the link is closed: the service stopped');
    await expect(link.host.receive()).resolves.toEqual({ kind: 'vertical/abort', reason: 'bye' });
    await expect(link.host.receive()).rejects.toThrow('the link is closed: the service stopped');
    await expect(link.guest.send({ kind: 'vertical/finished' })).rejects.toThrow(/closed/);
  });
});
