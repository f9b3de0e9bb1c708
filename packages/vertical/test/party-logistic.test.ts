// The party layer's vertical logistic regression over a linkedPair: accuracy against centralised and guest-only
// LR on the same rows, what each side receives, and joint scoring of new customers with the saved models.
import { randomBytes } from 'node:crypto';
import { auc, logisticModel, seededRandom, sigmoid, trainModel, type LabeledData } from '@tessera/ml';
import {
  isHeldOut,
  linkedPair,
  parseGuestModel,
  parseHostModel,
  scoreVerticalGuest,
  serveVerticalHostScoring,
  type GuestLogisticModel,
  type HostLogisticModel,
  type VerticalGuestResult,
  type VerticalHostResult,
} from '@tessera/vertical';
import { beforeAll, describe, expect, it } from 'vitest';
import { leaves, partyTables, rowsOf, runPair, standardised, value, within, type PairRun } from './party-fixture.js';

// Small steps keep the margins where the residual's Taylor expansion is close to the logistic loss (the joint model
// then tracks centralised LR); with the fixed salt of runPair the aligned order, the split and the AUC are the same
// every run.
const MODEL = { kind: 'vertical-logistic', epochs: 3, batchSize: 64, learningRate: 0.1, l2: 1e-3 } as const;
const tables = partyTables();

/** Row-major rows from column-major columns, with labels. */
function labeled(columns: readonly Float64Array[], y: Float64Array): LabeledData {
  const d = columns.length;
  const x = new Float64Array(y.length * d);
  columns.forEach((c, j) => {
    for (let i = 0; i < y.length; i++) x[i * d + j] = c[i]!;
  });
  return { x, n: y.length, d, y };
}

/** Centralised LR with the run's schedule (the same shuffle seed as the party layer derives). */
function centralised(train: LabeledData, test: LabeledData): number {
  const model = logisticModel({ features: train.d, l2: MODEL.l2 });
  const rng = seededRandom('party-seed/vertical-logistic/shuffle');
  const { epochs, batchSize, learningRate } = MODEL;
  const w = trainModel(model, model.init(rng), train, { epochs, batchSize, learningRate }, rng).params;
  return auc(test.y, model.predict(w, test));
}

describe('vertical logistic regression between two parties over a link', () => {
  let run: PairRun;
  let guest: VerticalGuestResult;
  let host: VerticalHostResult;
  const progress = { guest: [] as string[], host: [] as string[] };

  beforeAll(async () => {
    run = await runPair(tables, MODEL, {
      guest: { progress: (phase, detail) => progress.guest.push(`${phase}: ${detail}`) },
      host: { progress: (phase, detail) => progress.host.push(`${phase}: ${detail}`) },
    });
    guest = value(run.guest);
    host = value(run.host);
  }, 60_000);

  it('aligns 80% of the customers and agrees on the rows', () => {
    expect(guest.overlap).toBe(Math.round(0.8 * 569));
    expect(host.overlap).toBe(guest.overlap);
    // Held out by identifier (isHeldOut), as the CLI demo's baselines choose them.
    const shared = new Set(tables.host.ids);
    const held = tables.guest.ids.filter((id) => shared.has(id) && isHeldOut(id, 'party-seed', 0.3));
    expect(new Set(Array.from(guest.rows.test, (r) => tables.guest.ids[r]))).toEqual(new Set(held));
    expect(guest.metrics.testRows).toBe(guest.rows.test.length);
    for (const part of ['train', 'test'] as const)
      guest.rows[part].forEach((r, i) => expect(tables.guest.ids[r]).toBe(tables.host.ids[host.rows[part][i]!]));
  });

  it('reports progress per phase and per epoch on both sides', () => {
    for (const side of [progress.guest, progress.host]) {
      expect(side.filter((line) => /^train: epoch \d of 3/.test(line))).toHaveLength(3);
      expect(side.some((line) => line.startsWith('align: '))).toBe(true);
      expect(side.some((line) => line.startsWith('evaluate: '))).toBe(true);
    }
  });

  it('is within 0.01 AUC of centralised LR on the same joined rows, and above guest-only', () => {
    const g = guest.model as GuestLogisticModel;
    const h = host.model as HostLogisticModel;
    const y = (rows: Uint32Array) => Float64Array.from(rows, (r) => tables.labels[r]!);
    const guestCols = (rows: Uint32Array) => standardised(tables.guest, g.standardisation, rows);
    const hostCols = (rows: Uint32Array) => standardised(tables.host, h.standardisation, rows);
    const { train, test } = guest.rows;
    const joinedTrain = labeled([...guestCols(train), ...hostCols(host.rows.train)], y(train));
    const joinedTest = labeled([...guestCols(test), ...hostCols(host.rows.test)], y(test));
    const central = centralised(joinedTrain, joinedTest);
    const guestOnly = centralised(labeled(guestCols(train), y(train)), labeled(guestCols(test), y(test)));
    console.log(
      `party VLR AUC ${guest.metrics.auc.toFixed(4)} (accuracy ${guest.metrics.accuracy.toFixed(3)}, log loss ` +
        `${guest.metrics.logLoss.toFixed(3)}), centralised ${central.toFixed(4)}, ` +
        `guest-only ${guestOnly.toFixed(4)}; ` +
        `seconds ${JSON.stringify(guest.seconds)}`,
    );
    expect(Math.abs(guest.metrics.auc - central)).toBeLessThanOrEqual(0.01);
    expect(guest.metrics.auc).toBeGreaterThan(guestOnly);
    // The metrics are those of the two saved models scoring the joined test rows.
    const margins = joinedTest.y.map((_, i) => {
      let u = g.bias;
      for (let j = 0; j < 10; j++) u += g.weights[j]! * joinedTest.x[i * 30 + j]!;
      for (let j = 0; j < 20; j++) u += h.weights[j]! * joinedTest.x[i * 30 + 10 + j]!;
      return sigmoid(u);
    });
    expect(guest.metrics.auc).toBeCloseTo(auc(joinedTest.y, margins), 12);
  });

  it('saves JSON models that parse back, each with its own features only', () => {
    const g = parseGuestModel(JSON.stringify(guest.model));
    const h = parseHostModel(JSON.parse(JSON.stringify(host.model)));
    expect(g).toEqual(guest.model);
    expect(h).toEqual(host.model);
    expect(g.featureNames).toEqual(tables.guest.featureNames);
    expect(h.featureNames).toEqual(tables.host.featureNames);
    expect(() => parseGuestModel({ ...guest.model, bias: 'x' })).toThrow(/model\.bias/);
    expect(() => parseHostModel({ ...host.model, weights: [1] })).toThrow(/model\.weights must have 20 entries/);
    expect(() => parseGuestModel(host.model)).toThrow(/model\.format/);
  });

  it('the host receives no label, residual or gradient in the clear', () => {
    const kinds = new Set(run.toHost.map((m) => m.kind));
    expect(kinds).toEqual(
      new Set([
        'psi-align/blinded',
        'psi-align/reblinded',
        'psi-align/confirmation',
        'vlr-setup',
        'vlr-guest-step',
        'vlr-masked-sums',
        'vertical/partial-score-request',
        'vertical/finished',
      ]),
    );
    for (const m of run.toHost)
      for (const [path, v] of leaves(m)) {
        if (v instanceof Uint8Array) continue; // ciphertexts, the public key, PSI points and digests
        if (v instanceof Uint32Array) {
          expect(m.kind, path).toBe('vertical/partial-score-request'); // aligned row indices
          continue;
        }
        expect(ArrayBuffer.isView(v), path).toBe(false); // no Float64Array: no residual or label vector
        if (typeof v === 'number') {
          // Shapes, counts, step numbers and masked sums (integers mod p); the only fractions are the public schedule.
          if (!Number.isInteger(v)) expect(['learningRate', 'l2'], path).toContain(path.split('.').pop());
        } else expect(typeof v === 'string', path).toBe(true);
      }
  });

  it('the guest receives no host feature value or weight', () => {
    const h = host.model as HostLogisticModel;
    const hostValues = new Set<number>(h.weights);
    for (const c of tables.host.columns) for (const v of c) hostValues.add(v);
    for (const c of standardised(tables.host, h.standardisation, host.rows.train)) for (const v of c) hostValues.add(v);
    for (const c of standardised(tables.host, h.standardisation, host.rows.test)) for (const v of c) hostValues.add(v);
    expect(new Set(run.toGuest.map((m) => m.kind))).toEqual(
      new Set([
        'psi-align/blinded',
        'psi-align/reblinded',
        'psi-align/confirmation',
        'vlr-host-hello',
        'vlr-host-masked',
        'vertical/partial-scores',
      ]),
    );
    for (const m of run.toGuest)
      for (const [path, v] of leaves(m)) {
        if (v instanceof Float64Array) for (const x of v) expect(hostValues.has(x), path).toBe(false);
        else if (typeof v === 'number' && hostValues.has(v))
          expect(['rows', 'features', 'host', 'step', 'count', 'size', 'version'], path).toContain(
            path.split('.').pop(),
          );
      }
    const text = JSON.stringify(guest.model);
    for (const w of h.weights) expect(text).not.toContain(String(w));
  });

  it('scores new customers jointly as the two saved models score the joined rows', async () => {
    // New customers: a third of the guest's rows (no label), in reverse order; the host's whole table.
    const ids = tables.guest.ids.filter((_, i) => i % 3 === 0).reverse();
    const guestTable = rowsOf(tables.guest, ids);
    const link = linkedPair();
    const common = { salt: randomBytes(32), session: 'score-job' };
    const g = parseGuestModel(JSON.stringify(guest.model)) as GuestLogisticModel;
    const h = parseHostModel(JSON.stringify(host.model)) as HostLogisticModel;
    const [scored, served] = await within(
      Promise.all([
        scoreVerticalGuest({ ...common, link: link.guest, table: guestTable, model: g }),
        serveVerticalHostScoring({ ...common, link: link.host, table: tables.host, model: h }),
      ]),
      30_000,
      'joint scoring',
    );
    const hostIds = new Set(tables.host.ids);
    const expectedIds = ids.filter((id) => hostIds.has(id));
    expect(scored.ids).toEqual(expectedIds); // the guest's local order
    expect(served.overlap).toBe(expectedIds.length);
    const gCols = standardised(
      guestTable,
      g.standardisation,
      expectedIds.map((id) => ids.indexOf(id)),
    );
    const hostAt = new Map(tables.host.ids.map((id, i) => [id, i]));
    const hCols = standardised(
      tables.host,
      h.standardisation,
      expectedIds.map((id) => hostAt.get(id)!),
    );
    expectedIds.forEach((_, i) => {
      let u = g.bias;
      gCols.forEach((c, j) => {
        u += g.weights[j]! * c[i]!;
      });
      hCols.forEach((c, j) => {
        u += h.weights[j]! * c[i]!;
      });
      expect(scored.scores[i]).toBeCloseTo(sigmoid(u), 12);
    });
  });
});
