import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chooseParameters, completeGraph, harary, SecAggError, type RoundDropouts } from '@tessera/secagg';
import { expectedSum, feasible, randomInputs, runRound, setup } from './harness.js';
import { splitAttack } from './split-attack.js';

// Property tests of the ConsistencyCheck stage (fast-check, fixed seeds): honest rounds with participants dropping
// at every stage, the check included, still sum exactly; and a coordinator that tells any subset of a victim's
// holders that it dropped, forwarding signatures either way, never recovers the victim's input at default thresholds.

type Fate = 'stays' | keyof RoundDropouts;
const FATES: readonly Fate[] = [
  'beforeAdvertise',
  'afterAdvertise',
  'afterShareKeys',
  'beforeMaskedInput',
  'beforeConsistencyCheck',
  'duringUnmask',
];

const honestRound = fc
  .integer({ min: 3, max: 8 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      degree: fc.integer({ min: 2, max: n - 1 }).filter((k) => k % 2 === 0 || k === n - 1),
      fates: fc.array(
        fc.oneof(
          { arbitrary: fc.constant<Fate>('stays'), weight: 4 },
          { arbitrary: fc.constantFrom(...FATES), weight: 1 },
        ),
        { minLength: n, maxLength: n },
      ),
      seed: fc.string({ minLength: 1, maxLength: 8 }),
    }),
  )
  .chain((r) => fc.record({ round: fc.constant(r), threshold: fc.integer({ min: 2, max: r.degree + 1 }) }));

describe('ConsistencyCheck properties (fast-check)', () => {
  it('honest rounds with dropouts at every stage either sum the survivors exactly or fail with too-few', () => {
    const outcomes = { summed: 0, refused: 0 };
    fc.assert(
      fc.property(honestRound, ({ round: { n, degree, fates, seed }, threshold }) => {
        const roundId = new TextEncoder().encode(`consistency/${seed}`);
        const graph = degree === n - 1 ? completeGraph(n) : harary(n, degree, roundId);
        const s = setup({ n, threshold, graph, dimension: 3, roundId });
        const dropouts: Record<string, number[]> = Object.fromEntries(FATES.map((f) => [f, []]));
        fates.forEach((f, i) => {
          if (f !== 'stays') dropouts[f]!.push(i);
        });
        const inputs = randomInputs(n, 3, 2 ** 32, `consistency/${seed}`);
        let result: ReturnType<typeof runRound> | undefined;
        let error: unknown;
        try {
          result = runRound(s, { inputs, dropouts });
        } catch (e) {
          error = e;
        }
        if (feasible(graph, threshold, dropouts)) {
          expect(error).toBeUndefined();
          const survivors = fates.flatMap((f, i) =>
            ['stays', 'beforeConsistencyCheck', 'duringUnmask'].includes(f) ? [i] : [],
          );
          expect(result!.survivors).toEqual(survivors);
          expect(result!.signers).toEqual(fates.flatMap((f, i) => (f === 'stays' || f === 'duringUnmask' ? [i] : [])));
          expect(Array.from(result!.sum)).toEqual(Array.from(expectedSum(inputs, survivors, 2 ** 32)));
          outcomes.summed++;
        } else {
          expect(result).toBeUndefined();
          expect(error).toBeInstanceOf(SecAggError);
          expect((error as SecAggError).code).toBe('too-few');
          outcomes.refused++;
        }
      }),
      { seed: 15, numRuns: 60 },
    );
    expect(outcomes.summed).toBeGreaterThanOrEqual(20);
    expect(outcomes.refused).toBeGreaterThanOrEqual(10);
  });

  it('at default thresholds no split of a victim, forwarded either way, recovers its input', () => {
    const attack = fc.integer({ min: 3, max: 7 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        victim: fc.integer({ min: 0, max: n - 1 }),
        dropped: fc.subarray(
          Array.from({ length: n }, (_, i) => i),
          { minLength: 1 },
        ),
        forwarding: fc.constantFrom('own-side' as const, 'all' as const),
      }),
    );
    fc.assert(
      fc.property(attack, ({ n, victim, dropped, forwarding }) => {
        const { threshold } = chooseParameters({ n, dropoutRate: 0.1, corruptFraction: 0.1 });
        const toldDropped = dropped.filter((i) => i !== victim);
        const inputs = randomInputs(n, 4, 2 ** 32, `split/${n}/${victim}`);
        const r = splitAttack({
          setup: setup({ n, threshold, dimension: 4 }),
          inputs,
          victim,
          toldDropped,
          forwarding,
        });
        expect(r.recovered).toBeUndefined();
        expect(Math.min(r.selfMaskShares, r.maskingKeyShares)).toBeLessThan(threshold);
        // Whenever the two stories both have listeners, some client refuses and says why.
        if (toldDropped.length > 0) {
          expect(r.refusals.size).toBeGreaterThan(0);
          for (const e of r.refusals.values()) expect(['too-few', 'inconsistent-survivors']).toContain(e.code);
        }
      }),
      { seed: 1515, numRuns: 40 },
    );
  });
});
