import { PsiError, type PsiErrorCode } from './errors.js';
import {
  asBuffer,
  encodePermuted,
  hashToGroup,
  pointKey,
  PSI_DST,
  randomPermutation,
  randomScalarBytes,
  requireReady,
  scalarMult,
  scalarToBytes,
  validatePoints,
} from './group.js';
import { PSI_VERSION, type PsiBlindedSet, type PsiMessage, type PsiReblindedSet, type PsiRole } from './messages.js';

/** Default bound on the peer's set size (and on one's own): 10^6 identifiers, 32 MB of points. */
export const DEFAULT_MAX_SET_SIZE = 1_000_000;

export interface PsiOptions {
  readonly role: PsiRole;
  /** Both parties must use the same session label; messages for another session are refused. Default ''. */
  readonly session?: string;
  /** The largest peer set (and own set) this party accepts. Default `DEFAULT_MAX_SET_SIZE`. */
  readonly maxPeerSetSize?: number;
  /** Domain separation tag for hash_to_ristretto255; both parties must agree. Default `PSI_DST`. */
  readonly dst?: string;
}

export type PsiStage = 'awaiting-peer-set' | 'awaiting-own-set' | 'done';

interface Self {
  readonly role: PsiRole;
  readonly session: string;
  readonly maxPeerSetSize: number;
  readonly ownSetSize: number;
}

function fail(self: Self, code: PsiErrorCode, message: string): never {
  throw new PsiError(code, `psi ${self.role}: ${message}`);
}

/** Checks the envelope shared by both message kinds; the points themselves are checked by the stage. */
function checkEnvelope(self: Self, message: PsiMessage, kind: PsiMessage['kind'], stage: PsiStage): void {
  if (typeof message !== 'object' || message === null) fail(self, 'bad-message', 'message is not an object');
  if (message.kind !== kind) {
    if (message.kind === 'psi/blinded' || message.kind === 'psi/reblinded') {
      fail(self, 'out-of-order', `got a ${message.kind} message in stage ${stage}, which takes ${kind}`);
    }
    fail(self, 'bad-message', `unknown message kind ${String((message as { kind?: unknown }).kind)}`);
  }
  if (message.version !== PSI_VERSION) fail(self, 'bad-message', `unsupported version ${String(message.version)}`);
  if (message.session !== self.session)
    fail(self, 'wrong-session', `message is for session "${String(message.session)}", not "${self.session}"`);
  if (message.from !== 'initiator' && message.from !== 'responder')
    fail(self, 'bad-message', `unknown sender role ${String(message.from)}`);
  if (message.from === self.role)
    fail(self, 'wrong-role', `message claims to come from this party's own role (${self.role})`);
  if (!Number.isSafeInteger(message.count) || message.count < 0)
    fail(self, 'bad-message', `count ${String(message.count)} is not a non-negative integer`);
  if (!(message.points instanceof Uint8Array)) fail(self, 'bad-message', 'points is not a Uint8Array');
}

abstract class Stage {
  abstract readonly name: PsiStage;
  abstract readonly self: Self;
}

/** After `start`: holds the secret scalar and waits for the peer's blinded set. */
class AwaitingPeerSet extends Stage {
  readonly name = 'awaiting-peer-set';
  constructor(
    readonly self: Self,
    /** a, 32 bytes little-endian; zeroised once the peer's set is re-blinded. */
    readonly scalar: Uint8Array,
  ) {
    super();
  }
}

/** After `receive`: holds the peer's doubly blinded points H(y)^{ab} (as keys) and waits for its own set back. */
class AwaitingOwnSet extends Stage {
  readonly name = 'awaiting-own-set';
  constructor(
    readonly self: Self,
    readonly peerDoublyBlinded: Set<string>,
  ) {
    super();
  }
}

class Done extends Stage {
  readonly name = 'done';
  constructor(
    readonly self: Self,
    readonly cardinality: number,
  ) {
    super();
  }
}

/**
 * One side of ECDH-PSI cardinality over ristretto255 (semi-honest). `await psiReady()` once before use.
 *
 * ```
 * const { party: alice, message: a1 } = PsiParty.start(aliceIds, 'initiator');
 * const { party: bob, message: b1 } = PsiParty.start(bobIds, 'responder');
 * const a2 = alice.receive(b1);   // H(y)^{ba}, shuffled, for bob
 * const b2 = bob.receive(a1);     // H(x)^{ab}, shuffled, for alice
 * alice.finish(b2) === bob.finish(a2); // |A ∩ B|
 * ```
 *
 * Refused calls throw a `PsiError` and leave the party unchanged.
 */
export class PsiParty {
  private state: AwaitingPeerSet | AwaitingOwnSet | Done;

  /** Use `PsiParty.start`; the stage type is not exported. */
  constructor(state: AwaitingPeerSet) {
    this.state = state;
  }

  /**
   * Hashes the (deduplicated) identifiers to ristretto255, blinds them with a fresh secret scalar, shuffles them
   * and returns message 1 for the peer. Needs `await psiReady()` first.
   */
  static start(ids: Iterable<string>, options: PsiOptions | PsiRole): { party: PsiParty; message: PsiBlindedSet } {
    const scalar = randomScalarBytes();
    try {
      return startWithScalarBytes(ids, options, scalar);
    } catch (e) {
      scalar.fill(0);
      throw e;
    }
  }

  get stage(): PsiStage {
    return this.state.name;
  }

  get role(): PsiRole {
    return this.state.self.role;
  }

  /** The number of distinct identifiers this party put in. */
  get ownSetSize(): number {
    return this.state.self.ownSetSize;
  }

  /**
   * Message 1 from the peer in, message 2 for the peer out: every point re-blinded with this party's scalar and
   * shuffled. The scalar is dropped afterwards (it is not needed to finish).
   */
  receive(message: PsiBlindedSet): PsiReblindedSet {
    const state = this.state;
    if (!(state instanceof AwaitingPeerSet)) {
      fail(state.self, 'replay', `receive() was already done (stage ${state.name})`);
    }
    const self = state.self;
    checkEnvelope(self, message, 'psi/blinded', state.name);
    if (message.count > self.maxPeerSetSize)
      fail(self, 'too-large', `peer set of ${message.count} points is over the limit of ${self.maxPeerSetSize}`);
    const { encodings } = validatePoints(message.points, message.count, true, 'peer set');

    const doubly: Uint8Array[] = encodings.map((p) => scalarMult(state.scalar, p));
    const perm = randomPermutation(doubly.length);
    const points = encodePermuted(doubly, perm);
    // This party's own copy of H(y)^{ab}: keys only, in the shuffled order (unlinkable to the peer's order too).
    const buffer = asBuffer(points);
    const keys = new Set<string>();
    for (let i = 0; i < doubly.length; i++) keys.add(pointKey(buffer, i));

    state.scalar.fill(0); // the scalar is not needed to finish
    this.state = new AwaitingOwnSet(self, keys);
    return {
      kind: 'psi/reblinded',
      version: PSI_VERSION,
      session: self.session,
      from: self.role,
      count: message.count,
      points,
    };
  }

  /** Message 2 from the peer (this party's own set, doubly blinded and shuffled) in, |A ∩ B| out. */
  finish(message: PsiReblindedSet): number {
    const state = this.state;
    if (state instanceof Done) fail(state.self, 'replay', 'finish() was already done');
    if (state instanceof AwaitingPeerSet) {
      fail(state.self, 'out-of-order', 'finish() before receive(): the peer set has not been re-blinded yet');
    }
    const self = state.self;
    checkEnvelope(self, message, 'psi/reblinded', state.name);
    if (message.count !== self.ownSetSize) {
      fail(self, 'wrong-count', `returned set has ${message.count} points, but this party sent ${self.ownSetSize}`);
    }
    const { keys } = validatePoints(message.points, message.count, false, 'returned set');
    let matches = 0;
    for (const key of keys) if (state.peerDoublyBlinded.has(key)) matches++;
    this.state = new Done(self, matches);
    return matches;
  }

  /** The cardinality, once `finish()` has run. */
  get cardinality(): number | undefined {
    return this.state instanceof Done ? this.state.cardinality : undefined;
  }
}

/**
 * `PsiParty.start` with a given scalar in [1, l). For tests that need to recompute H(x)^{ab}; not exported from
 * the package index. Production code uses `PsiParty.start`, which draws the scalar from node:crypto.
 */
export function startWithScalar(
  ids: Iterable<string>,
  options: PsiOptions | PsiRole,
  scalar: bigint,
): { party: PsiParty; message: PsiBlindedSet } {
  return startWithScalarBytes(ids, options, scalarToBytes(scalar));
}

/** Takes ownership of `scalar` (32 bytes little-endian, in [1, l)): it is zeroised after `receive()`. */
function startWithScalarBytes(
  ids: Iterable<string>,
  options: PsiOptions | PsiRole,
  scalar: Uint8Array,
): { party: PsiParty; message: PsiBlindedSet } {
  requireReady();
  const o: PsiOptions = typeof options === 'string' ? { role: options } : options;
  if (o.role !== 'initiator' && o.role !== 'responder')
    throw new PsiError('bad-message', `unknown role ${String(o.role)}`);
  const maxPeerSetSize = o.maxPeerSetSize ?? DEFAULT_MAX_SET_SIZE;
  if (!Number.isSafeInteger(maxPeerSetSize) || maxPeerSetSize < 0)
    throw new PsiError('bad-message', `maxPeerSetSize ${maxPeerSetSize} is not a non-negative integer`);
  const unique = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string') throw new PsiError('bad-message', 'identifiers must be strings');
    unique.add(id);
  }
  if (unique.size > maxPeerSetSize)
    throw new PsiError('too-large', `own set of ${unique.size} identifiers is over the limit of ${maxPeerSetSize}`);
  const self: Self = { role: o.role, session: o.session ?? '', maxPeerSetSize, ownSetSize: unique.size };
  const dst = o.dst ?? PSI_DST;
  const blinded: Uint8Array[] = [];
  for (const id of unique) blinded.push(scalarMult(scalar, hashToGroup(id, dst)));
  const points = encodePermuted(blinded, randomPermutation(blinded.length));
  const message: PsiBlindedSet = {
    kind: 'psi/blinded',
    version: PSI_VERSION,
    session: self.session,
    from: self.role,
    count: unique.size,
    points,
  };
  return { party: new PsiParty(new AwaitingPeerSet(self, scalar)), message };
}
