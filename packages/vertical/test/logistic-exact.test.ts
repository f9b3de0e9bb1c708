// The protocol computes exactly the plaintext Taylor-approximated logistic regression (up to fixed-point rounding),
// with one host and with two, and its masks cancel exactly: two runs give bit-identical weights.
import { describe, expect, it } from 'vitest';
import type { LabeledData, Matrix } from '@tessera/ml';
import { trainVerticalLogistic, type VlrSchedule } from '@tessera/vertical';
import { minimumBatchRows, VlrBatches } from '../src/logistic/schedule.js';
import { breastCancerVertical } from './logistic-fixture.js';

const SCHEDULE: VlrSchedule = { epochs: 1, batchSize: 100, learningRate: 0.5, l2: 1e-3, shuffleSeed: 'exact' };

/** Plaintext reference: mini-batch gradient descent on the Taylor loss, residual 0.25 u - 0.5 y (y in {-1, 1}). */
function taylorReference(guest: LabeledData, hosts: readonly Matrix[], schedule: VlrSchedule) {
  const batches = new VlrBatches(
    guest.n,
    schedule,
    minimumBatchRows(
      guest.d + 1,
      hosts.map((h) => h.d),
    ),
  );
  const gw = new Float64Array(guest.d + 1);
  const hw = hosts.map((h) => new Float64Array(h.d));
  for (let step = 0; step < batches.totalSteps; step++) {
    const rows = batches.rowsOf(step);
    const residual = Array.from(rows, (row) => {
      let u = gw[guest.d]!;
      for (let k = 0; k < guest.d; k++) u += gw[k]! * guest.x[row * guest.d + k]!;
      hosts.forEach((h, i) => {
        for (let j = 0; j < h.d; j++) u += hw[i]![j]! * h.x[row * h.d + j]!;
      });
      return 0.25 * u - 0.5 * (2 * guest.y[row]! - 1);
    });
    const step1 = (w: Float64Array, m: Matrix, bias: boolean) => {
      const g = new Float64Array(w.length);
      rows.forEach((row, i) => {
        for (let k = 0; k < m.d; k++) g[k]! += residual[i]! * m.x[row * m.d + k]!;
        if (bias) g[m.d]! += residual[i]!;
      });
      for (let k = 0; k < w.length; k++) {
        const penalty = bias && k === m.d ? 0 : schedule.l2 * w[k]!;
        w[k]! -= schedule.learningRate * (g[k]! / rows.length + penalty);
      }
    };
    step1(gw, guest, true);
    hosts.forEach((h, i) => step1(hw[i]!, h, false));
  }
  return { gw, hw };
}

function columnsOf(m: Matrix, from: number, to: number): Matrix {
  const d = to - from;
  const x = new Float64Array(m.n * d);
  for (let i = 0; i < m.n; i++) x.set(m.x.subarray(i * m.d + from, i * m.d + to), i * d);
  return { x, n: m.n, d };
}

function maxDifference(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
}

describe('vertical logistic regression computes the plaintext Taylor-loss steps', () => {
  it('with one host, and two runs agree bit for bit (the masks cancel exactly)', async () => {
    const { guestTrain, hostTrain } = breastCancerVertical();
    const input = { guest: guestTrain, hosts: [hostTrain], schedule: SCHEDULE };
    const first = await trainVerticalLogistic(input);
    const second = await trainVerticalLogistic(input);
    const reference = taylorReference(guestTrain, [hostTrain], SCHEDULE);
    expect(maxDifference(first.guestWeights, reference.gw)).toBeLessThan(1e-4);
    expect(maxDifference(first.hostWeights[0]!, reference.hw[0]!)).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(reference.hw[0]!, Math.abs))).toBeGreaterThan(0.05);
    expect(second.guestWeights).toEqual(first.guestWeights);
    expect(second.hostWeights).toEqual(first.hostWeights);
  });

  it('with two hosts exchanging encrypted score shares', async () => {
    const { guestTrain, hostTrain } = breastCancerVertical();
    const hosts = [columnsOf(hostTrain, 0, 10), columnsOf(hostTrain, 10, 20)];
    const schedule = SCHEDULE;
    const result = await trainVerticalLogistic({ guest: guestTrain, hosts, schedule });
    const reference = taylorReference(guestTrain, hosts, schedule);
    expect(maxDifference(result.guestWeights, reference.gw)).toBeLessThan(1e-4);
    for (let h = 0; h < 2; h++) expect(maxDifference(result.hostWeights[h]!, reference.hw[h]!)).toBeLessThan(1e-4);
  });
});
