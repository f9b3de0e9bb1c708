import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { jobEpsilon } from '@tessera/fl';
import { catalogueNoise, parseCatalogueSpec } from '@tessera/jobs';
import { LocalFederation } from '@tessera/sdk';
import { tempDir } from './helpers.js';

// 4 merchants, 100 customers each: every customer bought 2 of 4 popular items (each ~200 customers in all), a few
// bought a third (dropped at random: maxItemsPerCustomer 2), and one customer alone bought "rare-sku".
const POPULAR = ['sku-1', 'sku-2', 'sku-3', 'sku-4'];
const shards: RawTable[] = Array.from({ length: 4 }, (_, m) => {
  const rows: string[][] = [];
  for (let c = 0; c < 100; c++) {
    const customer = `m${m}-c${c}`;
    const first = (c + m) % 4;
    rows.push([customer, POPULAR[first]!], [customer, POPULAR[(first + 1 + (c % 3)) % 4]!]);
    if (c % 10 === 0) rows.push([customer, 'sku-1']);
  }
  if (m === 2) rows.push(['m2-rare', 'rare-sku'], ['m2-rare', 'sku-2']);
  return {
    source: `merchant-${m}`,
    columns: ['customer_id', 'item_id'],
    rows,
    lineOf: (i: number) => i + 2,
  };
});

const spec = {
  name: 'catalogue-services',
  kind: 'catalogue',
  dataset: 'orders',
  maxItemsPerCustomer: 2,
  maxLength: 16,
  privacy: { epsilon: 4, delta: 1e-6, maxCustomers: 1000 },
  minParticipants: 4,
  roundTimeoutSeconds: 60,
};

interface CatalogueResult {
  catalogue: {
    items: { id: string; count: number }[];
    rounds: number;
    privacy: { epsilon: number; delta: number; noiseMultiplier: number; threshold: number };
  };
}

describe('catalogue jobs over the services (4 merchants)', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards, dataset: 'orders', runtime: 'inline' });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('finds the popular items and not the one a single customer bought, within the spec epsilon', async () => {
    const events: string[] = [];
    const submitted = await fed.analyst.submit(spec);
    const job = await fed.analyst.watch(submitted.id, (_, m) => events.push(m));
    expect(job.status, job.error).toBe('completed');
    const result = job.result as unknown as CatalogueResult;
    const ids = result.catalogue.items.map((i) => i.id);
    expect([...ids].sort()).toEqual(POPULAR);
    expect(ids).not.toContain('rare-sku');
    // Each popular item: about 200 customers, read with noise of a few customers.
    for (const item of result.catalogue.items) expect(item.count).toBeGreaterThan(120);
    // "sku-N": 5 bytes and the terminator, then no prefix survives.
    expect(result.catalogue.rounds).toBe(6);
    const rounds = job.history.filter((h) => h.stage === 'catalogue' && h.status === 'completed');
    expect(rounds.map((h) => h.round)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rounds.every((h) => h.contributors === 4)).toBe(true);
    // The first round's "r" (the rare item's only vote) stays below the threshold.
    expect(rounds[0]!.metrics.surviving_prefixes).toBe(1);
    // The accountant: maxLength + 1 Gaussian releases at the job's z compose to at most the spec's epsilon.
    const p = result.catalogue.privacy;
    const noise = catalogueNoise(parseCatalogueSpec(spec), 4);
    expect(p.noiseMultiplier).toBe(noise.noiseMultiplier);
    const whole = jobEpsilon({ noiseMultiplier: p.noiseMultiplier, sampleRate: 1, rounds: 0, fullReleases: 17 }, 1e-6);
    expect(whole).toBeLessThanOrEqual(spec.privacy.epsilon * (1 + 1e-9));
    expect(p.epsilon).toBeCloseTo(whole, 9);
    expect(p.threshold).toBeGreaterThan(2);
    expect(events.some((e) => /^completed: 4 item\(s\) after 6 round\(s\)/.test(e))).toBe(true);
  });

  it('refuses at submission, naming the field', async () => {
    await expect(fed.analyst.submit({ ...spec, maxLenght: 8 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/maxLenght.*did you mean "maxLength"/),
    });
    await expect(fed.analyst.submit({ ...spec, privacy: { mode: 'none' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('privacy.mode'),
    });
    await expect(fed.analyst.submit({ ...spec, maxItemsPerCustomer: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('maxItemsPerCustomer'),
    });
  });
});
