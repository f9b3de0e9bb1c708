import { describe, expect, it } from 'vitest';
import { simulateRound, type RoundStep } from '@tessera/secagg';
import { expectedSum, randomInputs, setup, subtractMod } from './harness.js';

const n = 6;
const dropouts = { beforeAdvertise: [0], afterAdvertise: [1], beforeMaskedInput: [2], duringUnmask: [3] };

function round(modulus?: number) {
  const s = setup({ n, threshold: 2, dimension: 16, ...(modulus ? { modulus } : {}) });
  return { s, inputs: randomInputs(n, 16, s.modulus, 'simulate') };
}

describe('simulateRound', () => {
  it('sums the survivors exactly and reports who took part at each stage', () => {
    const { s, inputs } = round();
    const r = simulateRound({ config: s.config, identities: s.identities, inputs, dropouts });
    expect(r.mode).toBe('plain');
    expect(r.u1).toEqual([1, 2, 3, 4, 5]);
    expect(r.u2).toEqual([2, 3, 4, 5]);
    expect(r.survivors).toEqual([3, 4, 5]);
    expect(r.dropped).toEqual([2]);
    expect(r.signers).toEqual([3, 4, 5]);
    expect(r.responders).toEqual([4, 5]);
    expect(r.sum).toEqual(expectedSum(inputs, [3, 4, 5], s.modulus));
  });

  it('runs every piece of work through `step`, each party only at the stages it reaches', () => {
    const { s, inputs } = round();
    const steps: RoundStep[] = [];
    const r = simulateRound({
      config: s.config,
      identities: s.identities,
      inputs,
      dropouts,
      step: (step, work) => {
        steps.push(step);
        return work();
      },
    });
    const calls = (party: number) => steps.filter((x) => x.party === party).map((x) => x.call);
    expect(calls(0)).toEqual([]);
    expect(calls(1)).toEqual(['advertise']);
    expect(calls(2)).toEqual(['advertise', 'receiveKeys', 'shareKeys', 'receiveShares']);
    expect(calls(3)).toEqual(['advertise', 'receiveKeys', 'shareKeys', 'receiveShares', 'mask', 'sign']);
    expect(calls(4)).toEqual(['advertise', 'receiveKeys', 'shareKeys', 'receiveShares', 'mask', 'sign', 'unmask']);
    const server = steps.filter((x) => x.party === 'server');
    expect(server[0]).toEqual({ party: 'server', stage: 'advertise', call: 'start' });
    expect(server.at(-1)).toEqual({ party: 'server', stage: 'unmask', call: 'finish' });
    expect(server.filter((x) => x.call === 'close').map((x) => x.stage)).toEqual([
      'advertise',
      'shareKeys',
      'maskedInput',
      'consistencyCheck',
    ]);
    // One consistency request for all, one unmask request per signer that answers.
    expect(server.filter((x) => x.call === 'checkRequest')).toHaveLength(1);
    expect(server.filter((x) => x.call === 'unmaskRequest')).toHaveLength(2);
    // The hook's result is the round's: a step that passes work() through changes nothing.
    expect(r.sum).toEqual(expectedSum(inputs, r.survivors, s.modulus));
  });

  it('in sealed mode hands the server only the uploads, and their sum minus the correction is the sum', () => {
    const { s, inputs } = round(2 ** 31 - 1);
    const uploads = new Map<number, Uint32Array>();
    const sealed: number[] = [];
    const r = simulateRound(
      { config: s.config, identities: s.identities, inputs, dropouts },
      {
        seal: (i, y) => {
          sealed.push(i);
          return Uint32Array.from(y);
        },
        absorb: (i, upload) => uploads.set(i, upload),
      },
    );
    expect(r.mode).toBe('sealed');
    expect(sealed).toEqual([3, 4, 5]);
    expect([...uploads.keys()]).toEqual([3, 4, 5]);
    const ys = [...uploads.values()];
    const sum = subtractMod(
      expectedSum(
        ys,
        ys.map((_, k) => k),
        s.modulus,
      ),
      r.maskCorrection,
      s.modulus,
    );
    expect(sum).toEqual(expectedSum(inputs, r.survivors, s.modulus));
  });

  it('refuses a participant without an identity, naming it', () => {
    const { s, inputs } = round();
    expect(() => simulateRound({ config: s.config, identities: s.identities.slice(0, 4), inputs })).toThrow(
      /no identity for participant 4/,
    );
  });
});
