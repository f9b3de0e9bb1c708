import { describe, expect, it, vi } from 'vitest';

describe('psiReady', () => {
  it('is required before starting a party (even with an empty set), and resolves idempotently', async () => {
    // A fresh copy of the package, whatever other test files in this worker have initialised.
    vi.resetModules();
    const { PsiParty, psiCardinality, psiReady } = await import('@tessera/psi');
    expect(() => PsiParty.start(['a'], 'initiator')).toThrow(/psiReady/);
    expect(() => PsiParty.start([], 'initiator')).toThrow(/psiReady/);
    expect(() => psiCardinality(['a'], ['a'])).toThrow(/psiReady/);
    await psiReady();
    await psiReady();
    expect(psiCardinality(['a', 'b'], ['b'])).toBe(1);
    expect(PsiParty.start([], 'initiator').message.count).toBe(0);
  });
});
