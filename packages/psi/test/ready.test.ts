import { describe, expect, it } from 'vitest';
import { PsiParty, psiCardinality, psiReady } from '@tessera/psi';

// Vitest isolates modules per test file, so libsodium is not initialised when this file starts.
describe('psiReady', () => {
  it('is required before starting a party (even with an empty set), and resolves idempotently', async () => {
    expect(() => PsiParty.start(['a'], 'initiator')).toThrow(/psiReady/);
    expect(() => PsiParty.start([], 'initiator')).toThrow(/psiReady/);
    expect(() => psiCardinality(['a'], ['a'])).toThrow(/psiReady/);
    await psiReady();
    await psiReady();
    expect(psiCardinality(['a', 'b'], ['b'])).toBe(1);
    expect(PsiParty.start([], 'initiator').message.count).toBe(0);
  });
});
