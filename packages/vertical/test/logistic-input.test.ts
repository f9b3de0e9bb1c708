// Bad input and out-of-order messages are refused with the reason, and a state cannot be used twice.
import { describe, expect, it } from 'vitest';
import { GuestVlrSetup, HostVlrSetup, loadVlrSeal, trainVerticalLogistic } from '@tessera/vertical';
import { fixedPointPlan } from '../src/logistic/fixed-point.js';
import { VlrBatches } from '../src/logistic/schedule.js';
import { breastCancerVertical } from './logistic-fixture.js';

const SCHEDULE = { epochs: 1, batchSize: 100, learningRate: 0.5, l2: 0, shuffleSeed: 'input' };

describe('vertical LR input checks', () => {
  it('refuses misaligned rows, a label that is not 0/1 and batches a side could solve', async () => {
    await loadVlrSeal();
    const { guestTrain, hostTrain } = breastCancerVertical();
    const short = { x: hostTrain.x.subarray(0, 20 * 100), n: 100, d: 20 };
    await expect(trainVerticalLogistic({ guest: guestTrain, hosts: [short], schedule: SCHEDULE })).rejects.toThrow(
      /host 0 has 100 rows, the guest 364: align the rows first/,
    );
    const y = guestTrain.y.slice();
    y[3] = 2;
    expect(() => new GuestVlrSetup({ ...guestTrain, y }, SCHEDULE)).toThrow(/label of row 3 must be 0 or 1, got 2/);
    const guest = new GuestVlrSetup(guestTrain, { ...SCHEDULE, batchSize: 39 });
    const hello = new HostVlrSetup(0, hostTrain).hello();
    expect(() => guest.receiveHellos([hello])).toThrow(/batchSize 39 is too small: each step needs at least 40 rows/);
    expect(() => fixedPointPlan(2 ** 50, 2 ** 25, 1)).toThrow(/lower batchSize/);
  });

  it('folds a last batch too small to be safe into the one before', () => {
    const batches = new VlrBatches(250, { ...SCHEDULE, batchSize: 100 }, 60);
    expect(batches.stepsPerEpoch).toBe(2);
    expect(batches.rowsOf(0).length).toBe(100);
    expect(batches.rowsOf(1).length).toBe(150);
    expect(batches.maxRows).toBe(159);
    expect(new VlrBatches(260, { ...SCHEDULE, batchSize: 100 }, 60).stepsPerEpoch).toBe(3);
  });

  it('refuses a message for another step and a state used twice', async () => {
    await loadVlrSeal();
    const { guestTrain, hostTrain } = breastCancerVertical();
    const host = new HostVlrSetup(0, hostTrain);
    const guest = new GuestVlrSetup(guestTrain, SCHEDULE);
    const { state, messages } = guest.receiveHellos([host.hello()]);
    expect(() => guest.receiveHellos([host.hello()])).toThrow(/GuestVlrSetup was already used/);
    const ready = host.receiveSetup(messages[0]!);
    try {
      const waiting = ready.shareScores();
      const step = state.startStep();
      expect(() => waiting.state.receive({ ...step.messages[0]!, step: 1 }, [])).toThrow(
        /expected the guest's vlr-guest-step 0 for host 0/,
      );
      const masked = waiting.state.receive(step.messages[0]!, []);
      expect(() => step.state.receive([{ ...masked.message, step: 5 }])).toThrow(/vlr-host-masked for step 0/);
      expect(() => ready.shareScores()).toThrow(/HostVlrReady was already used/);
    } finally {
      ready.dispose();
      state.dispose();
    }
  });
});
