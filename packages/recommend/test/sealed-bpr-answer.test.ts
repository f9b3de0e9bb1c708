// What the analyst's answer in a sealed BPR round shows the coordinator: the next items with Adagrad's state.
import { describe, expect, it } from 'vitest';
import { bprAlgorithm, initItemFactors, itemModelVector, itemsFromModelVector, seededRandom } from '../src/index.js';

describe('a sealed BPR round', () => {
  it("gives the coordinator the round's summed gradient exactly: sealed BPR hides no more than masked", () => {
    const k = 3;
    const count = 5;
    const bpr = bprAlgorithm({ k, itemRate: 0.05 });
    const rng = seededRandom('sealed-bpr');
    // The coordinator holds the items and the state it sent; the analyst answers with itemModelVector(next, true).
    const sent = bpr.applyItemUpdate(
      initItemFactors(count, k, rng),
      Float64Array.from({ length: count * (k + 1) }, () => rng.float() - 0.5),
    );
    const sum = Float64Array.from({ length: count * (k + 1) }, () => rng.float() * 4 - 2);
    const answer = itemsFromModelVector(itemModelVector(bpr.applyItemUpdate(sent, sum), true), count, k);
    const before = itemModelVector(sent);
    const after = itemModelVector(answer);
    // The accumulator grew by g^2, and the step has g's sign.
    const recovered = sum.map(
      (_, p) => Math.sign(after[p]! - before[p]!) * Math.sqrt(answer.accumulator![p]! - sent.accumulator![p]!),
    );
    for (let p = 0; p < sum.length; p++) expect(recovered[p]).toBeCloseTo(sum[p]!, 9);
  });
});
