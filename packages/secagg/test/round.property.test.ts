import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { completeGraph, harary, SecAggError, type Neighbourhood } from '@tessera/secagg';
import { expectedSum, feasible, runRound, setup, type Dropouts, type RoundResult } from './harness.js';

// Property-based tests of the SecAgg+ client and server state machines, driven by the in-process round driver
// (harness.ts). fast-check draws n, the graph, the threshold, the modulus, the inputs and, for every participant,
// the stage at which it drops out (if it does). The seed is fixed, so every run sees the same cases.

const MODULI = [2 ** 32, 2 ** 31 - 1, 2 ** 20, 65_537, 2];
type Fate = 'stays' | keyof Dropouts;
const FATES: readonly Fate[] = [
  'beforeAdvertise',
  'afterAdvertise',
  'afterShareKeys',
  'beforeMaskedInput',
  'duringUnmask',
];

interface Scenario {
  readonly n: number;
  readonly degree: number;
  readonly threshold: number;
  readonly modulus: number;
  readonly roundId: Uint8Array;
  readonly fates: readonly Fate[];
  readonly inputs: readonly Uint32Array[];
  readonly sealed: boolean;
}

/** A valid (n, degree) pair: Harary graphs of odd degree need an even n; degree n - 1 is the complete graph. */
const shape = fc
  .integer({ min: 3, max: 8 })
  .chain((n) => fc.record({ n: fc.constant(n), degree: fc.integer({ min: 2, max: n - 1 }) }))
  .filter(({ n, degree }) => !(degree % 2 === 1 && n % 2 === 1 && degree < n - 1));

/** Most participants stay; each of the others drops at one stage. */
const fate: fc.Arbitrary<Fate> = fc.oneof(
  { arbitrary: fc.constant<Fate>('stays'), weight: 4 },
  { arbitrary: fc.constantFrom(...FATES), weight: 1 },
);

const scenario: fc.Arbitrary<Scenario> = shape.chain(({ n, degree }) =>
  fc
    .record({
      threshold: fc.integer({ min: 2, max: degree + 1 }),
      modulus: fc.constantFrom(...MODULI),
      dimension: fc.integer({ min: 1, max: 6 }),
      roundId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fates: fc.array(fate, { minLength: n, maxLength: n }),
      sealed: fc.boolean(),
    })
    .chain((r) =>
      fc
        .array(
          fc.array(fc.integer({ min: 0, max: r.modulus - 1 }), { minLength: r.dimension, maxLength: r.dimension }),
          {
            minLength: n,
            maxLength: n,
          },
        )
        .map((rows) => ({ ...r, n, degree, inputs: rows.map((row) => Uint32Array.from(row)) })),
    ),
);

function graphOf(s: Scenario): Neighbourhood {
  return s.degree === s.n - 1 ? completeGraph(s.n) : harary(s.n, s.degree, s.roundId);
}

function dropoutsOf(s: Scenario): Dropouts {
  const out: Record<keyof Dropouts, number[]> = {
    beforeAdvertise: [],
    afterAdvertise: [],
    afterShareKeys: [],
    beforeMaskedInput: [],
    beforeConsistencyCheck: [],
    duringUnmask: [],
  };
  s.fates.forEach((f, i) => {
    if (f !== 'stays') out[f].push(i);
  });
  return out;
}

/** The participants whose masked input the server received: those who stayed or dropped only during unmasking. */
function survivorsOf(s: Scenario): number[] {
  return s.fates.flatMap((f, i) => (f === 'stays' || f === 'duringUnmask' ? [i] : []));
}

function play(s: Scenario): { result?: RoundResult; error?: unknown } {
  const graph = graphOf(s);
  const round = setup({
    n: s.n,
    threshold: s.threshold,
    graph,
    modulus: s.modulus,
    dimension: s.inputs[0]!.length,
    roundId: s.roundId,
  });
  try {
    return { result: runRound(round, { inputs: s.inputs, dropouts: dropoutsOf(s), sealed: s.sealed }) };
  } catch (error) {
    return { error };
  }
}

describe('SecAgg+ state machines under random dropouts (fast-check, seed 13)', () => {
  it("either unmask exactly the survivors' sum or fail with too-few and no output", () => {
    const outcomes = { summed: 0, refused: 0 };
    fc.assert(
      fc.property(scenario, (s) => {
        const { result, error } = play(s);
        const ok = feasible(graphOf(s), s.threshold, dropoutsOf(s));
        // Below the threshold of maskers or of unmask responders no round may succeed, whatever the graph.
        const responders = s.fates.filter((f) => f === 'stays').length;
        if (survivorsOf(s).length < s.threshold || responders < s.threshold) expect(ok).toBe(false);
        if (ok) {
          expect(error).toBeUndefined();
          const survivors = survivorsOf(s);
          expect(result!.survivors).toEqual(survivors);
          // Computed here from the inputs, not taken from the driver.
          expect(Array.from(result!.sum)).toEqual(Array.from(expectedSum(s.inputs, survivors, s.modulus)));
          outcomes.summed++;
        } else {
          expect(result).toBeUndefined();
          expect(error).toBeInstanceOf(SecAggError);
          expect((error as SecAggError).code).toBe('too-few');
          outcomes.refused++;
        }
      }),
      { seed: 13, numRuns: 80 },
    );
    // Both branches are exercised: this seed gives 52 summed rounds and 28 refused ones.
    expect(outcomes.summed).toBeGreaterThanOrEqual(30);
    expect(outcomes.refused).toBeGreaterThanOrEqual(15);
  });

  it('gives the same sum sealed and in plaintext, counting those who dropped after masking', () => {
    fc.assert(
      fc.property(
        scenario.filter((s) => feasible(graphOf(s), s.threshold, dropoutsOf(s))),
        (s) => {
          const plain = play({ ...s, sealed: false });
          const sealed = play({ ...s, sealed: true });
          expect(Array.from(sealed.result!.sum)).toEqual(Array.from(plain.result!.sum));
          // Participants who masked but did not answer the unmask request are still in the sum.
          const late = s.fates.flatMap((f, i) => (f === 'duringUnmask' ? [i] : []));
          for (const i of late) expect(plain.result!.survivors).toContain(i);
        },
      ),
      { seed: 1313, numRuns: 15 },
    );
  });
});
