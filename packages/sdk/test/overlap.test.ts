import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCommerce, type RawTable } from '@tessera/data';
import { LocalFederation, runOverlap } from '../src/index.js';
import { tempDir } from './helpers.js';

/** A merchant's customers with identifiers first..first+n-1. */
function customers(first: number, n: number, seed: string): RawTable {
  const t = generateCommerce({ merchants: 1, customersPerMerchant: n, seed });
  const id = t.columns.indexOf('customer_id');
  return { ...t, rows: t.rows.map((r, i) => r.map((v, j) => (j === id ? `c${first + i}` : v))) };
}

describe('audience overlap (ECDH-PSI cardinality sealed end to end, relayed by the coordinator)', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  beforeAll(async () => {
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards: [customers(0, 1000, 'a'), customers(700, 1000, 'b'), customers(5000, 50, 'c')],
      runtime: 'inline',
    });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('two participants learn how many customers they share, noised as specified; a third takes no part', async () => {
    const [a, b, c] = fed.participants.map((p) => p.id);
    const ab = await runOverlap(fed.analyst, {
      dataset: 'customers',
      column: 'customer_id',
      participants: [a, b],
      privacy: { epsilon: 1 },
    });
    // 300 shared, plus discrete Laplace noise of scale 1 (|noise| > 20 has probability about 1e-9).
    expect(Math.abs(ab.overlap - 300)).toBeLessThanOrEqual(20);
    expect(ab.job.history[0]).toMatchObject({ stage: 'overlap', contributors: 2 });
    expect((ab.job.result as { privacy?: unknown }).privacy).toMatchObject({
      epsilon: 1,
      mechanism: 'discrete Laplace',
      countedBy: a,
    });
    // c holds 50 customers, below every node's default minimum of 100: it refuses, naming the minimum.
    await expect(
      runOverlap(fed.analyst, { dataset: 'customers', column: 'customer_id', participants: [a, c] }),
    ).rejects.toThrow(/fewer distinct identifiers than this node's minimum of 100/);
    // Above each node's default overlap.maxEpsilon of 1 the count would be nearly exact: refused.
    await expect(
      runOverlap(fed.analyst, {
        dataset: 'customers',
        column: 'customer_id',
        participants: [a, b],
        privacy: { epsilon: 2 },
      }),
    ).rejects.toThrow(/asks for epsilon 2, above this node's limit of 1 \(config overlap\.maxEpsilon\)/);
  });

  it('refuses a missing identifier column and an unknown participant, naming them', async () => {
    const [a, b] = fed.participants.map((p) => p.id);
    await expect(
      runOverlap(fed.analyst, { dataset: 'customers', column: 'email', participants: [a, b], roundTimeoutSeconds: 10 }),
    ).rejects.toThrow(/no identifier column "email"/);
    await expect(
      runOverlap(fed.analyst, { dataset: 'customers', column: 'customer_id', participants: [a, 'p-nobody'] }),
    ).rejects.toThrow(/no enrolled participant "p-nobody"/);
  });
});
