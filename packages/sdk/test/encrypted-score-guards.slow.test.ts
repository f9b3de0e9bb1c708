// Encrypted scoring end to end under the participants' guards: empty, suppressed, refused and noised segments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { LocalFederation, scoreEncrypted, type ModelFile } from '../src/index.js';
import { tempDir } from './helpers.js';

/** 68 customers per participant: 40 in cohort a, 25 in b, 3 in tiny; a unique customer id. */
function shard(p: number): RawTable {
  const cohort = (i: number) => (i < 40 ? 'a' : i < 65 ? 'b' : 'tiny');
  const rows = Array.from({ length: 68 }, (_, i) => [
    `p${p}-${String(i).padStart(4, '0')}`,
    cohort(i),
    String(1 + ((i + p) % 7)),
    (10 + ((i * 13 + p * 7) % 90)).toFixed(2),
    String(i % 3 === 0 ? 1 : 0),
  ]);
  return {
    source: `p${p}.csv`,
    columns: ['customer_id', 'cohort', 'visits', 'spend', 'churned'],
    rows,
    lineOf: (i) => i + 2,
  };
}

const model: ModelFile = {
  format: 'tessera-model',
  version: 1,
  type: 'logistic',
  label: 'churned',
  features: [
    { name: 'visits', kind: 'numeric' },
    { name: 'spend', kind: 'numeric' },
  ],
  featureNames: ['visits', 'spend'],
  standardization: { mean: [0, 0], std: [1, 1] },
  weights: [0.5, 0.01, -1],
  job: { id: 'hand-made', name: 'hand-made', round: 0, metrics: {} },
};

/** The plaintext total and count of a cohort over every shard. */
function plain(shards: RawTable[], cohort: string): { total: number; count: number } {
  const rows = shards.flatMap((t) => t.rows).filter((r) => r[1] === cohort);
  return {
    count: rows.length,
    total: rows.reduce((s, r) => s + 0.5 * Number(r[2]) + 0.01 * Number(r[3]) - 1, 0),
  };
}

describe('encrypted scoring under the participants’ own minimums (issue 15)', () => {
  const tmp = tempDir();
  const shards = [shard(1), shard(2)];
  let fed: LocalFederation;

  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards, runtime: 'inline' });
  }, 60_000);
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('scores an empty segment as empty and a small one as suppressed, the others exactly', async () => {
    const r = await scoreEncrypted(fed.analyst, model, {
      dataset: 'customers',
      segmentBy: 'cohort',
      segments: ['a', 'b', 'tiny', 'nobody'],
    });
    expect(r.job.status).toBe('completed');
    const [a, b, tiny, nobody] = r.segments;
    for (const [s, name] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      const e = plain(shards, name);
      expect(s!.status).toBe('ok');
      expect(s!.count).toBeCloseTo(e.count, 3);
      expect(s!.total).toBeCloseTo(e.total, 3);
    }
    // 3 rows at each participant: below the default minimum of 20, both sent 0.
    expect(tiny).toMatchObject({ status: 'suppressed', suppressedBy: 2 });
    expect(tiny!.count).toBeCloseTo(0, 3);
    expect(nobody).toMatchObject({ status: 'empty', suppressedBy: 0 });
    expect(nobody!.count).toBeCloseTo(0, 3);
    expect(Number.isNaN(nobody!.mean)).toBe(true);
  }, 120_000);

  it('fails a job segmented by customer id with every participant’s refusal in job.refusals', async () => {
    const failure = await scoreEncrypted(fed.analyst, model, {
      dataset: 'customers',
      segmentBy: 'customer_id',
      segments: ['p1-0001', 'p2-0001'],
      roundTimeoutSeconds: 30,
    }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    const id = /job (\S+) /.exec((failure as Error).message)?.[1] ?? '';
    const job = await fed.analyst.watch(id);
    expect(job.status).toBe('failed');
    expect(job.refusals).toHaveLength(2);
    for (const r of job.refusals) {
      expect(r.stage).toBe('score');
      expect(r.reason).toMatch(/segments by column "customer_id", and its values are unique per row/);
    }
  }, 120_000);

  it('refuses minParticipants 1, and noised totals carry their stated noise in the report and job view', async () => {
    await expect(scoreEncrypted(fed.analyst, model, { dataset: 'customers', minParticipants: 1 })).rejects.toThrow(
      /minParticipants.*at least 2/,
    );
    const r = await scoreEncrypted(fed.analyst, model, {
      dataset: 'customers',
      segmentBy: 'cohort',
      segments: ['a', 'tiny'],
      privacy: { epsilon: 2, clip: 120 },
    });
    expect(r.job.status).toBe('completed');
    expect(r.job.privacy).toMatchObject({ mode: 'distributed', epsilon: 2, spentEpsilon: 2, survivorFloor: 2 });
    const [a, tiny] = r.segments;
    // No threshold under noise: the 6 tiny rows are released, noised.
    expect(tiny!.status).toBe('ok');
    for (const [s, name] of [
      [a, 'a'],
      [tiny, 'tiny'],
    ] as const) {
      const e = plain(shards, name);
      const noise = s!.noise!;
      expect(noise.countStd).toBeGreaterThan(0.5);
      expect(Math.abs(s!.count - e.count)).toBeLessThan(6 * noise.countStd);
      expect(Math.abs(s!.total - e.total)).toBeLessThan(6 * noise.totalStd);
    }
  }, 120_000);
});
