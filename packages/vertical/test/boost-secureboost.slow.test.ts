// SecureBoost with the default configuration (3 trees, depth 3, 32 bins, 128 classes per ciphertext) against the
// plaintext GBDT on breast cancer split by columns.
import { auc } from '@tessera/ml';
import { predictGbdt, scoreSecureBoost, SecureBoostHostScorer, trainGbdt, trainSecureBoost } from '@tessera/vertical';
import { describe, expect, it } from 'vitest';
import { breastCancerBoost, expectSameTree, resolved } from './boost-fixture.js';

describe('SecureBoost, default configuration', () => {
  it('grows the same trees as the plaintext GBDT and beats guest-only', async () => {
    const data = breastCancerBoost();
    const result = await trainSecureBoost({
      guestFeatures: data.guestTrain,
      labels: data.yTrain,
      hostFeatures: [data.hostTrain],
    });
    const reference = trainGbdt([...data.guestTrain, ...data.hostTrain], data.yTrain);
    result.guestModel.trees.forEach((t, i) =>
      expectSameTree(resolved(t, result.hostModels[0]!, data.guestTrain.length), reference.trees[i]!),
    );
    const scorer = new SecureBoostHostScorer(result.hostModels[0]!, data.hostTest);
    const federated = await scoreSecureBoost(result.guestModel, data.guestTest, [scorer], data.yTest.length);
    const plain = predictGbdt(reference, [...data.guestTest, ...data.hostTest]);
    const guestOnly = predictGbdt(trainGbdt(data.guestTrain, data.yTrain), data.guestTest);
    const aucs = {
      federated: auc(data.yTest, federated),
      plain: auc(data.yTest, plain),
      guestOnly: auc(data.yTest, guestOnly),
    };
    console.log(JSON.stringify({ aucs, stats: result.stats, setupMs: result.setupMs, trainMs: result.trainMs }));
    expect(Math.abs(aucs.federated - aucs.plain)).toBeLessThanOrEqual(0.01);
    expect(aucs.federated).toBeGreaterThan(aucs.guestOnly);
  }, 180_000);
});
