// The PSI relay passes on only the end-to-end channel's messages: a set in the clear is refused.
import { describe, expect, it } from 'vitest';
import { PsiRelayCollector } from '../src/rounds/psi-relay.js';
import type { ParticipantSession } from '../src/service/participant-session.js';

const key = { jobId: 'job-o', round: 1, stage: 11 }; // OVERLAP

function relay() {
  const relayed: Record<string, unknown>[] = [];
  const peer = { send: async (m: { psi: Record<string, unknown> }) => void relayed.push(m.psi) };
  const collector = new PsiRelayCollector(
    key,
    () => undefined,
    () => peer as unknown as ParticipantSession,
    100,
  );
  return { collector, relayed };
}

const hello = { kind: 'psi/hello', ephemeralKey: new Uint8Array(32), ephemeralSignature: new Uint8Array(64) };
const sealed = (seq: number) => ({ kind: 'psi/sealed', seq, sealed: new Uint8Array(100) });

describe('the PSI relay (coordinator)', () => {
  it('refuses point sets in the clear, whatever their kind says', () => {
    const { collector, relayed } = relay();
    const clear = 'a PSI set in the clear: the participants seal their sets end to end (psi/hello, psi/sealed)';
    expect(collector.onPsi({ kind: 'psi/blinded', count: 1, points: new Uint8Array(32) })).toBe(clear);
    expect(collector.onPsi({ kind: 'psi/reblinded', count: 0 })).toBe(clear);
    expect(collector.onPsi({ ...hello, points: new Uint8Array(32) })).toBe(clear);
    expect(relayed).toEqual([]);
  });

  it('relays one hello, then at most two sealed messages numbered 0 and 1, with nothing else in the clear', () => {
    const { collector, relayed } = relay();
    expect(collector.onPsi(sealed(0))).toBe('a sealed PSI message before the hello');
    expect(collector.onPsi({ ...hello, ephemeralSignature: new Uint8Array(10) })).toMatch(/64-byte signature/);
    expect(collector.onPsi({ ...hello, count: 7 })).toBeUndefined();
    expect(collector.onPsi(hello)).toBe('a second hello');
    expect(collector.onPsi(sealed(1))).toBe('sealed message number 1, expected 0');
    expect(collector.onPsi(sealed(0))).toBeUndefined();
    expect(collector.onPsi(sealed(1))).toBeUndefined();
    expect(collector.onPsi(sealed(2))).toBe('more than 2 sealed PSI messages');
    expect(relayed.map((m) => [m.kind, m.seq])).toEqual([
      ['psi/hello', 0],
      ['psi/sealed', 0],
      ['psi/sealed', 1],
    ]);
    // The relayed message carries the channel's fields only: no count, no points.
    expect(relayed[0]).not.toHaveProperty('count');
    expect(relayed[0]).not.toHaveProperty('points');
    expect(relayed[1]!.task).toEqual(key);
  });
});
