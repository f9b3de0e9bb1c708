/**
 * An in-process driver for tests and benchmarks: runs the guest's and hosts' states through the whole message
 * exchange, relaying each message as a service layer would, and optionally reports every message to `observe`
 * with its recipient.
 */
import type { LabeledData, Matrix } from '@tessera/ml';
import { GuestVlrSetup, GuestVlrTrained, type GuestVlrAwaitingMasked, type GuestVlrReady } from './guest.js';
import {
  HostVlrSetup,
  HostVlrTrained,
  type HostVlrAwaitingStep,
  type HostVlrAwaitingSums,
  type HostVlrReady,
} from './host.js';
import type { VlrGuestStep, VlrHostMasked, VlrMessage, VlrSchedule, VlrScoreShare } from './messages.js';
import { loadVlrSeal } from './vlr-seal.js';

/** Who receives a message: the guest or host i. */
export type VlrRecipient = 'guest' | `host-${number}`;

export interface VerticalLogisticInput {
  /** The guest's standardised features and 0/1 labels, rows aligned with every host's. */
  readonly guest: LabeledData;
  /** Each host's standardised features, same rows in the same order. */
  readonly hosts: readonly Matrix[];
  readonly schedule: VlrSchedule;
  /** Sees every message as it is delivered. */
  readonly observe?: (recipient: VlrRecipient, message: VlrMessage) => void;
}

export interface VerticalLogisticResult {
  /** The guest's weights then the bias. */
  readonly guestWeights: Float64Array;
  /** Each host's weights (in a deployment they never leave the host). */
  readonly hostWeights: readonly Float64Array[];
  readonly steps: number;
  /** Wall-clock seconds of the whole exchange, setup included. */
  readonly seconds: number;
  /** Of which setup: the guest's key generation and every party opening its BFV context (about 1 s each). */
  readonly setupSeconds: number;
}

export async function trainVerticalLogistic(input: VerticalLogisticInput): Promise<VerticalLogisticResult> {
  await loadVlrSeal();
  const observe = input.observe ?? (() => {});
  const startedAt = performance.now();
  const hostSetups = input.hosts.map((x, h) => new HostVlrSetup(h, x));
  const hellos = hostSetups.map((s) => s.hello());
  for (const m of hellos) observe('guest', m);
  const first = new GuestVlrSetup(input.guest, input.schedule).receiveHellos(hellos);
  // The states holding wasm memory right now, freed if anything throws.
  let live: { dispose(): void }[] = [first.state];
  try {
    let guest: GuestVlrReady = first.state;
    let hosts: HostVlrReady[] = first.messages.map((m, h) => {
      observe(`host-${h}`, m);
      const state = hostSetups[h]!.receiveSetup(m); // one setup per host hello
      live.push(state);
      return state;
    });
    const setupSeconds = (performance.now() - startedAt) / 1000;
    for (let steps = 1; ; steps++) {
      const shares: VlrScoreShare[] = [];
      const waiting: HostVlrAwaitingStep[] = hosts.map((h) => {
        const out = h.shareScores();
        shares.push(...out.messages);
        return out.state;
      });
      live = [guest, ...waiting];
      for (const s of shares) observe(`host-${s.to}`, s);
      const opened: { state: GuestVlrAwaitingMasked; messages: VlrGuestStep[] } = guest.startStep();
      live[0] = opened.state;
      const summing: HostVlrAwaitingSums[] = [];
      const masked = opened.messages.map((m, h): VlrHostMasked => {
        observe(`host-${h}`, m);
        const out = waiting[h]!.receive(
          m,
          shares.filter((s) => s.to === h),
        );
        summing.push(out.state);
        live[h + 1] = out.state;
        observe('guest', out.message);
        return out.message;
      });
      const answered = opened.state.receive(masked);
      const next = answered.messages.map((m, h) => {
        observe(`host-${h}`, m);
        return summing[h]!.receive(m);
      });
      const guestNext = answered.state;
      if (guestNext instanceof GuestVlrTrained) {
        const hostWeights = next.map((h) => {
          if (!(h instanceof HostVlrTrained)) throw new Error('a host expected more steps than the guest');
          return h.weights;
        });
        live = [];
        const seconds = (performance.now() - startedAt) / 1000;
        return { guestWeights: guestNext.weights, hostWeights, steps, seconds, setupSeconds };
      }
      guest = guestNext;
      hosts = next.map((h) => {
        if (h instanceof HostVlrTrained) throw new Error('a host finished before the guest');
        return h;
      });
      live = [guest, ...hosts];
    }
  } finally {
    for (const state of live) state.dispose();
  }
}
