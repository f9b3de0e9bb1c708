import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsvFile, toCsv, type RawTable } from '@tessera/data';
import {
  boundedMomentsLength,
  boundedMomentsNorms,
  encodeFixedPoint,
  encodeUpdate,
  fromRing,
  magnitudeNorms,
  MAGNITUDE_BUCKETS,
  releaseSensitivity,
  type RecordRandomness,
  type ReleaseShape,
} from '@tessera/fl';
import { parseJobSpec, type JobSpec } from '@tessera/jobs';
import { statisticsParts, tessera } from '@tessera/proto';
import { JobPrivacy } from '../../coordinator/src/jobs/job-privacy.js';
import { fit, privateStatistics } from '../src/local-compute.js';
import { LocalData } from '../src/local-data.js';
import { coupledRandomness, testRandom } from './coupled-randomness.js';

/**
 * The sensitivity harness (issue 12): for each unit and release, a participant's contribution
 * to the ring sum on D and on D ∪ {x}, x an extreme record (every feature a million times a real
 * value, label flipped) appended last, under coupled randomness (the same per-record draws for
 * the records both share), for 20 rounds (20 global models, 20 draws). In every case
 * ||S(D ∪ {x}) − S(D)||₂ must stay within the Δ the coordinator calibrates its noise to: the
 * level comes from the coordinator's own JobPrivacy, Δ from releaseSensitivity, and the test
 * checks that the coordinator's σ is z·Δ with that same Δ.
 */

const pb = tessera.v1;
const BREAST_CANCER = fileURLToPath(new URL('../../examples/data/breast_cancer.csv', import.meta.url));
const LABEL = 'benign';
const ROUNDS = 20;
const PARTICIPANTS = 5;
const source = readCsvFile(BREAST_CANCER);
const featureNames = source.columns.filter((c) => c !== LABEL);
const d = featureNames.length;
const labelAt = source.columns.indexOf(LABEL);
const tmp = mkdtempSync(join(tmpdir(), 'tessera-sensitivity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Case {
  name: string;
  /** This participant's rows. */
  rows: RawTable['rows'];
  /** Every participant's row count (this one first): sets the coordinator's maxRecords for FIT. */
  federation: number[];
  /** privacy.maxRecords of the job (the statistics releases' cap); default the spec's. */
  maxRecords?: number;
}

const resampled = (n: number, seed: string) => {
  const rng = testRandom(seed);
  return Array.from({ length: n }, () => source.rows[rng.int(source.rows.length)]);
};
const shard0 = source.rows.filter((_r, i) => i % PARTICIPANTS === 0);

const CASES: Case[] = [
  {
    name: 'default job settings (breast cancer over 5 merchants)',
    rows: shard0,
    federation: [shard0.length, 114, 114, 114, 113],
  },
  {
    name: 'a merchant holding more than 2x the mean rows (subsampled)',
    rows: resampled(1500, 'big'),
    federation: [1500, 114, 114, 114, 113],
    maxRecords: 600,
  },
  { name: '200 rows', rows: resampled(200, 'n200'), federation: Array(PARTICIPANTS).fill(200) },
  { name: '2,000 rows', rows: resampled(2000, 'n2000'), federation: Array(PARTICIPANTS).fill(2000) },
  { name: '20,000 rows', rows: resampled(20000, 'n20000'), federation: Array(PARTICIPANTS).fill(20000) },
];

/** x: a real row with every feature a million times larger (plus a million), its label flipped. */
function extremeOf(row: string[]): string[] {
  return row.map((v, j) => (j === labelAt ? (Number(v) === 1 ? '0' : '1') : String((Number(v) + 1) * 1e6)));
}

function localData(name: string, rows: RawTable['rows']): LocalData {
  const path = join(tmp, `${name}.csv`);
  writeFileSync(path, toCsv({ ...source, rows }));
  return new LocalData({ patients: { type: 'csv', path, exclude: [] } });
}

const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};
const signed = (words: Uint32Array) => Float64Array.from(words, (w) => fromRing(w, 2 ** 32));

/** Public inputs of the tasks (the same for D and D ∪ {x}): standardisation and clamping bounds from D. */
function publicInputs(rows: RawTable['rows']) {
  const x = rows.map((r) => featureNames.map((f) => Number(r[source.columns.indexOf(f)])));
  const mean = featureNames.map((_f, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
  const std = featureNames.map((_f, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / x.length) || 1);
  const bounds = featureNames.map((_f, j) => Math.max(1e-6, ...x.map((r) => Math.abs(r[j]))));
  return { mean, std, bounds };
}

interface Measured {
  release: string;
  worst: number;
}

function harness(c: Case, unit: 'record' | 'participant'): Measured[] {
  const spec: JobSpec = parseJobSpec({
    dataset: 'patients',
    label: LABEL,
    privacy: { mode: 'distributed', unit, ...(c.maxRecords ? { maxRecords: c.maxRecords } : {}) },
  });
  const privacy = new JobPrivacy(spec);
  const z = privacy.noiseMultiplier;
  const total = c.federation.reduce((a, b) => a + b, 0);
  const fitMaxRecords = Math.min(Math.ceil((2 * total) / PARTICIPANTS), spec.privacy.maxRecords);
  const modelLength = d + 1;
  const D = localData(`${c.name}-${unit}-D`, c.rows);
  const Dx = localData(`${c.name}-${unit}-Dx`, [...c.rows, extremeOf(c.rows[0])]);
  const { mean, std, bounds } = publicInputs(c.rows);
  const task = (
    round: number,
    o: { training?: tessera.v1.ITrainingConfig; statistics?: tessera.v1.IStatisticsRelease },
  ): tessera.v1.ITask => ({
    ref: { jobId: 'harness', round },
    dataset: 'patients',
    label: LABEL,
    modelLength,
    features: featureNames.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC })),
    mean,
    std,
    bounds,
    // The job's seed and a validation share are announced as a coordinator would: under DP neither may matter.
    training: { seed: 'known-to-the-coordinator', validationFraction: 0.2, standardizedClip: 6, ...o.training },
    privacyPlan: privacy.taskPlan(),
    ...(o.statistics ? { statistics: o.statistics } : {}),
  });
  const worst = new Map<string, number>();
  const check = (
    release: string,
    a: ArrayLike<number>,
    b: ArrayLike<number>,
    shape: ReleaseShape,
    sigma: number,
    own?: number,
  ) => {
    const delta = releaseSensitivity(shape);
    // The coordinator's noise is z·Δ with this very Δ.
    expect(sigma / (z * delta)).toBeCloseTo(1, 9);
    const moved = distance(a, b);
    expect(moved, `${c.name}, ${release}: ||S(D+x) - S(D)|| = ${moved} > Δ = ${delta}`).toBeLessThanOrEqual(delta);
    // Unit participant: the neighbour is the participant's absence, so each contribution itself is within Δ.
    if (own !== undefined) expect(own).toBeLessThanOrEqual(delta);
    worst.set(release, Math.max(worst.get(release) ?? 0, moved / delta));
  };
  const model = testRandom(`${c.name}/${unit}/models`);
  for (let round = 1; round <= ROUNDS; round++) {
    const coupled = (what: string): [RecordRandomness, RecordRandomness] => [
      coupledRandomness(`${c.name}/${unit}/${round}/${what}`),
      coupledRandomness(`${c.name}/${unit}/${round}/${what}`),
    ];
    const global = Float64Array.from({ length: modelLength }, () => model.gaussian() * (round % 3 === 0 ? 3 : 0.5));
    const dp = privacy.round(spec.secure.bits, PARTICIPANTS, modelLength, fitMaxRecords)!;
    if (unit === 'record') {
      const cfg = {
        training: { recordDp: { clip: dp.record!.clip, level: dp.record!.level, maxRecords: dp.record!.maxRecords } },
      };
      const [r1, r2] = coupled('fit');
      const a = fit(D, task(round, cfg), global, 'p1', r1).vector!;
      const b = fit(Dx, task(round, cfg), global, 'p1', r2).vector!;
      check(
        'FIT',
        a,
        b,
        { kind: 'record-fit', level: dp.record!.level, gradientLength: modelLength, countWeight: dp.record!.level },
        Math.sqrt(dp.totalVariance),
      );
    } else {
      const cfg = {
        training: {
          epochs: spec.local.epochs,
          batchSize: spec.local.batchSize,
          learningRate: spec.local.learningRate,
          l2: spec.model.l2,
        },
      };
      const codec = { bits: spec.secure.bits, clip: spec.privacy.clip, modulus: 2 ** 32, uniformWeights: true };
      const [r1, r2] = coupled('fit');
      const [e1, e2] = coupled('encode');
      const ra = fit(D, task(round, cfg), global, 'p1', r1),
        rb = fit(Dx, task(round, cfg), global, 'p1', r2);
      expect(ra.uniformWeight && rb.uniformWeight).toBe(true);
      const a = signed(encodeUpdate(ra.vector!, 1, codec, e1.shared()).words);
      const b = signed(encodeUpdate(rb.vector!, 1, codec, e2.shared()).words);
      const level = 2 ** (spec.secure.bits - 1) - 1;
      check(
        'FIT',
        a,
        b,
        { kind: 'participant-fit', level, length: modelLength },
        Math.sqrt(dp.totalVariance),
        Math.max(distance(a, new Float64Array(a.length)), distance(b, new Float64Array(b.length))),
      );
    }
    for (const part of ['magnitudes', 'moments'] as const) {
      const length = part === 'magnitudes' ? d * MAGNITUDE_BUCKETS : boundedMomentsLength(d);
      const norms = part === 'magnitudes' ? magnitudeNorms(d) : boundedMomentsNorms(d);
      const release = privacy.release(PARTICIPANTS, norms, length);
      const cfg = {
        statistics: {
          part: statisticsParts.toProto(part),
          level: release.level,
          maxRecords: spec.privacy.maxRecords,
        },
      };
      const [r1, r2] = coupled(part);
      const va = privateStatistics(D, task(0, cfg), r1),
        vb = privateStatistics(Dx, task(0, cfg), r2);
      const a = signed(encodeFixedPoint(va.vector!, release.level, 2 ** 32, r1.shared()));
      const b = signed(encodeFixedPoint(vb.vector!, release.level, 2 ** 32, r2.shared()));
      const own =
        unit === 'participant'
          ? Math.max(distance(a, new Float64Array(a.length)), distance(b, new Float64Array(b.length)))
          : undefined;
      check(
        part,
        a,
        b,
        { kind: 'statistics', unit, level: release.level, length, ...norms },
        Math.sqrt(release.totalVariance),
        own,
      );
    }
  }
  return [...worst].map(([release, w]) => ({ release, worst: w }));
}

describe(
  'sensitivity harness: ||S(D ∪ {x}) − S(D)||₂ ≤ the Δ the coordinator calibrates to, ' +
    '20 rounds each, coupled randomness',
  () => {
    const table: string[] = [];
    afterAll(() => console.info(`worst ||S(D+x) - S(D)|| / Δ over ${ROUNDS} rounds:\n${table.join('\n')}`));

    for (const c of CASES) {
      for (const unit of ['record', 'participant'] as const) {
        it(`${c.name}, unit ${unit}`, () => {
          const measured = harness(c, unit);
          table.push(`  ${c.name}, ${unit}: ${measured.map((m) => `${m.release} ${m.worst.toFixed(3)}`).join(', ')}`);
          if (unit === 'record') {
            // The bound is exercised, not vacuous:
            // the extreme record moves the record-level FIT sum by a good part of Δ.
            expect(measured.find((m) => m.release === 'FIT')!.worst).toBeGreaterThan(0.25);
          }
        });
      }
    }

    it(
      'the harness detects a violation: without the coupling (a subsample drawn afresh, as a reseeded shuffle would) ' +
        'one record moves the sum far beyond Δ',
      () => {
        const c = CASES[1];
        const spec = parseJobSpec({
          dataset: 'patients',
          label: LABEL,
          privacy: { mode: 'distributed', unit: 'record', maxRecords: 600 },
        });
        const privacy = new JobPrivacy(spec);
        const dp = privacy.round(spec.secure.bits, PARTICIPANTS, d + 1, 782)!;
        const { mean, std, bounds } = publicInputs(c.rows);
        const training = {
          standardizedClip: 6,
          recordDp: { clip: dp.record!.clip, level: dp.record!.level, maxRecords: 782 },
        };
        const task: tessera.v1.ITask = {
          ref: { jobId: 'harness', round: 1 },
          dataset: 'patients',
          label: LABEL,
          features: featureNames.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC })),
          mean,
          std,
          bounds,
          training,
          privacyPlan: privacy.taskPlan(),
        };
        const global = new Float64Array(d + 1);
        const a = fit(localData('uncoupled-D', c.rows), task, global, 'p1', coupledRandomness('one')).vector!;
        const b = fit(
          localData('uncoupled-Dx', [...c.rows, extremeOf(c.rows[0])]),
          task,
          global,
          'p1',
          coupledRandomness('another'),
        ).vector!;
        const delta = releaseSensitivity({
          kind: 'record-fit',
          level: dp.record!.level,
          gradientLength: d + 1,
          countWeight: dp.record!.level,
        });
        expect(distance(a, b) / delta).toBeGreaterThan(3);
      },
    );
  },
);
