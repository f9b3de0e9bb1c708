import { describe, expect, it } from 'vitest';
import { auc, logisticModel, seededRandom, trainModel, type LabeledData } from '@tessera/ml';
import { trainVerticalLogistic, type VlrSchedule } from '@tessera/vertical';
import { breastCancerVertical, joined } from './logistic-fixture.js';

const SCHEDULE: VlrSchedule = { epochs: 5, batchSize: 64, learningRate: 0.5, l2: 1e-4, shuffleSeed: 'vlr-order' };

function centralised(data: LabeledData): Float64Array {
  const model = logisticModel({ features: data.d, l2: SCHEDULE.l2 });
  const { epochs, batchSize, learningRate } = SCHEDULE;
  const rng = seededRandom(SCHEDULE.shuffleSeed);
  return trainModel(model, model.init(rng), data, { epochs, batchSize, learningRate }, rng).params;
}

function scores(weights: Float64Array, data: LabeledData): Float64Array {
  const model = logisticModel({ features: data.d, l2: SCHEDULE.l2 });
  return model.predict(weights, data);
}

describe('vertical logistic regression on breast cancer split by columns', () => {
  it('is within 0.01 AUC of centralised LR on the joined rows and above guest-only', async () => {
    const split = breastCancerVertical();
    const result = await trainVerticalLogistic({
      guest: split.guestTrain,
      hosts: [split.hostTrain],
      schedule: SCHEDULE,
    });
    const d = split.guestTest.d;
    const hostWeights = result.hostWeights[0]!;
    // Joint scoring: the guest's partial predictor plus the host's, in the joined layout (guest, host, bias).
    const jointWeights = new Float64Array([
      ...result.guestWeights.subarray(0, d),
      ...hostWeights,
      result.guestWeights[d]!,
    ]);
    const test = joined(split.guestTest, [split.hostTest]);
    const vertical = auc(test.y, scores(jointWeights, test));
    const central = auc(test.y, scores(centralised(joined(split.guestTrain, [split.hostTrain])), test));
    const guestOnly = auc(test.y, scores(centralised(split.guestTrain), split.guestTest));
    console.log(
      `vertical LR AUC ${vertical.toFixed(4)}, centralised ${central.toFixed(4)}, ` +
        `guest-only ${guestOnly.toFixed(4)}, ${result.steps} steps in ${result.seconds.toFixed(2)} s`,
    );
    expect(Math.abs(vertical - central)).toBeLessThanOrEqual(0.01);
    expect(vertical).toBeGreaterThan(guestOnly);
  });
});
