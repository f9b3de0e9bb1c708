import { describe, expect, it } from 'vitest';
import { lengthPrefixed, sign, u32be } from '@tessera/crypto';
import {
  harary,
  ServerAdvertiseKeys,
  type AdvertiseKeys,
  type ClientUnmask,
  type UnmaskRequest,
} from '@tessera/secagg';
import {
  expectedSum,
  expectSecAggError,
  honestAdvertise,
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

/** An honest round up to the unmask stage. */
function upToUnmask(s: Setup, inputs: readonly Uint32Array[]) {
  const a = honestAdvertise(s);
  const shareKeys = a.server.close();
  const sharing = honestShareKeys(shareKeys, a.clients);
  const maskedInput = shareKeys.close();
  const masking = honestReceiveShares(maskedInput, sharing);
  const unmasking = honestMask(maskedInput, masking, inputs);
  return { server: maskedInput.close(), clients: unmasking };
}

describe('never both shares of one participant', () => {
  it(
    'clients refuse to name a participant dropped after revealing its self-mask share, ' +
      'so the server cannot unmask its input',
    () => {
      const s = setup({ n: 6, threshold: 3, dimension: 16 });
      const inputs = randomInputs(6, 16, TWO_32, 'both-1');
      const { server, clients } = upToUnmask(s, inputs);
      const honest = server.unmaskRequest();
      expect(honest).toEqual({ survivors: all(6), dropped: [] });
      const responses = [...clients.values()].map((c) => c.unmask(honest).message);

      // Having the self-mask shares of everyone, a curious server claims participant 2 dropped after all.
      const lie: UnmaskRequest = { survivors: [0, 1, 3, 4, 5], dropped: [2] };
      for (const [i, client] of clients) {
        const e = expectSecAggError(() => client.unmask(lie), 'both-shares-requested');
        expect(e.message).toContain(`participant ${i}:`);
        expect(e.message).toMatch(
          i === 2
            ? /listed as dropped, but it sent its masked input/
            : /participant 2 is listed as dropped, but its self-mask share was revealed/,
        );
      }
      // Asking both at once is refused outright, even by a client that has revealed nothing yet.
      const fresh = upToUnmask(setup({ n: 6, threshold: 3, dimension: 16 }), inputs);
      expectSecAggError(
        () => fresh.clients.get(0)!.unmask({ survivors: all(6), dropped: [2] }),
        'both-shares-requested',
      );

      // The refusals changed nothing: the honest answers still unmask the exact sum.
      for (const r of responses) server.receive(r);
      expect(server.finish()).toEqual(expectedSum(inputs, all(6), TWO_32));
    },
  );

  it('and the other way round: after masking-key shares of a participant, no self-mask shares of it', () => {
    const s = setup({ n: 6, threshold: 3, dimension: 16 });
    const inputs = randomInputs(6, 16, TWO_32, 'both-2');
    const { clients } = upToUnmask(s, inputs);
    // The server falsely claims 4 dropped: 4's neighbours (everyone, in the complete graph) reveal s_4 shares.
    const first = { survivors: [0, 1, 2, 3, 5], dropped: [4] };
    const given = new Map<number, number>();
    for (const [i, client] of clients) {
      if (i === 4) {
        expectSecAggError(() => client.unmask(first), 'both-shares-requested');
        continue;
      }
      const { message, next } = client.unmask(first);
      expect(message.maskingKeyShares.map((x) => x.of)).toEqual([4]);
      expect(message.selfMaskShares.map((x) => x.of)).not.toContain(4);
      expect(next.revealedMaskingKeyShares).toEqual([4]);
      given.set(i, message.selfMaskShares.length);
    }
    // Now it wants b_4 as well, to strip 4's masks: every client that holds a share of it refuses.
    const second = { survivors: all(6), dropped: [] };
    for (const [i, client] of clients) {
      if (i === 4) continue;
      const e = expectSecAggError(() => client.unmask(second), 'both-shares-requested');
      expect(e.participant).toBe(4);
    }
    // Participant 4 itself gives its own self-mask share (one share; t = 3 are needed).
    const own = (clients.get(4) as ClientUnmask).unmask(second).message;
    expect(own.selfMaskShares.filter((x) => x.of === 4).length).toBe(1);
    // A repeat of the first request is still answered the same way.
    expect(
      clients
        .get(0)!
        .unmask(first)
        .message.maskingKeyShares.map((x) => x.of),
    ).toEqual([4]);
    expect(given.size).toBe(5);
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
    const unmasking = honestMask(maskedInput, masking, inputs);
    const unmask = maskedInput.close();

    // Server, unmask stage: a share of a non-neighbour's seed, and a share of a survivor in the dropped list.
    const response = unmasking.get(0)!.unmask(unmask.unmaskRequest()).message;
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
    expect(honestUnmask(unmask, unmasking)).toEqual(expectedSum(inputs, all(12), TWO_32));
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
