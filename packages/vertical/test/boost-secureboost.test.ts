import { auc } from '@tessera/ml';
import {
  predictGbdt,
  scoreSecureBoost,
  SecureBoostHostScorer,
  trainGbdt,
  trainSecureBoost,
  type BoostConfig,
  type BoostSplit,
  type FeatureSplit,
  type HostBoostModel,
  type ScoreQuery,
  type SecureBoostResult,
  type Tree,
} from '@tessera/vertical';
import { beforeAll, describe, expect, it } from 'vitest';
import { breastCancerBoost } from './boost-fixture.js';

const data = breastCancerBoost();
const config: Partial<BoostConfig> = { trees: 3, depth: 3, bins: 16, learningRate: 0.3, lambda: 1, minChildWeight: 1 };
const GUEST_FEATURES = data.guestTrain.length;

/** The SecureBoost tree with host splits resolved through the host's model, in the joined feature order. */
function resolved(tree: Tree<BoostSplit>, host: HostBoostModel): Tree<FeatureSplit> {
  if ('leaf' in tree) return tree;
  const s = tree.split;
  let split: FeatureSplit;
  if (s.party === 'guest') split = { feature: s.feature, value: s.value };
  else {
    const kept = host.splits.get(s.split)!;
    split = { feature: GUEST_FEATURES + kept.feature, value: kept.value };
  }
  return { split, left: resolved(tree.left, host), right: resolved(tree.right, host) };
}

function expectSameTree(a: Tree<FeatureSplit>, b: Tree<FeatureSplit>): void {
  if ('leaf' in a || 'leaf' in b) {
    expect('leaf' in a && 'leaf' in b).toBe(true);
    if ('leaf' in a && 'leaf' in b) expect(a.leaf).toBeCloseTo(b.leaf, 9);
    return;
  }
  expect(a.split).toEqual(b.split);
  expectSameTree(a.left, b.left);
  expectSameTree(a.right, b.right);
}

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
    });
    const scorer = new SecureBoostHostScorer(result.hostModels[0]!, data.hostTest);
    federated = scoreSecureBoost(result.guestModel, data.guestTest, [scorer], data.yTest.length, (host, query) =>
      queries.push({ host, query }),
    );
  }, 60_000);

  it('grows the same trees as the plaintext GBDT and scores the same', () => {
    const reference = trainGbdt([...data.guestTrain, ...data.hostTrain], data.yTrain, config);
    expect(result.guestModel.base).toBe(reference.base);
    expect(result.guestModel.trees).toHaveLength(reference.trees.length);
    result.guestModel.trees.forEach((t, i) => expectSameTree(resolved(t, result.hostModels[0]!), reference.trees[i]!));
    const plain = predictGbdt(reference, [...data.guestTest, ...data.hostTest]);
    for (let i = 0; i < plain.length; i++) expect(federated[i]).toBeCloseTo(plain[i]!, 9);
    expect(Math.abs(auc(data.yTest, federated) - auc(data.yTest, plain))).toBeLessThanOrEqual(0.01);
    // Host features are used, and they help: better than a GBDT on the guest's features alone.
    expect(result.guestModel.trees.some((t) => JSON.stringify(t).includes('"party":"host"'))).toBe(true);
    const guestOnly = predictGbdt(trainGbdt(data.guestTrain, data.yTrain, config), data.guestTest);
    expect(auc(data.yTest, federated)).toBeGreaterThan(auc(data.yTest, guestOnly));
    expect(result.stats.minNoiseBudget).toBeGreaterThan(0);
  });
});
