import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateSigningKeyPair } from '@tessera/crypto';
import {
  appendEntries,
  GENESIS_HASH,
  LEDGER_FIELDS,
  ledgerLine,
  verifyLedger,
  type LedgerEntry,
  type PayoutRecord,
} from '../src/index.js';

// Property-based tests of the signed, hash-chained payout ledger: any single edit, removal, insertion or reordering
// of an exported ledger is detected. Seeds are fixed, so every run sees the same cases.

const coordinator = generateSigningKeyPair();

const record: fc.Arbitrary<PayoutRecord> = fc.record({
  job: fc.string({ minLength: 1, maxLength: 8 }),
  participant: fc.string({ minLength: 1, maxLength: 8 }),
  amount: fc.oneof(fc.nat({ max: 10_000 }), fc.maxSafeNat()),
  currency: fc.constantFrom('EUR', 'USD', 'CNY'),
  method: fc.constantFrom('gtg', 'shapley', 'loo', 'records'),
  share: fc.double({ min: 0, max: 1, noNaN: true }),
  timestamp: fc
    .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
});

/** A ledger of 1 to 8 entries, as exported lines. */
const ledger = fc.array(record, { minLength: 1, maxLength: 8 }).map((records) => {
  const entries = appendEntries({ seq: 0, hash: GENESIS_HASH }, records, coordinator.secretKey);
  return { entries, lines: entries.map(ledgerLine), head: entries[entries.length - 1]!.hash };
});

const check = (lines: readonly string[], head?: string) =>
  verifyLedger(lines.join('\n'), coordinator.publicKey, head === undefined ? {} : { head });

const HEX = '0123456789abcdef';

/** A valid value of `field` other than `old`, drawn from `r` (so only the hash chain and signature can catch it). */
function otherValue(field: (typeof LEDGER_FIELDS)[number], old: unknown, r: number): unknown {
  switch (field) {
    case 'seq':
      return (old as number) + 1 + (r % 3);
    case 'prevHash':
    case 'hash':
    case 'signature': {
      const s = old as string;
      const at = r % s.length;
      const c = HEX[(HEX.indexOf(s[at]!) + 1 + (r % 15)) % 16]!;
      return s.slice(0, at) + c + s.slice(at + 1);
    }
    case 'job':
    case 'participant':
    case 'method':
      return `${old as string}${HEX[r % 16]}`;
    case 'amount':
      return (old as number) === Number.MAX_SAFE_INTEGER
        ? (old as number) - 1 - (r % 7)
        : (old as number) + 1 + (r % 7);
    case 'currency':
      return ['EUR', 'USD', 'CNY', 'GBP'].filter((c) => c !== old)[r % 3];
    case 'share':
      return (old as number) === 0 ? 0.5 : (old as number) / 2;
    case 'timestamp':
      return new Date(Date.parse(old as string) + 1000 * (1 + (r % 100))).toISOString();
  }
}

describe('ledger properties (fast-check)', () => {
  it('verifies every ledger it writes, up to the published head', () => {
    fc.assert(
      fc.property(ledger, ({ entries, lines, head }) => {
        expect(check(lines, head)).toEqual({
          ok: true,
          entries: entries.length,
          head: { seq: entries.length, hash: head },
          formatVersion: 3,
        });
      }),
      { seed: 7, numRuns: 100 },
    );
  });

  it('detects a change to any one field of any one entry', () => {
    fc.assert(
      fc.property(
        ledger,
        fc.nat(),
        fc.constantFrom(...LEDGER_FIELDS),
        fc.nat(),
        ({ entries, lines, head }, pick, field, r) => {
          const k = pick % entries.length;
          const changed: LedgerEntry = { ...entries[k]!, [field]: otherValue(field, entries[k]![field], r) };
          expect(changed[field]).not.toEqual(entries[k]![field]);
          const edited = lines.map((l, i) => (i === k ? ledgerLine(changed) : l));
          const verdict = check(edited, head);
          expect(verdict.ok).toBe(false);
          // named at the entry (or its successor, for a hash edit)
          if (!verdict.ok) expect(verdict.line).toBeLessThanOrEqual(k + 2);
          // Without the head, too: an edited entry is caught by its own hash and signature.
          expect(check(edited).ok).toBe(false);
        },
      ),
      { seed: 8, numRuns: 300 },
    );
  });

  it('detects any one-character substitution that changes what a line says', () => {
    fc.assert(
      fc.property(
        ledger,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0x20, max: 0x7e }),
        ({ lines, head }, pick, pos, code) => {
          const k = pick % lines.length;
          const line = lines[k]!;
          const at = pos % line.length;
          const edited = line.slice(0, at) + String.fromCharCode(code) + line.slice(at + 1);
          fc.pre(edited !== line);
          let same = false;
          try {
            // e.g. an escape spelled otherwise
            same = JSON.stringify(JSON.parse(edited)) === JSON.stringify(JSON.parse(line));
          } catch {
            same = false;
          }
          fc.pre(!same);
          expect(
            check(
              lines.map((l, i) => (i === k ? edited : l)),
              head,
            ).ok,
          ).toBe(false);
        },
      ),
      { seed: 9, numRuns: 400 },
    );
  });

  it('detects the removal of any entry (the newest one only against the published head)', () => {
    fc.assert(
      fc.property(ledger, fc.nat(), ({ lines, head }, pick) => {
        const k = pick % lines.length;
        const removed = lines.filter((_, i) => i !== k);
        expect(check(removed, head).ok).toBe(false);
        // A file alone cannot show that its newest entries were cut off; any other removal breaks the chain.
        expect(check(removed).ok).toBe(k === lines.length - 1);
      }),
      { seed: 10, numRuns: 200 },
    );
  });

  it('detects any reordering, duplication or insertion of entries', () => {
    const other = fc
      .array(record, { minLength: 1, maxLength: 3 })
      .map((rs) => appendEntries({ seq: 0, hash: GENESIS_HASH }, rs, coordinator.secretKey).map(ledgerLine));
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('permute' as const), order: fc.nat() }),
      fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), to: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), from: other, which: fc.nat() }),
    );
    fc.assert(
      fc.property(
        ledger.filter((l) => l.lines.length >= 2),
        edit,
        fc.nat(),
        ({ lines, head }, e, seed) => {
          let edited: string[];
          if (e.kind === 'permute') {
            // A permutation other than the identity: rotate by 1..n-1 a random contiguous run of length >= 2.
            const start = e.order % (lines.length - 1);
            const end = start + 2 + (seed % (lines.length - start - 1));
            const run = lines.slice(start, end);
            const by = 1 + (seed % (run.length - 1));
            edited = [...lines.slice(0, start), ...run.slice(by), ...run.slice(0, by), ...lines.slice(end)];
          } else if (e.kind === 'duplicate') {
            const copy = lines[e.at % lines.length]!;
            const to = e.to % (lines.length + 1);
            edited = [...lines.slice(0, to), copy, ...lines.slice(to)];
          } else {
            // An entry signed by the same coordinator for another ledger (a genuine signature, a foreign chain).
            const foreign = e.from[e.which % e.from.length]!;
            const to = e.at % (lines.length + 1);
            edited = [...lines.slice(0, to), foreign, ...lines.slice(to)];
          }
          fc.pre(edited.join('\n') !== lines.join('\n'));
          expect(check(edited, head).ok).toBe(false);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});
