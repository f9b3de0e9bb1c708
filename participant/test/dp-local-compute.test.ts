import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readCsvFile } from '@tessera/data';
import { tessera } from '@tessera/proto';
import { evaluate, fit, privateStatistics } from '../src/local-compute.js';
import { LocalData } from '../src/local-data.js';
import { encodeForSecureSum } from '../src/secure-encoding.js';

/** What the coordinator knows or chooses (the job seed, the participant id) decides nothing under DP. */

const pb = tessera.v1;
const FILE = fileURLToPath(new URL('../../examples/data/breast_cancer.csv', import.meta.url));
const table = readCsvFile(FILE);
const features = table.columns.filter((c) => c !== 'benign');
const d = features.length;
const data = new LocalData({ patients: { type: 'csv', path: FILE, exclude: [] } });
const plan = (unit: 'record' | 'participant'): tessera.v1.IPrivacyPlan => ({
  mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
  unit: unit === 'record' ? pb.PrivacyPlan.Unit.RECORD : pb.PrivacyPlan.Unit.PARTICIPANT,
  noiseMultiplier: 1,
  sampleRate: 1,
  rounds: 5,
  fullReleases: 2,
  epsilon: 4,
  delta: 1e-5,
});
const task = (
  o: {
    plan?: tessera.v1.IPrivacyPlan;
    training?: tessera.v1.ITrainingConfig;
    statistics?: tessera.v1.IStatisticsRelease;
  } = {},
): tessera.v1.ITask => ({
  ref: { jobId: 'job-1', round: 3 },
  dataset: 'patients',
  label: 'benign',
  modelLength: d + 1,
  features: features.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC })),
  mean: new Array(d).fill(0),
  std: new Array(d).fill(100),
  bounds: new Array(d).fill(1000),
  training: { seed: 'job-seed', validationFraction: 0.2, ...o.training },
  ...(o.plan ? { privacyPlan: o.plan } : {}),
  ...(o.statistics ? { statistics: o.statistics } : {}),
});
const global = new Float64Array(d + 1).fill(0.01);

describe('participant computations under differential privacy', () => {
  it('has no validation split: every row trains and the announced validationFraction is ignored', () => {
    expect(Math.abs(evaluate(data, task({}), global, 'p1').numExamples - table.rows.length * 0.2)).toBeLessThanOrEqual(
      2,
    );
    expect(evaluate(data, task({ plan: plan('participant') }), global, 'p1').numExamples).toBe(table.rows.length);
    const record = fit(
      data,
      task({ plan: plan('record'), training: { recordDp: { clip: 1, level: 1000, maxRecords: 100_000 } } }),
      global,
      'p1',
    );
    expect(record.numExamples).toBe(table.rows.length);
    expect(record.vector![d + 1]).toBe(1000 * table.rows.length);
  });

  it(
    'selects and rounds records from the CSPRNG: ' +
      'the same task, seed and participant id give different subsets and sums',
    () => {
      const t = task({ plan: plan('record'), training: { recordDp: { clip: 1, level: 1000, maxRecords: 300 } } });
      const a = fit(data, t, global, 'p1'),
        b = fit(data, t, global, 'p1');
      expect(a.numExamples).toBe(300);
      expect(a.vector![d + 1]).toBe(300 * 1000);
      expect(Array.from(a.vector!)).not.toEqual(Array.from(b.vector!));
      const s = task({
        plan: plan('record'),
        statistics: { part: pb.StatisticsRelease.Part.MAGNITUDES, level: 1, maxRecords: 300 },
      });
      expect(Array.from(privateStatistics(data, s).vector!)).not.toEqual(
        Array.from(privateStatistics(data, s).vector!),
      );
    },
  );

  it(
    'participant unit: the update weighs 1 and its weight coordinate goes out as 0, ' +
      'so it adds nothing to the sensitivity',
    () => {
      const r = fit(
        data,
        task({ plan: plan('participant'), training: { epochs: 1, batchSize: 32, learningRate: 0.1 } }),
        global,
        'p1',
      );
      expect(r.uniformWeight).toBe(true);
      const words = encodeForSecureSum(
        { computation: pb.Stage.FIT, bits: 20, clip: 10, modulus: 2 ** 32, weightCap: 0 },
        r,
        undefined,
      );
      expect(words).toHaveLength(d + 2);
      expect(words[d + 1]).toBe(0);
      // Without DP the weight coordinate still carries the weight (2^19 - 1 at weight 1).
      const plain = fit(data, task({ training: { epochs: 1, batchSize: 32, learningRate: 0.1 } }), global, 'p1');
      expect(plain.uniformWeight).toBeUndefined();
      expect(
        encodeForSecureSum(
          { computation: pb.Stage.FIT, bits: 20, clip: 10, modulus: 2 ** 32, weightCap: 0 },
          plain,
          undefined,
        )[d + 1],
      ).toBe(2 ** 19 - 1);
      // A weight cap would make the weight reveal the row count: refused without echoing it.
      expect(() =>
        encodeForSecureSum(
          { computation: pb.Stage.FIT, bits: 20, clip: 10, modulus: 2 ** 32, weightCap: 10_000 },
          r,
          undefined,
        ),
      ).toThrow(/must weigh 1/);
    },
  );
});
