import { describe, expect, it } from 'vitest';
import { ClientAdvertiseKeys, SecAggError, ServerAdvertiseKeys, type MaskedInput } from '@tessera/secagg';
import { expectedSum, randomInputs, setup } from './harness.js';

/** Runs a round to the masked-input stage; returns the server's stage 3 and every participant's masked message. */
function toMaskedInput(n: number, modulus: number) {
  const s = setup({ n, threshold: 3, dimension: 48, modulus });
  const inputs = randomInputs(n, 48, modulus, `partial/${n}/${modulus}`);
  const server1 = new ServerAdvertiseKeys(s.config);
  const clients = s.identities.map((k, i) => new ClientAdvertiseKeys(s.config, i, k.secretKey));
  for (const c of clients) server1.receive(c.advertise());
  const server2 = server1.close();
  const sharing = clients.map((c, i) => c.receiveKeys(server2.forwardedKeys(i)));
  for (const c of sharing) server2.receive(c.shareKeys());
  const server3 = server2.close();
  const masked = sharing.map((c, i) => c.receiveShares(server3.sharesFor(i)).mask(inputs[i]!));
  return { server3, masked, inputs };
}

/** The sum mod `modulus` of these participants' masked vectors, as a replica holding their streams forms it. */
function partialOf(messages: readonly MaskedInput[], modulus: number): Uint32Array {
  const sum = new Uint32Array(messages[0]!.y.length);
  for (const m of messages)
    for (let j = 0; j < sum.length; j++) sum[j] = Number((BigInt(sum[j]!) + BigInt(m.y[j]!)) % BigInt(modulus));
  return sum;
}

describe('partial sums of masked inputs (coordinator replicas)', () => {
  for (const modulus of [2 ** 32, 2 ** 31 - 1]) {
    it(`gives the same unmasked sum as the inputs one by one (modulus ${modulus})`, () => {
      const n = 7;
      const { server3, masked, inputs } = toMaskedInput(n, modulus);
      // Participants 0-2 at one replica, 3-4 at another, 5 here; 6 drops before its masked input.
      server3.receivePartialSum(
        [0, 1, 2],
        partialOf([masked[0]!.message, masked[1]!.message, masked[2]!.message], modulus),
      );
      server3.receivePartialSum([4, 3], partialOf([masked[3]!.message, masked[4]!.message], modulus));
      server3.receive(masked[5]!.message);
      const server4 = server3.close();
      const request = server4.consistencyRequest();
      expect([...request.survivors]).toEqual([0, 1, 2, 3, 4, 5]);
      expect([...request.dropped]).toEqual([6]);
      const unmasking = [0, 1, 2, 3, 4, 5].map((i) => masked[i]!.next.sign(request));
      for (const u of unmasking) server4.receive(u.message);
      const server5 = server4.close();
      for (const [k, u] of unmasking.entries()) server5.receive(u.next.unmask(server5.unmaskRequest(k)).message);
      expect(server5.finish()).toEqual(expectedSum(inputs, [0, 1, 2, 3, 4, 5], modulus));
    });
  }

  it('refuses a partial sum naming a participant twice or counted, or of a wrong length; records none', () => {
    const modulus = 2 ** 32;
    const { server3, masked } = toMaskedInput(5, modulus);
    server3.receive(masked[0]!.message);
    const two = partialOf([masked[1]!.message, masked[2]!.message], modulus);
    const refusal = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return e instanceof SecAggError ? e.code : String(e);
      }
      return 'accepted';
    };
    expect(refusal(() => server3.receivePartialSum([1, 1], two))).toBe('duplicate');
    expect(refusal(() => server3.receivePartialSum([0, 1], two))).toBe('duplicate');
    expect(refusal(() => server3.receivePartialSum([1, 9], two))).toBe('unknown-participant');
    expect(refusal(() => server3.receivePartialSum([1, 2], two.subarray(1)))).toBe('wrong-length');
    expect(refusal(() => server3.receivePartialSum([], two))).toBe('wrong-length');
    expect(server3.masked).toEqual([0]);
    server3.receivePartialSum([1, 2], two);
    expect(server3.masked).toEqual([0, 1, 2]);
  });
});
