import { describe, expect, it } from 'vitest';
import { lengthPrefixed, sign, u32be } from '@tessera/crypto';
import { harary, ServerAdvertiseKeys, type AdvertiseKeys, type ConsistencyCheckRequest } from '@tessera/secagg';
import {
  expectedSum,
  expectSecAggError,
  honestAdvertise,
  honestCheck,
  honestMask,
  honestReceiveShares,
  honestShareKeys,
  honestUnmask,
  randomInputs,
  setup,
  type Setup,
  upToMaskedInput,
} from './harness.js';

const TWO_32 = 2 ** 32;
const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/** An honest round up to the consistency check (the clients have masked, the server holds U3). */
function upToCheck(s: Setup, inputs: readonly Uint32Array[]) {
  const a = honestAdvertise(s);
  const shareKeys = a.server.close();
  const sharing = honestShareKeys(shareKeys, a.clients);
  const maskedInput = shareKeys.close();
  const masking = honestReceiveShares(maskedInput, sharing);
  const checking = honestMask(maskedInput, masking, inputs);
  return { server: maskedInput.close(), clients: checking };
}

describe('never both shares of one participant', () => {
  it(
    'a client signs one survivor set and unmasks from it once, so a server that later claims a survivor ' +
      'dropped gets nothing more',
    () => {
      const s = setup({ n: 6, threshold: 3, dimension: 16 });
      const inputs = randomInputs(6, 16, TWO_32, 'both-1');
      const { server, clients } = upToCheck(s, inputs);
      expect(server.consistencyRequest()).toEqual({ survivors: all(6), dropped: [] });
      const { server: unmask, clients: unmasking } = honestCheck(server, clients);
      const responses = [...unmasking].map(([i, c]) => c.unmask(unmask.unmaskRequest(i)).message);

      // Having the self-mask shares of everyone, a curious server claims participant 2 dropped after all.
      const lie: ConsistencyCheckRequest = { survivors: [0, 1, 3, 4, 5], dropped: [2] };
      for (const [i, client] of clients) {
        const e = expectSecAggError(() => client.sign(lie), 'replay');
        expect(e.message).toContain(`participant ${i}: sign was already done`);
      }
      for (const [i, client] of unmasking) expectSecAggError(() => client.unmask(unmask.unmaskRequest(i)), 'replay');
      // Asking both at once is refused outright, even by a client that has signed nothing yet.
      const fresh = upToCheck(setup({ n: 6, threshold: 3, dimension: 16 }), inputs);
      const both = expectSecAggError(
        () => fresh.clients.get(0)!.sign({ survivors: all(6), dropped: [2] }),
        'both-shares-requested',
      );
      expect(both.message).toBe('participant 0: participant 2 is listed both as a survivor and as dropped');
      expect(expectSecAggError(() => fresh.clients.get(2)!.sign(lie), 'both-shares-requested').message).toMatch(
        /participant 2: this participant is listed as dropped, but it sent its masked input/,
      );

      // The refusals changed nothing: the honest answers still unmask the exact sum.
      for (const r of responses) unmask.receive(r);
      expect(unmask.finish()).toEqual(expectedSum(inputs, all(6), TWO_32));
    },
  );

  it('and the other way round: after masking-key shares of a participant, no self-mask shares of it', () => {
    const s = setup({ n: 6, threshold: 3, dimension: 16 });
    const inputs = randomInputs(6, 16, TWO_32, 'both-2');
    const { clients } = upToCheck(s, inputs);
    // The server falsely claims 4 dropped: 4 refuses to sign that, the others sign it and reveal s_4 shares.
    const first = { survivors: [0, 1, 2, 3, 5], dropped: [4] };
    expectSecAggError(() => clients.get(4)!.sign(first), 'both-shares-requested');
    const signed = new Map(
      [...clients].filter(([i]) => i !== 4).map(([i, c]) => [i, { ...c.sign(first), index: i }] as const),
    );
    const forwarded = (i: number) => ({
      signatures: [...signed.values()]
        .filter((x) => x.index !== i)
        .map((x) => ({ signer: x.index, signature: x.message.signature })),
    });
    for (const [i, { next }] of signed) {
      const { message, next: done } = next.unmask(forwarded(i));
      expect(message.maskingKeyShares.map((x) => x.of)).toEqual([4]);
      expect(message.selfMaskShares.map((x) => x.of)).not.toContain(4);
      expect(done.revealedMaskingKeyShares).toEqual([4]);
    }
    // Now it wants b_4 as well, to strip 4's masks: the others signed once and will not sign again.
    const second = { survivors: all(6), dropped: [] };
    for (const [i, c] of clients) if (i !== 4) expectSecAggError(() => c.sign(second), 'replay');
    // Participant 4 signs the true set, but nobody else did: it reveals not even its own self-mask share.
    const own = clients.get(4)!.sign(second).next;
    const e = expectSecAggError(() => own.unmask({ signatures: [] }), 'too-few');
    expect(e.message).toMatch(/only 1 of this participant's neighbourhood .* the threshold is 3/);
    // Nor does a signature over the false set count for the true one.
    const over = signed.get(0)!.message.signature;
    expectSecAggError(() => own.unmask({ signatures: [{ signer: 0, signature: over }] }), 'inconsistent-survivors');
  });
});

describe('bad input is rejected with a code, changes nothing, and the round completes', () => {
  it('masked vector of the wrong length or with an entry not below the modulus', () => {
    const modulus = 2 ** 31 - 1;
    const s = setup({ n: 5, threshold: 3, dimension: 16, modulus });
    const inputs = randomInputs(5, 16, modulus, 'vectors');
    const { server, clients } = upToMaskedInput(s);
    const c0 = clients.get(0)!;

    // Client side: the input itself is checked before anything is masked.
    expect(expectSecAggError(() => c0.mask(new Uint32Array(15)), 'wrong-length').message).toMatch(
      /participant 0: the input has length 15, the round's dimension is 16/,
    );
    const big = inputs[0].slice();
    big[3] = modulus;
    expect(expectSecAggError(() => c0.mask(big), 'wrong-modulus').message).toMatch(
      /entry 3 = 2147483647, not below the modulus/,
    );

    // Server side: the same checks on what arrives.
    expectSecAggError(() => server.receive({ index: 1, y: new Uint32Array(17) }), 'wrong-length');
    const overflow = new Uint32Array(16);
    overflow[15] = 0xffffffff;
    expect(expectSecAggError(() => server.receive({ index: 1, y: overflow }), 'wrong-modulus').message).toMatch(
      /participant 1/,
    );
    expectSecAggError(() => server.receive({ index: 7, y: new Uint32Array(16) }), 'unknown-participant');
    expect(server.masked).toEqual([]);

    // Nothing changed: the honest inputs go through, and a second mask of the same state is refused.
    const unmasking = honestMask(server, clients, inputs);
    expectSecAggError(() => c0.mask(inputs[0]), 'replay');
    expectSecAggError(() => server.receive({ index: 0, y: new Uint32Array(16) }), 'duplicate');
    const unmask = server.close();
    expect(unmask.stats().rejected).toEqual({
      'wrong-length': 1,
      'wrong-modulus': 1,
      'unknown-participant': 1,
      duplicate: 1,
    });
    expect(honestUnmask(unmask, unmasking)).toEqual(expectedSum(inputs, all(5), modulus));
  });

  it('shares addressed to or from a non-neighbour (sparse graph)', () => {
    const graph = harary(12, 4, new TextEncoder().encode('sparse'));
    const s = setup({ n: 12, threshold: 3, graph, dimension: 8 });
    const inputs = randomInputs(12, 8, TWO_32, 'sparse');
    const outsider = all(12).find((j) => j !== 0 && !graph.isNeighbour(0, j))!;
    const a = honestAdvertise(s);
    const shareKeys = a.server.close();
    expect(shareKeys.forwardedKeys(0).map((ad) => ad.index)).toEqual(graph.neighbours(0));

    // Server: participant 0's shares with one extra ciphertext addressed to a non-neighbour.
    const sharing = new Map([...a.clients].map(([i, c]) => [i, c.receiveKeys(shareKeys.forwardedKeys(i))]));
    const honest0 = sharing.get(0)!.shareKeys();
    const forged = {
      index: 0,
      shares: [...honest0.shares, { to: outsider, ciphertext: honest0.shares[0].ciphertext }],
    };
    const e = expectSecAggError(() => shareKeys.receive(forged), 'not-neighbour');
    expect(e.message).toContain(
      `participant 0: a share addressed to participant ${outsider}, which is not a neighbour`,
    );
    expect(shareKeys.shared).toEqual([]);
    // ... and one missing a neighbour.
    expectSecAggError(() => shareKeys.receive({ index: 0, shares: honest0.shares.slice(1) }), 'too-few');
    for (const [, c] of sharing) shareKeys.receive(c.shareKeys());
    const maskedInput = shareKeys.close();

    // Client: a ciphertext claiming to come from a non-neighbour.
    const incoming = maskedInput.sharesFor(0);
    expect(incoming.map((x) => x.from)).toEqual(graph.neighbours(0));
    const c0 = sharing.get(0)!;
    expect(
      expectSecAggError(
        () => c0.receiveShares([...incoming, { from: outsider, ciphertext: incoming[0].ciphertext }]),
        'not-neighbour',
      ).participant,
    ).toBe(outsider);
    expectSecAggError(() => c0.receiveShares([...incoming, incoming[1]]), 'duplicate');
    const masking = honestReceiveShares(maskedInput, sharing);
    const checking = honestMask(maskedInput, masking, inputs);
    const { server: unmask, clients: unmasking } = honestCheck(maskedInput.close(), checking);

    // Server, unmask stage: a share of a non-neighbour's seed, and a share of a survivor in the dropped list.
    const response = unmasking.get(0)!.unmask(unmask.unmaskRequest(0)).message;
    const fake = {
      ...response,
      selfMaskShares: [...response.selfMaskShares, { of: outsider, share: response.selfMaskShares[0].share }],
    };
    expectSecAggError(() => unmask.receive(fake), 'not-neighbour');
    expectSecAggError(
      () => unmask.receive({ ...response, maskingKeyShares: [response.selfMaskShares[1]] }),
      'bad-share',
    );
    expect(unmask.responded).toEqual([]);
    // The honest response is still accepted after the refusals.
    unmask.receive(response);
    for (const [i, c] of unmasking) if (i !== 0) unmask.receive(c.unmask(unmask.unmaskRequest(i)).message);
    expect(unmask.finish()).toEqual(expectedSum(inputs, all(12), TWO_32));
  });

  it('a share ciphertext that fails authentication (one flipped byte)', () => {
    const s = setup({ n: 5, threshold: 3, dimension: 8 });
    const inputs = randomInputs(5, 8, TWO_32, 'flip');
    const a = honestAdvertise(s);
    const shareKeys = a.server.close();
    const sharing = honestShareKeys(shareKeys, a.clients);
    const maskedInput = shareKeys.close();
    const incoming = maskedInput.sharesFor(3);
    const tampered = incoming.map((x) => ({ ...x }));
    const ct = tampered[2].ciphertext.slice();
    ct[20] ^= 1;
    tampered[2] = { from: tampered[2].from, ciphertext: ct };
    const e = expectSecAggError(() => sharing.get(3)!.receiveShares(tampered), 'bad-share');
    expect(e.message).toContain(
      `participant 3: the share ciphertext from participant ${incoming[2].from} fails authentication`,
    );
    // The same ciphertext addressed to another recipient fails too (the AD binds sender and recipient).
    const redirected = maskedInput
      .sharesFor(4)
      .map((x) => (x.from === incoming[0].from ? { from: x.from, ciphertext: incoming[0].ciphertext } : x));
    expectSecAggError(() => sharing.get(4)!.receiveShares(redirected), 'bad-share');
    const masking = honestReceiveShares(maskedInput, sharing);
    const unmasking = honestMask(maskedInput, masking, inputs);
    expect(honestUnmask(maskedInput.close(), unmasking)).toEqual(expectedSum(inputs, all(5), TWO_32));
  });

  it('messages from an earlier round: the advertisement signature and the share AEAD fail', () => {
    const inputs = randomInputs(5, 8, TWO_32, 'replay');
    const earlier = setup({ n: 5, threshold: 3, dimension: 8, roundId: new TextEncoder().encode('round-41') });
    const now = setup({ n: 5, threshold: 3, dimension: 8, roundId: new TextEncoder().encode('round-42') });
    expect(now.config.identityKeys).toEqual(earlier.config.identityKeys);
    const old = honestAdvertise(earlier);
    const oldShareKeys = old.server.close();
    const oldSharing = honestShareKeys(oldShareKeys, old.clients);
    const oldShares = oldShareKeys.close();

    const server = new ServerAdvertiseKeys(now.config);
    const e = expectSecAggError(() => server.receive(old.clients.get(1)!.advertise()), 'bad-signature');
    expect(e.message).toContain('participant 1: the signature does not verify');
    expect(server.advertised).toEqual([]);
    const a = honestAdvertise(now);
    const shareKeys = a.server.close();
    // A client given an old advertisement in the forwarded list refuses it too.
    const forwarded = shareKeys.forwardedKeys(0).map((ad) => (ad.index === 2 ? old.clients.get(2)!.advertise() : ad));
    expectSecAggError(() => a.clients.get(0)!.receiveKeys(forwarded), 'bad-signature');
    const sharing = honestShareKeys(shareKeys, a.clients);
    const maskedInput = shareKeys.close();
    // An old share ciphertext from participant 1 to participant 0.
    const stale = maskedInput
      .sharesFor(0)
      .map((x) => (x.from === 1 ? oldShares.sharesFor(0).find((y) => y.from === 1)! : x));
    expectSecAggError(() => sharing.get(0)!.receiveShares(stale), 'bad-share');
    void oldSharing;
    const unmasking = honestMask(maskedInput, honestReceiveShares(maskedInput, sharing), inputs);
    expect(honestUnmask(maskedInput.close(), unmasking)).toEqual(expectedSum(inputs, all(5), TWO_32));
  });

  it("an advertisement signed by another participant's key", () => {
    const s = setup({ n: 5, threshold: 3, dimension: 8 });
    const inputs = randomInputs(5, 8, TWO_32, 'impostor');
    const a = honestAdvertise(s, [1]);
    const genuine = a.clients.get(2)!.advertise();
    // Participant 2 (or anyone holding its key) advertises keys in participant 1's name.
    const bytes = lengthPrefixed(s.config.roundId, u32be(1), genuine.encryptionKey, genuine.maskingKey);
    const impostor: AdvertiseKeys = {
      ...genuine,
      index: 1,
      signature: sign('tessera/secagg/advertise', bytes, s.identities[2].secretKey),
    };
    const before = a.server.stats();
    expect(expectSecAggError(() => a.server.receive(impostor), 'bad-signature').participant).toBe(1);
    expect(a.server.advertised).toEqual([0, 2, 3, 4]);
    expect(a.server.stats().rejected['bad-signature']).toBe((before.rejected['bad-signature'] ?? 0) + 1);
    // A client shown the impostor's entry refuses it as well.
    const shareKeys = a.server.close();
    expectSecAggError(() => a.clients.get(0)!.receiveKeys([...shareKeys.forwardedKeys(0), impostor]), 'bad-signature');
    // Participant 1 did not take part; the others complete the round.
    const sharing = honestShareKeys(shareKeys, a.clients);
    const maskedInput = shareKeys.close();
    const unmasking = honestMask(maskedInput, honestReceiveShares(maskedInput, sharing), inputs);
    expect(honestUnmask(maskedInput.close(), unmasking)).toEqual(expectedSum(inputs, [0, 2, 3, 4], TWO_32));
  });

  it('duplicates, unknown participants, closed stages and too few participants', () => {
    const s = setup({ n: 5, threshold: 3, dimension: 8 });
    const a = honestAdvertise(s, [3, 4]);
    expectSecAggError(() => a.server.receive(a.clients.get(0)!.advertise()), 'duplicate');
    expectSecAggError(() => a.server.receive({ ...a.clients.get(0)!.advertise(), index: 9 }), 'unknown-participant');
    const shareKeys = a.server.close();
    expectSecAggError(() => a.server.receive(a.clients.get(1)!.advertise()), 'replay');
    expectSecAggError(() => a.server.close(), 'replay');
    const sharing = new Map([...a.clients].map(([i, c]) => [i, c.receiveKeys(shareKeys.forwardedKeys(i))]));
    expectSecAggError(() => a.clients.get(0)!.receiveKeys(shareKeys.forwardedKeys(0)), 'replay');
    shareKeys.receive(sharing.get(0)!.shareKeys());
    shareKeys.receive(sharing.get(1)!.shareKeys());
    expect(expectSecAggError(() => shareKeys.close(), 'too-few').message).toMatch(
      /participants that sent shares: 2, the threshold is 3/,
    );
    shareKeys.receive(sharing.get(2)!.shareKeys());
    const maskedInput = shareKeys.close();
    expectSecAggError(() => maskedInput.sharesFor(3), 'unknown-participant');
    // A client whose neighbours mostly vanished refuses to go on.
    expectSecAggError(() => sharing.get(0)!.receiveShares(maskedInput.sharesFor(0).slice(0, 1)), 'too-few');
    expect(shareKeys.stats().rejected).toEqual({ duplicate: 1, 'unknown-participant': 1, replay: 1 });
  });
});
