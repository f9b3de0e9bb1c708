import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTable, type RawTable } from '@tessera/data';
import { standardise } from '@tessera/ml';
import { LocalFederation, modelFileFrom, scoreEncrypted, type ModelFile } from '../src/index.js';
import { shardsOf, tempDir } from './helpers.js';

/** Adds a `cohort` column (a or b, by row) that the model does not use, to segment by. */
const withCohort = (t: RawTable): RawTable => ({
  ...t,
  columns: [...t.columns, 'cohort'],
  rows: t.rows.map((r, i) => [...r, i % 3 === 0 ? 'a' : 'b']),
});

/**
 * The plaintext reference: each row's linear score (log-odds) under the model, summed per cohort,
 * with the sum of the terms' magnitudes (weights times raw feature sums, and the bias term), the
 * scale CKKS's absolute error is relative to: log-odds of both signs cancel in a total.
 */
function plainTotals(
  model: ModelFile,
  shards: RawTable[],
): Record<string, { total: number; count: number; magnitude: number }> {
  const out: Record<string, { total: number; count: number; magnitude: number }> = {
    a: { total: 0, count: 0, magnitude: 0 },
    b: { total: 0, count: 0, magnitude: 0 },
  };
  for (const t of shards) {
    const enc = encodeTable(t, { label: model.label, features: model.features });
    const z = standardise(enc, {
      mean: Float64Array.from(model.standardization.mean),
      std: Float64Array.from(model.standardization.std),
    });
    const cohort = t.columns.indexOf('cohort');
    for (let r = 0; r < z.n; r++) {
      let s = model.weights[z.d];
      let m = Math.abs(model.weights[z.d]);
      for (let j = 0; j < z.d; j++) {
        s += model.weights[j] * z.x[r * z.d + j];
        m +=
          Math.abs((model.weights[j] * enc.x[r * z.d + j]) / model.standardization.std[j]) +
          Math.abs((model.weights[j] * model.standardization.mean[j]) / model.standardization.std[j]);
      }
      const c = out[t.rows[r][cohort]];
      c.total += s;
      c.count += 1;
      c.magnitude += m;
    }
  }
  return out;
}

describe(
  'encrypted scoring (CKKS) through the coordinator: the participants never see the model, ' +
    'the analyst never sees a row',
  () => {
    const tmp = tempDir();
    const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 8);
    const shards = data.shards.map(withCohort);
    let fed: LocalFederation;
    let model: ModelFile;

    beforeAll(async () => {
      fed = await LocalFederation.start({ dir: tmp.dir, shards, runtime: 'inline' });
      const trained = await fed.analyst.watch(
        (
          await fed.analyst.submit({
            dataset: 'customers',
            label: 'benign',
            exclude: ['cohort'],
            rounds: 3,
            minParticipants: 3,
            seed: 8,
          })
        ).id,
      );
      expect(trained.status).toBe('completed');
      model = modelFileFrom(await fed.analyst.result(trained.id));
    });
    afterAll(async () => {
      await fed?.stop();
      tmp.cleanup();
    });

    it(
      'returns per-segment and overall totals and means equal to plaintext scoring within CKKS precision ' +
        "(1e-6 of the summed terms' magnitude)",
      async () => {
        const r = await scoreEncrypted(fed.analyst, model, {
          dataset: 'customers',
          segmentBy: 'cohort',
          segments: ['a', 'b'],
          minParticipants: 3,
        });
        expect(r.job.status).toBe('completed');
        const expected = plainTotals(model, shards);
        for (const s of r.segments) {
          const e = expected[s.segment];
          expect(Math.abs(s.count - e.count)).toBeLessThan(1e-3);
          expect(Math.abs(s.total - e.total) / e.magnitude).toBeLessThan(1e-6);
          expect(Math.abs(s.mean - e.total / e.count) / (e.magnitude / e.count)).toBeLessThan(1e-6);
        }
        const all = expected.a.total + expected.b.total;
        expect(Math.abs(r.overall.total - all) / (expected.a.magnitude + expected.b.magnitude)).toBeLessThan(1e-6);
        // The coordinator kept nothing it could read: the job has no model, no metrics,
        // only ciphertexts passed through.
        expect(r.job.history.map((h) => h.stage)).toEqual(['score']);
        expect(r.job.history[0].metrics).toEqual({});
      },
    );

    it('refuses bad scoring input before any work, naming what to change', async () => {
      await expect(
        fed.analyst.submit({ kind: 'score', dataset: 'customers', label: 'benign', features: model.features }),
      ).rejects.toThrow(/needs the encrypted model/);
      await expect(scoreEncrypted(fed.analyst, model, { dataset: 'customers', segmentBy: 'cohort' })).rejects.toThrow(
        /segments: must list the distinct values of cohort/,
      );
      await expect(
        scoreEncrypted(
          fed.analyst,
          { ...model, standardization: { ...model.standardization, clip: 6 } },
          { dataset: 'customers' },
        ),
      ).rejects.toThrow(/clamps standardised values/);
    });
  },
);
