// A catalogue job's votes at a node: one customer moves a round's counts by at most sqrt(maxItemsPerCustomer) in L2,
// and a private catalogue job is checked whole at its first round, then charged per round.
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { jobEpsilon } from '@tessera/fl';
import { CATALOGUE_SYMBOLS, CATALOGUE_TERMINATOR, catalogueNoise, parseCatalogueSpec } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { seededRandom } from '@tessera/recommend';
import { catalogueVotes, chooseItems } from '../src/catalogue/catalogue-votes.js';
import { PrivacyGuard } from '../src/privacy/privacy-guard.js';
import { PrivacyLedger } from '../src/privacy/privacy-ledger.js';
import { authoriseTask } from '../src/privacy/spec-authorisation.js';
import { signed } from './support/authorisation-harness.js';

const pb = tessera.v1;
const enc = (s: string) => new TextEncoder().encode(s);

describe('catalogue votes', () => {
  it('chooses at most max distinct items per customer, uniformly', () => {
    const rng = seededRandom('choose');
    const seen = new Map<string, number>();
    for (let t = 0; t < 2000; t++) {
      const [chosen] = chooseItems(new Map([['c', new Set(['a', 'b', 'c', 'd'])]]), 2, rng);
      expect(chosen).toHaveLength(2);
      const ids = chosen!.map((b) => new TextDecoder().decode(b));
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    // Each of 4 items in half of the subsets: 1000 +- a few standard deviations (22).
    for (const id of ['a', 'b', 'c', 'd']) expect(Math.abs(seen.get(id)! - 1000)).toBeLessThan(100);
    expect(chooseItems(new Map([['c', new Set(['a'])]]), 5, rng)[0]).toHaveLength(1);
  });

  it('counts a customer once per (prefix, next symbol), so its L2 norm is at most sqrt(max)', () => {
    // One customer with "ab", "ac" and "b": round 1 votes ("", a) once and ("", b) once.
    const chosen = [[enc('ab'), enc('ac'), enc('b')], [enc('ab')]];
    const r1 = catalogueVotes(chosen, [enc('')], 1);
    expect(r1).toHaveLength(CATALOGUE_SYMBOLS);
    expect(r1['a'.charCodeAt(0)]).toBe(2);
    expect(r1['b'.charCodeAt(0)]).toBe(1);
    expect(r1.reduce((s, v) => s + v, 0)).toBe(3);
    // Round 2 over "a" and "b": "ab" twice, "ac" once, "b" ends (the terminator).
    const r2 = catalogueVotes(chosen, [enc('a'), enc('b')], 2);
    expect(r2['b'.charCodeAt(0)]).toBe(2);
    expect(r2['c'.charCodeAt(0)]).toBe(1);
    expect(r2[CATALOGUE_SYMBOLS + CATALOGUE_TERMINATOR]).toBe(1);
    // Round 3 over "ab": both customers end there; prefixes not named count nothing.
    const r3 = catalogueVotes(chosen, [enc('ab')], 3);
    expect(r3[CATALOGUE_TERMINATOR]).toBe(2);
    expect(r3.reduce((s, v) => s + v, 0)).toBe(2);
    // Any one customer's own votes: 0/1 entries, at most its item count of them.
    for (const items of chosen)
      for (const [prefixes, round] of [
        [[enc('')], 1],
        [[enc('a'), enc('b')], 2],
      ] as const) {
        const own = catalogueVotes([items], prefixes, round);
        expect(Math.max(...own)).toBeLessThanOrEqual(1);
        expect(Math.hypot(...own)).toBeLessThanOrEqual(Math.sqrt(items.length));
      }
    expect(() => catalogueVotes(chosen, [enc('abc')], 2)).toThrow(/prefixes of 1 bytes/);
  });
});

describe('a private catalogue job at a node with a privacy budget', () => {
  const analyst = generateSigningKeyPair();
  const N = 4;
  const ids = Array.from({ length: N }, (_, i) => `p${i}`);
  const input = (name: string) => ({
    name,
    kind: 'catalogue',
    dataset: 'orders',
    maxItemsPerCustomer: 2,
    maxLength: 3,
    privacy: { epsilon: 4, maxCustomers: 1000 },
  });
  const round = (name: string, r: number): tessera.v1.ITask => {
    const spec = parseCatalogueSpec(input(name));
    const noise = catalogueNoise(spec, N);
    const { text, signature } = signed(input(name), analyst);
    return {
      ref: { jobId: name, round: r, stage: pb.Stage.ADVERTISE_KEYS, attempt: 1 },
      dataset: 'orders',
      catalogue: { round: r, prefixes: [new Uint8Array(r - 1).fill(97)], dpLevel: noise.level },
      privacyPlan: {
        mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
        unit: pb.PrivacyPlan.Unit.RECORD,
        noiseMultiplier: noise.noiseMultiplier,
        sampleRate: 1,
        rounds: 0,
        fullReleases: noise.releases,
        epsilon: 4,
        delta: 1e-6,
      },
      secure: { participantIds: ids, computation: pb.Stage.CATALOGUE, modulus: 2 ** 32, threshold: 3, degree: N - 1 },
      specJson: text,
      specSignature: signature,
      analystIdentity: analyst.publicKey,
    };
  };

  it('checks the whole job at round 1, charges each round, and refuses a job the budget cannot finish', () => {
    const ledger = new PrivacyLedger(':memory:');
    const guard = new PrivacyGuard(ledger, { orders: { epsilon: 4.5, delta: 1e-6, unit: 'record' } });
    for (let r = 1; r <= 4; r++) {
      const task = round('job-a', r);
      authoriseTask(task, pb.Stage.CATALOGUE);
      const { checked } = guard.admit(task, pb.Stage.CATALOGUE);
      expect(checked.floor?.shareVariance).toBe(catalogueNoise(parseCatalogueSpec(input('job-a')), N).shareVariance);
    }
    expect(ledger.charges('orders')).toHaveLength(4);
    const z = Number(round('job-a', 1).privacyPlan!.noiseMultiplier);
    const whole = jobEpsilon({ noiseMultiplier: z, sampleRate: 1, rounds: 0, fullReleases: 4 }, 1e-6);
    expect(guard.report()[0]!.spentEpsilon).toBeCloseTo(whole, 9);
    expect(whole).toBeLessThanOrEqual(4 * (1 + 1e-9));
    expect(() => guard.admit(round('job-b', 1), pb.Stage.CATALOGUE)).toThrow(
      /would be exceeded: spent 4\.\d+, this catalogue job asks for 4\.\d+ \(4 releases\)/,
    );
    expect(ledger.charges('orders')).toHaveLength(4);
  });
});
