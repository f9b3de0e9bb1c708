import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '@tessera/proto';
import {
  JobSpecError,
  parseJobSpec,
  parseOverlapSpec,
  parseQuerySpec,
  SPEC_CAPS,
  checkQueryVectorLength,
} from '../src/index.js';

/** Runs a parser and returns the JobSpecError it must throw. */
function refusal(parse: () => unknown): JobSpecError {
  try {
    parse();
  } catch (e) {
    expect(e).toBeInstanceOf(JobSpecError);
    return e as JobSpecError;
  }
  throw new Error('expected the spec to be refused');
}

const train = { dataset: 'customers', label: 'churned' };
const overlap = { kind: 'overlap', dataset: 'customers', column: 'email', participants: ['p-a', 'p-b'] };

describe('job spec caps: a spec over a cap is refused naming the field and the cap', () => {
  it.each([
    ['rounds', { ...train, rounds: SPEC_CAPS.rounds + 1 }, 'rounds'],
    ['maxRoundAttempts', { ...train, maxRoundAttempts: 1_000_000 }, 'maxRoundAttempts'],
    ['local.epochs', { ...train, local: { epochs: SPEC_CAPS.epochs + 1 } }, 'epochs'],
  ] as const)('%s', (field, spec, cap) => {
    const e = refusal(() => parseJobSpec(spec));
    expect(e.field).toBe(field);
    expect(e.message).toContain(`must be at most ${SPEC_CAPS[cap]} (the ${cap} cap`);
  });

  it('accepts every training field at its cap', () => {
    const spec = parseJobSpec({
      ...train,
      rounds: SPEC_CAPS.rounds,
      maxRoundAttempts: SPEC_CAPS.maxRoundAttempts,
      local: { epochs: SPEC_CAPS.epochs },
    });
    expect([spec.rounds, spec.maxRoundAttempts, spec.local.epochs]).toEqual([
      SPEC_CAPS.rounds,
      SPEC_CAPS.maxRoundAttempts,
      SPEC_CAPS.epochs,
    ]);
  });

  it('refuses a query whose result vector is longer than the cap (here 1025 x 1024 groups), naming the cap', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    const e = refusal(() =>
      parseQuerySpec({
        kind: 'query',
        sql: 'SELECT a, b, COUNT(*) FROM orders GROUP BY a, b',
        domains: { a: values(1025), b: values(1024) },
      }),
    );
    expect(e.field).toBe('sql');
    expect(e.message).toContain(`has 1049600 entries, more than the ${SPEC_CAPS.queryVectorLength}`);
    expect(e.message).toContain('queryVectorLength cap');
    expect(() => checkQueryVectorLength(SPEC_CAPS.queryVectorLength)).not.toThrow();
  });

  it("caps an overlap job's set size: maxSetSize defaults to the cap and may not exceed it", () => {
    expect(parseOverlapSpec(overlap).maxSetSize).toBe(SPEC_CAPS.psiSetSize);
    expect(parseOverlapSpec({ ...overlap, maxSetSize: 1000 }).maxSetSize).toBe(1000);
    const e = refusal(() => parseOverlapSpec({ ...overlap, maxSetSize: SPEC_CAPS.psiSetSize + 1 }));
    expect(e.field).toBe('maxSetSize');
    expect(e.message).toContain(`must be at most ${SPEC_CAPS.psiSetSize} (the psiSetSize cap`);
    expect(refusal(() => parseOverlapSpec({ ...overlap, maxSetSize: 0 })).field).toBe('maxSetSize');
  });

  it('sizes the PSI cap so that a whole blinded set (32 bytes a point) fits in one message', () => {
    // The set travels in one PsiPoints message inside a signed envelope: leave room for the envelope.
    expect(SPEC_CAPS.psiSetSize * 32 + 64 * 1024).toBeLessThan(MAX_MESSAGE_BYTES);
  });
});
