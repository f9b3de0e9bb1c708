import { auc } from '@tessera/ml';
import {
  predictGbdt,
  scoreSecureBoost,
  SecureBoostHostScorer,
  trainGbdt,
  trainSecureBoost,
  type BoostConfig,
  type ScoreQuery,
  type SecureBoostResult,
} from '@tessera/vertical';
import { beforeAll, describe, expect, it } from 'vitest';
import { breastCancerBoost, expectSameTree, resolved } from './boost-fixture.js';

const data = breastCancerBoost();
// Three trees of depth 3 with 16 bins keep this file fast; boost-secureboost.slow.test.ts runs 32 bins.
const config: Partial<BoostConfig> = { trees: 3, depth: 3, bins: 16, learningRate: 0.3, lambda: 1, minChildWeight: 1 };

describe('SecureBoost on breast cancer (guest 10 features + label, host 20 features, 80% overlap)', () => {
  let result: SecureBoostResult;
  const queries: { host: number; query: ScoreQuery }[] = [];
  let federated: Float64Array;

  beforeAll(async () => {
    result = await trainSecureBoost({
      guestFeatures: data.guestTrain,
      labels: data.yTrain,
      hostFeatures: [data.hostTrain],
      config,
      classes: 64,
    });
    const scorer = new SecureBoostHostScorer(result.hostModels[0]!, data.hostTest);
    federated = await scoreSecureBoost(result.guestModel, data.guestTest, [scorer], data.yTest.length, (host, query) =>
      queries.push({ host, query }),
    );
  }, 60_000);

  it('grows the same trees as the plaintext GBDT and scores the same', () => {
    const reference = trainGbdt([...data.guestTrain, ...data.hostTrain], data.yTrain, config);
    expect(result.guestModel.base).toBe(reference.base);
    expect(result.guestModel.trees).toHaveLength(reference.trees.length);
    result.guestModel.trees.forEach((t, i) =>
      expectSameTree(resolved(t, result.hostModels[0]!, data.guestTrain.length), reference.trees[i]!),
    );
    const plain = predictGbdt(reference, [...data.guestTest, ...data.hostTest]);
    for (let i = 0; i < plain.length; i++) expect(federated[i]).toBeCloseTo(plain[i]!, 9);
    expect(Math.abs(auc(data.yTest, federated) - auc(data.yTest, plain))).toBeLessThanOrEqual(0.01);
    // Host features are used, and they help: better than a GBDT on the guest's features alone.
    expect(result.guestModel.trees.some((t) => JSON.stringify(t).includes('"party":"host"'))).toBe(true);
    const guestOnly = predictGbdt(trainGbdt(data.guestTrain, data.yTrain, config), data.guestTest);
    expect(auc(data.yTest, federated)).toBeGreaterThan(auc(data.yTest, guestOnly));
    expect(result.stats.minNoiseBudget).toBeGreaterThan(0);
  });

  it('the host receives only ciphertexts, its Galois key, parameters and row sets', () => {
    const toHost = result.transcript.filter((e) => e.to === 'host 0').map((e) => e.message);
    expect(new Set(toHost.map((m) => m.kind))).toEqual(
      new Set(['boost-setup', 'encrypted-gradients', 'histogram-request', 'split-request']),
    );
    const n = data.yTrain.length;
    for (const m of [...toHost, ...queries.map((q) => q.query)]) {
      for (const [path, value] of leaves(m)) {
        if (value instanceof Uint8Array) expect(isSealObject(value), path).toBe(true);
        else if (value instanceof Uint32Array) expect(isRowSet(value, n), path).toBe(true);
        else if (typeof value === 'number') expect(Number.isInteger(value), path).toBe(true);
        else if (typeof value === 'string')
          expect(['kind', 'split', 'plainModulus'], path).toContain(path.split('.').pop());
        else throw new Error(`unexpected ${path}: ${String(value)}`);
      }
    }
    // Neither the labels nor any gradient reaches the host in the clear: no float at all, and no Uint32Array
    // that is not a strictly increasing row set (the fixed-point gradients are not).
    const gradientsSent = toHost.filter((m) => m.kind === 'encrypted-gradients');
    expect(gradientsSent).toHaveLength(3);
  });

  it('the guest never receives a host threshold or feature value', () => {
    const toGuest = result.transcript.filter((e) => e.to === 'guest').map((e) => e.message);
    expect(new Set(toGuest.map((m) => m.kind))).toEqual(new Set(['host-hello', 'encrypted-histogram', 'split-answer']));
    const hostValues = new Set<number>();
    for (const column of [...data.hostTrain, ...data.hostTest]) for (const v of column) hostValues.add(v);
    for (const s of result.hostModels[0]!.splits.values()) hostValues.add(s.value);
    for (const m of toGuest) {
      for (const [path, value] of leaves(m)) {
        if (value instanceof Uint8Array) expect(isSealObject(value), path).toBe(true);
        else if (value instanceof Uint32Array) expect(isRowSet(value, data.yTrain.length), path).toBe(true);
        else if (typeof value === 'number') {
          expect(Number.isInteger(value), path).toBe(true);
          // Integers that are also host values (a count of 0, say) could only be the hello's feature count
          // or the host and node numbers.
          if (hostValues.has(value))
            expect(['host', 'node', 'tree', 'features'], path).toContain(path.split('.').pop());
        } else if (typeof value === 'string') {
          if (path.endsWith('.split')) expect(value).toMatch(/^[0-9a-f]{24}$/);
          else expect(path.endsWith('.kind'), path).toBe(true);
        } else throw new Error(`unexpected ${path}: ${String(value)}`);
      }
    }
    const guestModelText = JSON.stringify(result.guestModel);
    for (const s of result.hostModels[0]!.splits.values()) expect(guestModelText).not.toContain(String(s.value));
  });
});

/** Every leaf value of a message with its path (typed arrays are leaves). */
function* leaves(value: unknown, path = 'message'): Generator<[string, unknown]> {
  if (ArrayBuffer.isView(value) || value === null || typeof value !== 'object') {
    yield [path, value];
    return;
  }
  for (const [k, v] of Object.entries(value)) yield* leaves(v, `${path}.${k}`);
}

/** SEAL serializations start with the magic 0xA15E (little-endian). */
function isSealObject(bytes: Uint8Array): boolean {
  return bytes.length > 16 && bytes[0] === 0x5e && bytes[1] === 0xa1;
}

function isRowSet(rows: Uint32Array, n: number): boolean {
  return rows.every((r, i) => r < n && (i === 0 || r > rows[i - 1]!));
}
