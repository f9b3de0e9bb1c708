import { beforeAll, describe, expect, it } from 'vitest';
import { measurePsiThroughput, PsiParty, psiCardinality, psiReady } from '@tessera/psi';

beforeAll(() => psiReady());

const ids = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

describe('psiCardinality', () => {
  it('counts small intersections exactly', () => {
    expect(psiCardinality([], [])).toBe(0);
    expect(psiCardinality(['a'], [])).toBe(0);
    expect(psiCardinality([], ['a'])).toBe(0);
    expect(psiCardinality(['a'], ['a'])).toBe(1);
    expect(psiCardinality(['a', 'b', 'c'], ['d', 'e'])).toBe(0);
    expect(psiCardinality(['a', 'b', 'c'], ['c', 'b', 'a'])).toBe(3);
    expect(psiCardinality(['alice@example.com', 'bob@example.com'], ['bob@example.com', 'carol@example.com'])).toBe(1);
  });

  it('treats the inputs as sets (duplicates count once)', () => {
    expect(psiCardinality(['a', 'a', 'b'], ['a', 'b', 'b', 'c'])).toBe(2);
  });

  it('distinguishes identifiers that differ only in case or whitespace (no normalisation)', () => {
    expect(psiCardinality(['Alice', 'bob '], ['alice', 'bob'])).toBe(0);
  });

  it('is exact on 1000 vs 600 identifiers overlapping in 337', () => {
    const a = ids('u', 0, 1000);
    const b = ids('u', 1000 - 337, 1000 - 337 + 600);
    expect(psiCardinality(a, b)).toBe(337);
  });

  it('gives both parties the same count, and each the other set size', () => {
    const alice = PsiParty.start(ids('x', 0, 50), 'initiator');
    const bob = PsiParty.start(ids('x', 30, 110), 'responder');
    expect(alice.message.count).toBe(50);
    expect(bob.message.count).toBe(80);
    const toBob = alice.party.receive(bob.message);
    const toAlice = bob.party.receive(alice.message);
    expect(alice.party.stage).toBe('awaiting-own-set');
    expect(alice.party.finish(toAlice)).toBe(20);
    expect(bob.party.finish(toBob)).toBe(20);
    expect(alice.party.stage).toBe('done');
    expect(alice.party.cardinality).toBe(20);
  });

  it('reports a positive throughput', async () => {
    expect(await measurePsiThroughput(50)).toBeGreaterThan(0);
  });
});
