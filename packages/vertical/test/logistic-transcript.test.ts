// What each role receives in vertical LR. The driver's transcript: hosts receive the setup, ciphertexts and masked
// sums only; the guest receives shapes and ciphertexts only. Then the test plays the guest itself, with the key, to
// look inside the host's ciphertexts: every slot is uniformly masked, and only the sums the protocol intends
// survive the masks.
import { describe, expect, it } from 'vitest';
import type { Matrix } from '@tessera/ml';
import { HostVlrSetup, trainVerticalLogistic, type VlrMessage, type VlrRecipient } from '@tessera/vertical';
import { blockSums, centred, encodeFixed, fixedPointPlan } from '../src/logistic/fixed-point.js';
import { VlrGuestCipher } from '../src/logistic/vlr-cipher.js';
import { loadVlrSeal, vlrParameters } from '../src/logistic/vlr-seal.js';
import { breastCancerVertical } from './logistic-fixture.js';

const SCHEDULE = { epochs: 1, batchSize: 182, learningRate: 0.5, l2: 0, shuffleSeed: 'transcript' };

type Transcript = Map<VlrRecipient, VlrMessage[]>;

async function transcript(): Promise<{ received: Transcript; weights: Float64Array }> {
  const { guestTrain, hostTrain } = breastCancerVertical();
  const received: Transcript = new Map();
  const result = await trainVerticalLogistic({
    guest: guestTrain,
    hosts: [hostTrain],
    schedule: SCHEDULE,
    observe: (to, m) => received.set(to, [...(received.get(to) ?? []), m]),
  });
  return { received, weights: result.hostWeights[0]! };
}

/** Every field of the message, with nested objects flattened to dotted paths and byte arrays kept whole. */
function fields(m: object, prefix = ''): [string, unknown][] {
  return Object.entries(m).flatMap(([k, v]): [string, unknown][] =>
    v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v)
      ? fields(v as object, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v]],
  );
}

describe('vertical LR transcripts', () => {
  it('hosts get only ciphertexts, public settings and masked sums; the guest only shapes and ciphertexts', async () => {
    const first = await transcript();
    const second = await transcript();
    expect(second.weights).toEqual(first.weights); // same training...
    const toHost = first.received.get('host-0')!;
    const toGuest = first.received.get('guest')!;
    expect(new Set(toHost.map((m) => m.kind))).toEqual(new Set(['vlr-setup', 'vlr-guest-step', 'vlr-masked-sums']));
    expect(new Set(toGuest.map((m) => m.kind))).toEqual(new Set(['vlr-host-hello', 'vlr-host-masked']));
    const publicSetup = new Set(['kind', 'host', 'rows', 'hostFeatures', 'guestColumns', 'publicKey']);
    for (const m of toHost) {
      for (const [name, value] of fields(m)) {
        if (m.kind === 'vlr-setup') {
          expect(publicSetup.has(name) || /^(params|schedule|fixedPoint)\./.test(name), name).toBe(true);
        } else if (m.kind === 'vlr-guest-step' && (name === 'residual' || name === 'guestFeatures')) {
          for (const c of value as Uint8Array[]) expect(c.length).toBeGreaterThan(200_000); // BFV ciphertexts
        } else if (m.kind === 'vlr-masked-sums' && name === 'sums') {
          expect((value as number[]).length).toBe(20);
        } else {
          expect(['kind', 'step', 'host', 'rows'], `${m.kind}.${name}`).toContain(name);
        }
      }
    }
    for (const m of toGuest) {
      for (const [name, value] of fields(m)) {
        if (name === 'gradient' || name === 'guestTerm') {
          for (const c of value as Uint8Array[]) expect(c.length).toBeGreaterThan(200_000);
        } else expect(['kind', 'step', 'host', 'rows', 'features'], `${m.kind}.${name}`).toContain(name);
      }
    }
    // ...yet every ciphertext and every masked sum differs between the runs: encryption and masks are fresh random.
    const secondHost = second.received.get('host-0')!;
    toHost.forEach((m, i) => {
      const other = secondHost[i]!;
      if (m.kind === 'vlr-guest-step' && other.kind === 'vlr-guest-step')
        expect(Buffer.from(m.residual[0]!).equals(Buffer.from(other.residual[0]!))).toBe(false);
      if (m.kind === 'vlr-masked-sums' && other.kind === 'vlr-masked-sums')
        m.sums.forEach((s, j) => expect(s).not.toBe(other.sums[j]));
    });
  });

  it("inside the host's ciphertexts every slot is masked; only the intended sums survive", async () => {
    await loadVlrSeal();
    const params = vlrParameters();
    const p = params.plainModulus;
    const { hostTrain } = breastCancerVertical();
    const b = 182;
    const host: Matrix = { x: hostTrain.x.subarray(0, 2 * b * 20), n: 2 * b, d: 20 };
    const guestColumns = 3; // two guest features and the bias column
    const plan = fixedPointPlan(p, b, 1);
    const guest = new VlrGuestCipher(params);
    try {
      const schedule = { ...SCHEDULE, shuffleSeed: 'inside' };
      const setup = new HostVlrSetup(0, host);
      let ready = setup.receiveSetup({
        kind: 'vlr-setup',
        host: 0,
        params,
        publicKey: guest.publicKey,
        rows: host.n,
        hostFeatures: [20],
        guestColumns,
        schedule,
        fixedPoint: plan,
      });
      const guestResidual = Float64Array.from({ length: b }, (_, i) => ((i % 7) - 3) / 4);
      const guestX = Float64Array.from({ length: guestColumns * b }, (_, i) => (i >= 2 * b ? 1 : ((i % 5) - 2) / 2));
      for (let step = 0; step < 2; step++) {
        const waiting = ready.shareScores();
        expect(waiting.messages).toEqual([]); // a single host shares its score with nobody
        const residualWords = Float64Array.from(guestResidual, (r) => encodeFixed(r, 8, plan.residualBits, p));
        const replicated = new Float64Array(20 * b);
        for (let j = 0; j < 20; j++) replicated.set(residualWords, j * b);
        const columns = Float64Array.from(guestX, (x) => encodeFixed(x, 32, plan.featureBits, p));
        const { state, message } = waiting.state.receive(
          {
            kind: 'vlr-guest-step',
            step,
            host: 0,
            rows: b,
            residual: guest.encrypt(replicated),
            guestFeatures: guest.encrypt(columns),
          },
          [],
        );
        expect(guest.noiseBudget(message.gradient)).toBeGreaterThan(20);
        const gradientSlots = guest.decrypt(message.gradient, 20 * b, 'gradient');
        const termSlots = guest.decrypt(message.guestTerm, guestColumns * b, 'guest term');
        // Uniform slots: the mean of slot / p is near 1/2 (3640 slots: sd 0.005), and small plaintext products are
        // nowhere to be seen (unmasked, nearly every slot would be within 2^34 of 0 or p; masked, 1 in 2^15 is).
        const mean = (words: Float64Array) => words.reduce((a, w) => a + w / p, 0) / words.length;
        expect(Math.abs(mean(gradientSlots) - 0.5)).toBeLessThan(0.03);
        expect(Math.abs(mean(termSlots) - 0.5)).toBeLessThan(0.05);
        const small = (w: number) => Math.abs(centred(w, p)) < 2 ** 34;
        expect(gradientSlots.filter(small).length).toBeLessThan(5);
        expect(termSlots.filter(small).length).toBeLessThan(5);
        // The guest-term masks sum to zero per column: the sums are 0.25 u_host . x_k exactly (0 at step 0).
        const termSums = blockSums(termSlots, guestColumns, b, p);
        const scale = 2 ** (plan.residualBits + plan.featureBits);
        if (step === 0) expect(Array.from(termSums)).toEqual([0, 0, 0]);
        else expect(Array.from(termSums, (s) => Math.abs(centred(s, p) / scale)).some((v) => v > 0.01)).toBe(true);
        // The gradient masks do not cancel: the block sums the guest returns are far from the true sums.
        const sums = Array.from(blockSums(gradientSlots, 20, b, p));
        expect(sums.filter((s) => small(s)).length).toBe(0);
        const next = state.receive({ kind: 'vlr-masked-sums', step, host: 0, sums });
        if (step === 0) ready = next as typeof ready;
        else expect('weights' in next && next.weights.some((w) => w !== 0)).toBe(true);
      }
    } finally {
      guest.dispose();
    }
  });
});
