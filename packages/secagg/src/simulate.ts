// One whole SecAgg+ round in one process: every client's and the server's state machines, no network. Tests,
// benchmarks and simulations share this driver; the services wire the same state machines to the network instead.
import { ClientAdvertiseKeys, type ClientConsistencyCheck, type ClientShareKeys, type ClientUnmask } from './client.js';
import type { RoundConfig } from './config.js';
import { ServerAdvertiseKeys, type ServerStats } from './server.js';

/** Where participants drop out of a simulated round (by index). Each set is disjoint from the others. */
export interface RoundDropouts {
  /** Never advertise (not in U1). */
  readonly beforeAdvertise?: Iterable<number>;
  /** Advertise, then vanish before sending shares (U1 \ U2). */
  readonly afterAdvertise?: Iterable<number>;
  /** Send shares, then vanish before receiving the others' (U2 \ U3). */
  readonly afterShareKeys?: Iterable<number>;
  /** Receive the shares and build the masked-input state, but never send the masked input (U2 \ U3). */
  readonly beforeMaskedInput?: Iterable<number>;
  /** Send the masked input but never sign the survivor set (in U3; neither a signer nor a responder). */
  readonly beforeConsistencyCheck?: Iterable<number>;
  /** Sign the survivor set but never answer the unmask request (in U3 and U4, not a responder). */
  readonly duringUnmask?: Iterable<number>;
}

/** The five protocol stages, each named after the message its participants send. */
export type RoundStageName = 'advertise' | 'shareKeys' | 'maskedInput' | 'consistencyCheck' | 'unmask';

/**
 * One piece of work in a simulated round, for a caller that times who does what. A participant's `receiveKeys` and
 * `receiveShares` include the server's `forwardedKeys` and `sharesFor` for it (what the network would deliver);
 * `seal` happens in sealed mode only; the server's `checkRequest` and `unmaskRequest` build what it sends (the latter
 * once per signer); its `finish` is its unmask (or, sealed, its mask correction).
 */
export type RoundStep =
  | { readonly party: 'server'; readonly stage: RoundStageName; readonly call: ServerCall }
  | { readonly party: number; readonly stage: RoundStageName; readonly call: ParticipantCall };

export type ServerCall = 'start' | 'receive' | 'receiveSealed' | 'close' | 'checkRequest' | 'unmaskRequest' | 'finish';
export type ParticipantCall =
  | 'advertise'
  | 'receiveKeys'
  | 'shareKeys'
  | 'receiveShares'
  | 'mask'
  | 'seal'
  | 'sign'
  | 'unmask';

/** Sealed mode: what a participant uploads instead of its masked vector, and how the server absorbs it. */
export interface SealedUploads<T> {
  /** Participant `index`'s upload for its masked vector `y` (for example, ciphertexts under the analyst's key). */
  seal(index: number, y: Uint32Array): T;
  /** The server's absorb for that upload, run inside `receiveSealed` (for example, add it to an accumulator). */
  absorb(index: number, upload: T): void;
}

export interface SimulateRoundOptions {
  readonly config: RoundConfig;
  /** Participant i's Ed25519 identity at index i (its public key is `config.identityKeys[i]`). */
  readonly identities: readonly { readonly secretKey: Uint8Array }[];
  /** Participant i's input at index i: `config.dimension` words below the modulus. */
  readonly inputs: readonly Uint32Array[];
  readonly dropouts?: RoundDropouts;
  /** Runs each piece of work (default: just runs it); a benchmark wraps it to time the parties. */
  readonly step?: <R>(step: RoundStep, work: () => R) => R;
}

/** Who took part in a simulated round, stage by stage (indices, sorted). */
export interface RoundMembers {
  readonly u1: number[];
  readonly u2: number[];
  /** U3: the participants whose masked input the server counted. */
  readonly survivors: number[];
  /** U2 \ U3. */
  readonly dropped: number[];
  /** U4: the survivors that signed the survivor set. */
  readonly signers: number[];
  /** The signers that answered the unmask request. */
  readonly responders: number[];
  readonly stats: ServerStats;
}

/** A plaintext round: the server unmasked the sum of the survivors' inputs. */
export interface PlainSimulatedRound extends RoundMembers {
  readonly mode: 'plain';
  readonly sum: Uint32Array;
}

/**
 * A sealed round: the sum of the survivors' inputs is the sum of their uploads' masked vectors minus this correction.
 */
export interface SealedSimulatedRound extends RoundMembers {
  readonly mode: 'sealed';
  readonly maskCorrection: Uint32Array;
}

const run = <R>(_step: RoundStep, work: () => R): R => work();

/** Runs one whole round: plaintext, or sealed when `sealed` says how participants upload and the server absorbs. */
export function simulateRound(options: SimulateRoundOptions): PlainSimulatedRound;
export function simulateRound<T>(options: SimulateRoundOptions, sealed: SealedUploads<T>): SealedSimulatedRound;
export function simulateRound<T>(
  options: SimulateRoundOptions,
  sealed?: SealedUploads<T>,
): PlainSimulatedRound | SealedSimulatedRound {
  const { config, identities, inputs } = options;
  const step = options.step ?? run;
  const drop = (key: keyof RoundDropouts) => new Set(options.dropouts?.[key] ?? []);
  const beforeAdvertise = drop('beforeAdvertise');
  const afterAdvertise = drop('afterAdvertise');
  const afterShareKeys = drop('afterShareKeys');
  const beforeMaskedInput = drop('beforeMaskedInput');
  const beforeConsistencyCheck = drop('beforeConsistencyCheck');
  const duringUnmask = drop('duringUnmask');
  const server = (stage: RoundStageName, call: ServerCall): RoundStep => ({ party: 'server', stage, call });

  // Stage 1: AdvertiseKeys.
  const server1 = step(server('advertise', 'start'), () => new ServerAdvertiseKeys(config));
  const advertising = new Map<number, ClientAdvertiseKeys>();
  for (let i = 0; i < config.n; i++) {
    if (beforeAdvertise.has(i)) continue;
    const identity = identities[i];
    if (!identity) throw new RangeError(`no identity for participant ${i} (identities has ${identities.length})`);
    const { secretKey } = identity;
    const client = step({ party: i, stage: 'advertise', call: 'advertise' }, () => {
      return new ClientAdvertiseKeys(config, i, secretKey);
    });
    advertising.set(i, client);
    // advertise() returns the message the constructor signed: nothing left for the participant to do.
    step(server('advertise', 'receive'), () => server1.receive(client.advertise()));
  }
  const server2 = step(server('advertise', 'close'), () => server1.close());

  // Stage 2: ShareKeys.
  const sharing = new Map<number, ClientShareKeys>();
  for (const [i, client] of advertising) {
    if (afterAdvertise.has(i)) continue;
    const next = step({ party: i, stage: 'shareKeys', call: 'receiveKeys' }, () => {
      return client.receiveKeys(server2.forwardedKeys(i));
    });
    const message = step({ party: i, stage: 'shareKeys', call: 'shareKeys' }, () => next.shareKeys());
    sharing.set(i, next);
    step(server('shareKeys', 'receive'), () => server2.receive(message));
  }
  const server3 = step(server('shareKeys', 'close'), () => server2.close());

  // Stage 3: MaskedInput.
  const checking = new Map<number, ClientConsistencyCheck>();
  for (const [i, client] of sharing) {
    if (afterShareKeys.has(i)) continue;
    const masking = step({ party: i, stage: 'maskedInput', call: 'receiveShares' }, () => {
      return client.receiveShares(server3.sharesFor(i));
    });
    if (beforeMaskedInput.has(i)) continue;
    const input = inputs[i]!; // a missing input is refused by mask() like any other bad vector
    const { message, next } = step({ party: i, stage: 'maskedInput', call: 'mask' }, () => masking.mask(input));
    checking.set(i, next);
    if (sealed) {
      const upload = step({ party: i, stage: 'maskedInput', call: 'seal' }, () => sealed.seal(i, message.y));
      step(server('maskedInput', 'receiveSealed'), () => server3.receiveSealed(i, () => sealed.absorb(i, upload)));
    } else step(server('maskedInput', 'receive'), () => server3.receive(message));
  }
  const server4 = step(server('maskedInput', 'close'), () => server3.close());

  // Stage 4: ConsistencyCheck.
  const request = step(server('consistencyCheck', 'checkRequest'), () => server4.consistencyRequest());
  const unmasking = new Map<number, ClientUnmask>();
  for (const [i, client] of checking) {
    if (beforeConsistencyCheck.has(i)) continue;
    const { message, next } = step({ party: i, stage: 'consistencyCheck', call: 'sign' }, () => client.sign(request));
    unmasking.set(i, next);
    step(server('consistencyCheck', 'receive'), () => server4.receive(message));
  }
  const server5 = step(server('consistencyCheck', 'close'), () => server4.close());

  // Stage 5: Unmask.
  for (const [i, client] of unmasking) {
    if (duringUnmask.has(i)) continue;
    const forwarded = step(server('unmask', 'unmaskRequest'), () => server5.unmaskRequest(i));
    const response = step({ party: i, stage: 'unmask', call: 'unmask' }, () => client.unmask(forwarded).message);
    step(server('unmask', 'receive'), () => server5.receive(response));
  }
  const members = (): RoundMembers => ({
    u1: server2.advertised,
    u2: server3.shared,
    survivors: [...request.survivors],
    dropped: [...request.dropped],
    signers: server5.signers,
    responders: server5.responded,
    stats: server5.stats(),
  });
  if (sealed) {
    const maskCorrection = step(server('unmask', 'finish'), () => server5.maskCorrection());
    return { mode: 'sealed', maskCorrection, ...members() };
  }
  const sum = step(server('unmask', 'finish'), () => server5.finish());
  return { mode: 'plain', sum, ...members() };
}
