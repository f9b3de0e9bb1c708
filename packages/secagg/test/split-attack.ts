/**
 * Test only: a malicious coordinator's split-unmask attack on one participant, driving honest @tessera/secagg clients.
 * It runs an honest round up to the masked inputs (keeping each masked vector, as a coordinator sees them), then
 * tells some of the victim's share holders that the victim dropped and everyone else that it survived, forwards
 * consistency signatures as it likes, and tries to strip the victim's masks with what the clients reveal.
 */
import { addPrgWords, shamirCombine, type Share } from '@tessera/crypto';
import {
  SecAggError,
  type ClientConsistencyCheck,
  type ClientUnmask,
  type ConsistencyCheckRequest,
} from '@tessera/secagg';
import { maskSign, pairwiseSeed } from '../src/config.js';
import { honestAdvertise, honestReceiveShares, honestShareKeys, type Setup } from './harness.js';

/**
 * Which consistency signatures each client is shown: 'own-side', only those over the set that client was told (the
 * most a lying coordinator can do to get past the check), or 'all' it collected.
 */
export type Forwarding = 'own-side' | 'all';

export interface SplitAttack {
  readonly setup: Setup;
  readonly inputs: readonly Uint32Array[];
  readonly victim: number;
  /**
   * The clients told that the victim dropped (they would reveal its masking-key share); the rest are told it
   * survived.
   */
  readonly toldDropped: readonly number[];
  readonly forwarding: Forwarding;
}

export interface SplitOutcome {
  /** The clients that refused to sign or to unmask, with why. */
  readonly refusals: ReadonlyMap<number, SecAggError>;
  /** Shares of the victim's self-mask seed and of its masking key that reached the coordinator. */
  readonly selfMaskShares: number;
  readonly maskingKeyShares: number;
  /** The victim's input, if the coordinator could strip all its masks (undefined: it could not). */
  readonly recovered: Uint32Array | undefined;
}

export function splitAttack(attack: SplitAttack): SplitOutcome {
  const { setup: s, inputs, victim, toldDropped, forwarding } = attack;
  const { config } = s;
  const t = config.threshold;
  const advertising = honestAdvertise(s);
  const shareKeys = advertising.server.close();
  const sharing = honestShareKeys(shareKeys, advertising.clients);
  const maskedInput = shareKeys.close();
  const masking = honestReceiveShares(maskedInput, sharing);
  const masked = new Map<number, Uint32Array>();
  const checking = new Map<number, ClientConsistencyCheck>();
  for (const [i, client] of masking) {
    const { message, next } = client.mask(inputs[i]);
    masked.set(i, message.y);
    checking.set(i, next);
  }

  // The lie: two survivor sets, one with the victim and one without.
  const everyone = [...checking.keys()];
  const survived: ConsistencyCheckRequest = { survivors: everyone, dropped: [] };
  const dropped: ConsistencyCheckRequest = { survivors: everyone.filter((i) => i !== victim), dropped: [victim] };
  const refusals = new Map<number, SecAggError>();
  const attempt = (i: number, work: () => void): void => {
    try {
      work();
    } catch (e) {
      if (!(e instanceof SecAggError)) throw e;
      refusals.set(i, e);
    }
  };
  const signed = new Map<number, { story: ConsistencyCheckRequest; signature: Uint8Array; next: ClientUnmask }>();
  for (const [i, client] of checking) {
    const story = toldDropped.includes(i) ? dropped : survived;
    attempt(i, () => {
      const { message, next } = client.sign(story);
      signed.set(i, { story, signature: message.signature, next });
    });
  }

  const selfMask: Share[] = [];
  const maskingKey: Share[] = [];
  for (const [i, { story, next }] of signed) {
    const signatures = [...signed]
      .filter(([w, x]) => w !== i && config.graph.isNeighbour(i, w) && (forwarding === 'all' || x.story === story))
      .map(([w, x]) => ({ signer: w, signature: x.signature }));
    attempt(i, () => {
      const { message } = next.unmask({ signatures });
      selfMask.push(...message.selfMaskShares.filter((x) => x.of === victim).map((x) => x.share));
      maskingKey.push(...message.maskingKeyShares.filter((x) => x.of === victim).map((x) => x.share));
    });
  }

  const outcome = { refusals, selfMaskShares: selfMask.length, maskingKeyShares: maskingKey.length };
  if (selfMask.length < t || maskingKey.length < t) return { ...outcome, recovered: undefined };
  // y = x + PRG(b) + sum over neighbours w of sign(victim, w) PRG(s_{victim,w}): remove both kinds of mask.
  const seed = shamirCombine(selfMask, t);
  const secretKey = shamirCombine(maskingKey, t);
  const x = masked.get(victim)!.slice();
  const modulus = config.modulus ?? 2 ** 32;
  addPrgWords(x, seed, modulus, -1);
  for (const w of config.graph.neighbours(victim)) {
    const peerKey = advertising.clients.get(w)!.advertise().maskingKey;
    addPrgWords(x, pairwiseSeed(config.roundId, secretKey, peerKey), modulus, maskSign(victim, w) === 1 ? -1 : 1);
  }
  return { ...outcome, recovered: x };
}
