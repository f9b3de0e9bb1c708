import { createHash, timingSafeEqual } from 'node:crypto';
import { PsiError, type PsiErrorCode } from '../errors.js';
import { randomPermutation, randomScalarBytes, requireReady } from '../group.js';
import { POINT_BYTES, type PsiRole } from '../messages.js';
import { DEFAULT_MAX_SET_SIZE } from '../party.js';
import { type AlignmentBlinder, inlineBlinder } from './blinder.js';
import { AlignmentError } from './errors.js';
import { ALIGNMENT_DST, alignmentKeys, checkSalt } from './keys.js';
import {
  ALIGNMENT_VERSION,
  type AlignmentBlinded,
  type AlignmentConfirmation,
  type AlignmentMessage,
  type AlignmentReblinded,
} from './messages.js';

export interface AlignmentOptions {
  readonly role: PsiRole;
  /** The per-job salt both sides agreed (at least 16 bytes); identifiers are keyed with it before hashing. */
  readonly salt: Uint8Array;
  /** Both sides must use the same session label; messages for another session are refused. Default ''. */
  readonly session?: string;
  /** The largest peer set (and own set) accepted. Default `DEFAULT_MAX_SET_SIZE` (10^6). */
  readonly maxPeerSetSize?: number;
  /** Where the blinding runs: `inlineBlinder` (default, this thread) or an `AlignmentWorkers` pool. */
  readonly blinder?: AlignmentBlinder;
}

/** What one side ends with. */
export interface Alignment {
  readonly role: PsiRole;
  /** This side's row indices (positions in its `ids`) of the shared identifiers, in the agreed order. */
  readonly rows: Uint32Array;
  /** The number of shared identifiers (`rows.length`). */
  readonly size: number;
  readonly ownSetSize: number;
  readonly peerSetSize: number;
}

interface Self {
  readonly role: PsiRole;
  readonly session: string;
  readonly maxPeerSetSize: number;
  readonly ownSetSize: number;
  readonly blinder: AlignmentBlinder;
}

function fail(self: Self, code: PsiErrorCode, message: string): never {
  throw new PsiError(code, `alignment ${self.role}: ${message}`);
}

function checkEnvelope(self: Self, m: AlignmentMessage, kind: AlignmentMessage['kind'], stage: string): void {
  if (typeof m !== 'object' || m === null) fail(self, 'bad-message', 'message is not an object');
  if (m.kind !== kind) {
    const known = ['psi-align/blinded', 'psi-align/reblinded', 'psi-align/confirmation'];
    if (known.includes(m.kind))
      fail(self, 'out-of-order', `got a ${m.kind} message in stage ${stage}, which takes ${kind}`);
    fail(self, 'bad-message', `unknown message kind ${String((m as { kind?: unknown }).kind)}`);
  }
  if (m.version !== ALIGNMENT_VERSION) fail(self, 'bad-message', `unsupported version ${String(m.version)}`);
  if (m.session !== self.session)
    fail(self, 'wrong-session', `message is for session "${String(m.session)}", not "${self.session}"`);
  if (m.from !== 'initiator' && m.from !== 'responder') fail(self, 'bad-message', `unknown sender ${String(m.from)}`);
  if (m.from === self.role)
    fail(self, 'wrong-role', `message claims to come from this party's own role (${self.role})`);
}

function checkPoints(self: Self, count: unknown, points: unknown, what: string): asserts points is Uint8Array {
  if (!Number.isSafeInteger(count) || (count as number) < 0)
    fail(self, 'bad-message', `${what}: count ${String(count)} is not a non-negative integer`);
  if (!(points instanceof Uint8Array)) fail(self, 'bad-message', `${what}: points is not a Uint8Array`);
  if (points.length !== (count as number) * POINT_BYTES) {
    fail(self, 'wrong-length', `${what}: ${points.length} bytes of points for a declared count of ${String(count)}`);
  }
}

/** The 32-byte encoding at `i` as a latin1 string: one char per byte, so string order is byte order. */
function keyAt(points: Buffer, i: number): string {
  return points.toString('latin1', i * POINT_BYTES, (i + 1) * POINT_BYTES);
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

abstract class Stage {
  private used = false;
  private busy = false;
  abstract readonly name: string;
  protected abstract readonly self: Self;

  /** Runs `step` once: a refused step (it throws) leaves the stage usable; a finished one consumes it. */
  protected async once<T>(step: () => Promise<T>): Promise<T> {
    this.enter();
    try {
      const out = await step();
      this.used = true;
      return out;
    } finally {
      this.busy = false;
    }
  }

  protected onceSync<T>(step: () => T): T {
    this.enter();
    try {
      const out = step();
      this.used = true;
      return out;
    } finally {
      this.busy = false;
    }
  }

  private enter(): void {
    if (this.used) fail(this.self, 'replay', `stage ${this.name} was already used`);
    if (this.busy) fail(this.self, 'replay', `stage ${this.name} is already processing a message`);
    this.busy = true;
  }
}

/**
 * Stage 1: hashes this side's identifiers (salted and normalised) to ristretto255, blinds them with a fresh
 * secret scalar and shuffles them. Returns the stage that takes the peer's blinded set, and message 1.
 * Needs `await psiReady()` first. Refuses duplicate identifiers (naming how many) and a bad salt.
 */
export async function startAlignment(
  ids: readonly string[],
  options: AlignmentOptions,
): Promise<{ stage: AlignmentAwaitingPeerSet; message: AlignmentBlinded }> {
  requireReady();
  if (options.role !== 'initiator' && options.role !== 'responder')
    throw new AlignmentError('bad-options', `role must be 'initiator' or 'responder', got ${String(options.role)}`);
  const maxPeerSetSize = options.maxPeerSetSize ?? DEFAULT_MAX_SET_SIZE;
  if (!Number.isSafeInteger(maxPeerSetSize) || maxPeerSetSize < 0)
    throw new AlignmentError('bad-options', `maxPeerSetSize ${maxPeerSetSize} is not a non-negative integer`);
  if (ids.length > maxPeerSetSize)
    throw new PsiError('too-large', `own set of ${ids.length} identifiers is over the limit of ${maxPeerSetSize}`);
  const keys = alignmentKeys(ids, checkSalt(options.salt));
  const blinder = options.blinder ?? inlineBlinder;
  const self: Self = {
    role: options.role,
    session: options.session ?? '',
    maxPeerSetSize,
    ownSetSize: ids.length,
    blinder,
  };
  const scalar = randomScalarBytes();
  try {
    const blinded = await blinder.hashAndBlind(keys, scalar, ALIGNMENT_DST);
    // Slot i of message 1 holds row perm[i]: the peer sees the rows in a uniformly random order.
    const perm = randomPermutation(ids.length);
    const points = new Uint8Array(blinded.length);
    for (let i = 0; i < perm.length; i++) {
      const row = perm[i]!; // a permutation of 0..n-1
      points.set(blinded.subarray(row * POINT_BYTES, (row + 1) * POINT_BYTES), i * POINT_BYTES);
    }
    const message: AlignmentBlinded = {
      kind: 'psi-align/blinded',
      version: ALIGNMENT_VERSION,
      session: self.session,
      from: self.role,
      count: ids.length,
      points,
    };
    return { stage: new AlignmentAwaitingPeerSet(self, scalar, perm), message };
  } catch (e) {
    scalar.fill(0);
    throw e;
  }
}

/** Stage 2: holds the secret scalar; takes the peer's blinded set and returns it re-blinded, in the peer's order. */
export class AlignmentAwaitingPeerSet extends Stage {
  readonly name = 'awaiting-peer-set';

  /** Made by `startAlignment`. */
  constructor(
    protected readonly self: Self,
    private readonly scalar: Uint8Array,
    private readonly perm: Uint32Array,
  ) {
    super();
  }

  receive(message: AlignmentBlinded): Promise<{ stage: AlignmentAwaitingOwnSet; message: AlignmentReblinded }> {
    return this.once(async () => {
      const self = this.self;
      checkEnvelope(self, message, 'psi-align/blinded', this.name);
      checkPoints(self, message.count, message.points, 'peer set');
      if (message.count > self.maxPeerSetSize)
        fail(self, 'too-large', `peer set of ${message.count} points is over the limit of ${self.maxPeerSetSize}`);
      const peer = asBuffer(message.points);
      const distinct = new Set<string>();
      for (let i = 0; i < message.count; i++) distinct.add(keyAt(peer, i));
      if (distinct.size !== message.count)
        fail(self, 'duplicate', `peer set: ${message.count - distinct.size} points repeat an earlier point`);
      const doubly = await self.blinder.reblind(message.points, this.scalar);
      this.scalar.fill(0); // not needed any more
      const keys = new Set<string>();
      const buffer = asBuffer(doubly);
      for (let i = 0; i < message.count; i++) keys.add(keyAt(buffer, i));
      const reply: AlignmentReblinded = {
        kind: 'psi-align/reblinded',
        version: ALIGNMENT_VERSION,
        session: self.session,
        from: self.role,
        count: message.count,
        points: doubly,
      };
      return { stage: new AlignmentAwaitingOwnSet(self, this.perm, keys), message: reply };
    });
  }
}

/** Stage 3: holds the peer's doubly blinded set; takes this side's own set back and finds the shared rows. */
export class AlignmentAwaitingOwnSet extends Stage {
  readonly name = 'awaiting-own-set';

  constructor(
    protected readonly self: Self,
    private readonly perm: Uint32Array,
    private readonly peerDoublyBlinded: Set<string>,
  ) {
    super();
  }

  finish(message: AlignmentReblinded): { stage: AlignmentAwaitingConfirmation; message: AlignmentConfirmation } {
    return this.onceSync(() => {
      const self = this.self;
      checkEnvelope(self, message, 'psi-align/reblinded', this.name);
      checkPoints(self, message.count, message.points, 'returned set');
      if (message.count !== self.ownSetSize)
        fail(self, 'wrong-count', `returned set has ${message.count} points, but this side sent ${self.ownSetSize}`);
      const own = asBuffer(message.points);
      const seen = new Set<string>();
      const shared: { key: string; row: number }[] = [];
      for (let i = 0; i < message.count; i++) {
        const key = keyAt(own, i);
        seen.add(key);
        if (this.peerDoublyBlinded.has(key)) shared.push({ key, row: this.perm[i]! }); // i < count = perm.length
      }
      if (seen.size !== message.count)
        fail(self, 'duplicate', `returned set: ${message.count - seen.size} points repeat an earlier point`);
      shared.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
      const rows = Uint32Array.from(shared, (s) => s.row);
      const digest = orderDigest(
        self.session,
        shared.map((s) => s.key),
      );
      const alignment: Alignment = {
        role: self.role,
        rows,
        size: rows.length,
        ownSetSize: self.ownSetSize,
        peerSetSize: this.peerDoublyBlinded.size,
      };
      const confirmation: AlignmentConfirmation = {
        kind: 'psi-align/confirmation',
        version: ALIGNMENT_VERSION,
        session: self.session,
        from: self.role,
        size: rows.length,
        digest,
      };
      return { stage: new AlignmentAwaitingConfirmation(self, alignment, digest), message: confirmation };
    });
  }
}

/** SHA-256 over the doubly blinded values of the intersection in the agreed order (both sides compute it). */
function orderDigest(session: string, sortedKeys: readonly string[]): Uint8Array {
  const h = createHash('sha256')
    .update('tessera/v1/psi-align/order')
    .update(Buffer.from([0]));
  h.update(session, 'utf8').update(Buffer.from([0]));
  for (const k of sortedKeys) h.update(k, 'latin1');
  return h.digest();
}

/** Stage 4: takes the peer's confirmation; the alignment is released only if both sides found the same order. */
export class AlignmentAwaitingConfirmation extends Stage {
  readonly name = 'awaiting-confirmation';

  constructor(
    protected readonly self: Self,
    private readonly alignment: Alignment,
    private readonly digest: Uint8Array,
  ) {
    super();
  }

  /** The alignment (possibly empty: check `size`, or use `requireOverlap`). */
  confirm(message: AlignmentConfirmation): Alignment {
    return this.onceSync(() => {
      const self = this.self;
      checkEnvelope(self, message, 'psi-align/confirmation', this.name);
      if (!(message.digest instanceof Uint8Array) || message.digest.length !== this.digest.length)
        fail(self, 'bad-message', `confirmation digest must be ${this.digest.length} bytes`);
      if (message.size !== this.alignment.size || !timingSafeEqual(message.digest, this.digest)) {
        throw new AlignmentError(
          'disagreement',
          `alignment ${self.role}: the peer found ${String(message.size)} shared ids in its order, this side ` +
            `${this.alignment.size}; the sides did not run the same protocol (version, session or a fault)`,
        );
      }
      return this.alignment;
    });
  }
}

/** Throws `AlignmentError` 'empty-intersection' (with both set sizes and what to check) if nothing is shared. */
export function requireOverlap(alignment: Alignment): Alignment {
  if (alignment.size === 0) {
    throw new AlignmentError(
      'empty-intersection',
      `alignment ${alignment.role}: no identifier is shared between this side's ${alignment.ownSetSize} and the ` +
        `peer's ${alignment.peerSetSize}; check that both sides use the same salt, id column and normalisation`,
    );
  }
  return alignment;
}
