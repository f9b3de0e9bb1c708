import { describe, expect, it } from 'vitest';
import { harary, type MaskedInput } from '@tessera/secagg';
import {
  expectedSum,
  expectSecAggError,
  feasible,
  honestAdvertise,
  honestCheck,
  honestReceiveShares,
  honestShareKeys,
  planDropouts,
  randomInputs,
  runRound,
  setup,
  STAGES,
  subtractMod,
  type Dropouts,
  upToMaskedInput,
} from './harness.js';

/** The BFV plain modulus of @tessera/he's default parameters (n = 4096, 32 bits): a prime below 2^32. */
const P = 4294828033;

const cases: { n: number; threshold: number; graph?: ReturnType<typeof harary> }[] = [
  { n: 5, threshold: 2 },
  { n: 20, threshold: 3, graph: harary(20, 8, new TextEncoder().encode('sealed/n20')) },
];

describe("sealed mode: sum of masked inputs minus maskCorrection() is the exact sum of the survivors' inputs", () => {
  for (const { n, threshold, graph } of cases) {
    const s = () => setup({ n, threshold, graph, dimension: 48, modulus: P });

    it(`n = ${n}, no dropouts, prime modulus ${P}`, () => {
      const r = runRound(s(), { sealed: true });
      expect(r.survivors.length).toBe(n);
      expect(r.sealed!.masked.size).toBe(n);
      expect(r.sealed!.correction.some((w) => w !== 0)).toBe(true);
      expect(r.sealed!.correction.every((w) => w < P)).toBe(true);
      expect(r.sum).toEqual(r.expected);
    });

    const plans: [string, Dropouts][] = [
      ...STAGES.map(
        (stage) => [`30% drop ${stage}`, planDropouts(n, 0.3, stage, `sealed/${n}/${stage}`)] as [string, Dropouts],
      ),
      ['30% drop, each at a random stage', planDropouts(n, 0.3, 'spread', `sealed/${n}/spread`)],
      [
        '30% never advertise',
        { beforeAdvertise: planDropouts(n, 0.3, 'afterAdvertise', `sealed/${n}/before`).afterAdvertise },
      ],
    ];
    for (const [name, dropouts] of plans) {
      it(`n = ${n}, ${name}`, () => {
        const setupN = s();
        expect(feasible(setupN.config.graph, threshold, dropouts)).toBe(true);
        const r = runRound(setupN, { dropouts, sealed: true });
        expect(r.survivors.length).toBeLessThanOrEqual(n);
        if ([...(dropouts.afterShareKeys ?? []), ...(dropouts.beforeMaskedInput ?? [])].length > 0)
          expect(r.dropped.length).toBeGreaterThan(0);
        expect([...r.sealed!.masked.keys()].sort((a, b) => a - b)).toEqual(r.survivors);
        expect(r.sum).toEqual(r.expected);
      });
    }
  }

  it('modulus 2^32 (wrap-around) and 2^20 (power of two) work the same way', () => {
    for (const modulus of [2 ** 32, 2 ** 20]) {
      const dropouts = planDropouts(5, 0.3, 'beforeMaskedInput', `sealed/5/${modulus}`);
      const r = runRound(setup({ n: 5, threshold: 2, dimension: 32, modulus }), { dropouts, sealed: true });
      expect(r.dropped.length).toBeGreaterThan(0);
      expect(r.sum).toEqual(r.expected);
    }
  });
});

describe("sealed mode: the stages' rules", () => {
  it("receiveSealed keeps the masked-input stage's refusals, and a round cannot mix the two modes", () => {
    const s = setup({ n: 6, threshold: 3, dimension: 16, modulus: P });
    const inputs = randomInputs(6, 16, P, 'sealed-rules');
    // Participant 5 never sends shares (not in U2).
    const a = honestAdvertise(s);
    const shareKeys = a.server.close();
    const sharing = honestShareKeys(shareKeys, new Map([...a.clients].filter(([i]) => i !== 5)));
    const server = shareKeys.close();
    const clients = honestReceiveShares(server, sharing);
    const messages = new Map<number, MaskedInput>();
    const unmasking = new Map(
      [...clients].map(([i, c]) => {
        const { message, next } = c.mask(inputs[i]);
        messages.set(i, message);
        return [i, next] as const;
      }),
    );

    expectSecAggError(() => server.receiveSealed(5), 'unknown-participant');
    expectSecAggError(() => server.receiveSealed(6), 'unknown-participant');
    expectSecAggError(() => server.receiveSealed(-1), 'unknown-participant');
    expectSecAggError(() => server.receiveSealed(1.5), 'unknown-participant');
    expectSecAggError(() => server.receiveSealed('0' as unknown as number), 'unknown-participant');
    expect(server.mode).toBeUndefined();

    // A failing absorb (ciphertexts that do not load) records nothing: the participant may try again.
    expect(() =>
      server.receiveSealed(0, () => {
        throw new Error('bad ciphertext');
      }),
    ).toThrow('bad ciphertext');
    expect(server.masked).toEqual([]);
    expect(server.mode).toBeUndefined();
    let absorbed = 0;
    server.receiveSealed(0, () => {
      absorbed++;
    });
    expect(absorbed).toBe(1);
    expect(server.mode).toBe('sealed');
    // Refused before absorb runs: nothing is added twice.
    expectSecAggError(
      () =>
        server.receiveSealed(0, () => {
          absorbed++;
        }),
      'duplicate',
    );
    expect(absorbed).toBe(1);
    // The round is sealed: a plaintext vector is refused, even a well-formed one.
    const e = expectSecAggError(() => server.receive(messages.get(1)!), 'wrong-mode');
    expect(e.participant).toBe(1);
    // The old refusals of receive still come first.
    expectSecAggError(() => server.receive(messages.get(0)!), 'duplicate');
    expectSecAggError(() => server.receive({ index: 5, y: new Uint32Array(16) }), 'unknown-participant');

    for (const i of [1, 2, 3]) server.receiveSealed(i);
    expect(server.masked).toEqual([0, 1, 2, 3]);
    expect(server.stats().accepted.maskedInput).toBe(4);
    expect(server.stats().rejected['wrong-mode']).toBe(1);

    const check = server.close();
    expectSecAggError(() => server.receiveSealed(4), 'replay');
    expect(check.mode).toBe('sealed');
    expect(check.consistencyRequest()).toEqual({ survivors: [0, 1, 2, 3], dropped: [4] });
    const signed = honestCheck(check, new Map([0, 1, 2, 3].map((i) => [i, unmasking.get(i)!])));
    const unmask = signed.server;
    expect(unmask.mode).toBe('sealed');
    const answer = (i: number) => signed.clients.get(i)!.unmask(unmask.unmaskRequest(i)).message;
    // Too few responses: refused, nothing changes.
    unmask.receive(answer(0));
    expectSecAggError(() => unmask.maskCorrection(), 'too-few');
    for (const i of [1, 2, 3]) unmask.receive(answer(i));
    // No plaintext sum to unmask in a sealed round; refused without closing the stage.
    expectSecAggError(() => unmask.finish(), 'wrong-mode');
    const correction = unmask.maskCorrection();
    const masked = [0, 1, 2, 3].map((i) => messages.get(i)!.y);
    expect(subtractMod(expectedSum(masked, [0, 1, 2, 3], P), correction, P)).toEqual(
      expectedSum(inputs, [0, 1, 2, 3], P),
    );
    expectSecAggError(() => unmask.maskCorrection(), 'replay');
    expectSecAggError(() => unmask.finish(), 'replay');
  });

  it('a plaintext round refuses sealed inputs, and its maskCorrection() also turns the masked sum into the sum', () => {
    const s = setup({ n: 5, threshold: 3, dimension: 24, modulus: P });
    const inputs = randomInputs(5, 24, P, 'plain-correction');
    const { server, clients } = upToMaskedInput(s);
    const ys: Uint32Array[] = [];
    const unmasking = [...clients]
      .filter(([i]) => i !== 2)
      .map(([i, c]) => {
        const { message, next } = c.mask(inputs[i]);
        server.receive(message);
        ys.push(message.y);
        return [i, next] as const;
      });
    expect(server.mode).toBe('plain');
    expectSecAggError(() => server.receiveSealed(2), 'wrong-mode');
    // The old refusals are unchanged.
    expectSecAggError(() => server.receive({ index: 2, y: new Uint32Array(23) }), 'wrong-length');
    expectSecAggError(() => server.receive({ index: 2, y: new Uint32Array(24).fill(P) }), 'wrong-modulus');
    expectSecAggError(() => server.receive({ index: 0, y: new Uint32Array(24) }), 'duplicate');
    const check = server.close();
    expect(check.mode).toBe('plain');
    expect(check.consistencyRequest().dropped).toEqual([2]);
    const signed = honestCheck(check, new Map(unmasking));
    const unmask = signed.server;
    expect(unmask.mode).toBe('plain');
    for (const [i, c] of signed.clients) unmask.receive(c.unmask(unmask.unmaskRequest(i)).message);
    const correction = unmask.maskCorrection();
    expect(
      subtractMod(
        expectedSum(
          ys,
          ys.map((_, k) => k),
          P,
        ),
        correction,
        P,
      ),
    ).toEqual(expectedSum(inputs, [0, 1, 3, 4], P));
  });
});
