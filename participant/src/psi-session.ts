import { toHex, verifyRosterEntry, fromHex } from '@tessera/crypto';
import { SPEC_CAPS } from '@tessera/jobs';
import { psiRoles, tessera } from '@tessera/proto';
import {
  PsiChannel,
  PsiChannelError,
  PsiParty,
  psiReady,
  type PsiBlindedSet,
  type PsiReblindedSet,
  type PsiRole,
} from '@tessera/psi';
import type { LocalData } from './local-data.js';
import { DEFAULT_MAX_EPSILON, DEFAULT_OVERLAP_POLICY, mayCount, type OverlapPolicy } from './overlap-policy.js';
import { noisyOverlap } from './privacy/overlap-release.js';
import { PrivacyRefusal, taskSpecOf } from './privacy/task-spec.js';

/** What a node needs to decide on an overlap task, besides the task: its id, keys and owner's rules. */
export interface OverlapNode {
  readonly id: string;
  readonly identitySecretKey: Uint8Array;
  readonly data: LocalData;
  readonly policy?: OverlapPolicy;
  /** The roster authority's key (hex), if the owner named one. */
  readonly rosterAuthority?: string;
}

/** An overlap task as this node checked it: its role, its peer, its epsilon and its distinct identifiers. */
export interface CheckedOverlap {
  /** True when this node counts (the initiator): it compares the sets and releases the noisy count. */
  readonly counts: boolean;
  readonly peerId: string;
  readonly peerIdentityKey: Uint8Array;
  readonly epsilon: number;
  readonly ids: readonly string[];
  readonly minPeerSetSize: number;
}

const refuse = (why: string) => new PrivacyRefusal(`overlap: ${why}; refused before sending anything`);

/**
 * Checks an overlap task against the job's spec and the owner's rules, before anything is charged or sent:
 * the node's role and peer are those of the spec (participants[0] counts), the peer's identity key is known
 * (and certified by the roster authority when the owner named one), a peer may count against this node's set
 * only if the owner lets it (overlap.countingPeers), the spec's epsilon is at most overlap.maxEpsilon, and the node's
 * identifier column holds at least overlap.minSetSize distinct values. Throws PrivacyRefusal with the reason. The
 * run limit and the peer's pinned key are checked on the ledger (admitOverlapRun, overlap-runs.ts).
 */
export function checkOverlapTask(task: tessera.v1.ITask, node: OverlapNode): CheckedOverlap {
  const policy = node.policy ?? DEFAULT_OVERLAP_POLICY;
  const overlap = task.overlap;
  const spec = taskSpecOf(task);
  if (spec?.kind !== 'overlap')
    throw refuse("the task carries no overlap job spec, so this node cannot know the count's privacy or its peer");
  const epsilon = spec.spec.privacy.epsilon;
  const maxEpsilon = policy.maxEpsilon ?? DEFAULT_MAX_EPSILON;
  if (!(epsilon <= maxEpsilon)) {
    const p = Math.exp(-epsilon);
    throw refuse(
      `the job's spec asks for epsilon ${epsilon}, above this node's limit of ${maxEpsilon} (config ` +
        `overlap.maxEpsilon): at epsilon ${epsilon} the count is released exactly with probability ` +
        `${((1 - p) / (1 + p)).toFixed(4)}, which makes a set padded around one guess a membership test. ` +
        'Ask for a smaller epsilon, or the owner can raise overlap.maxEpsilon',
    );
  }
  const role = psiRoles.fromProto(overlap?.role);
  if (role !== 'initiator' && role !== 'responder') throw refuse(`the task has no PSI role (${overlap?.role ?? 0})`);
  const [first, second] = spec.spec.participants;
  const counts = node.id === first;
  if (node.id !== first && node.id !== second)
    throw refuse(`the job's spec names participants ${first} and ${second}, not this node (${node.id})`);
  if ((role === 'initiator') !== counts)
    throw refuse(
      `the task makes this node the ${role}, but the job's spec makes ${first} the counting side (the initiator)`,
    );
  const peerId = counts ? second : first;
  if ((overlap?.peerId ?? '') !== peerId)
    throw refuse(`the task names peer ${JSON.stringify(overlap?.peerId ?? '')}, the job's spec ${peerId}`);
  const peerIdentityKey = overlap?.peerIdentityKey ?? new Uint8Array(0);
  if (peerIdentityKey.length !== 32)
    throw refuse(`the task carries no identity key for the peer ${peerId} (${peerIdentityKey.length} bytes)`);
  if (node.rosterAuthority) {
    const signature = overlap?.peerRosterSignature ?? new Uint8Array(0);
    if (!verifyRosterEntry(fromHex(node.rosterAuthority), peerId, peerIdentityKey, signature))
      throw refuse(
        `the peer ${peerId}'s identity key ${toHex(peerIdentityKey).slice(0, 16)}… carries no valid certificate ` +
          `of the roster authority ${node.rosterAuthority.slice(0, 16)}… (config rosterAuthority)`,
      );
  }
  if (!counts && !mayCount(policy, peerId))
    throw refuse(
      `the job's spec makes the peer ${peerId} the counting side, and this node's owner has not let it count ` +
        "against this node's set (config overlap.countingPeers); a counting peer that deviates can test which " +
        'identifiers this node holds. Ask for the job with this node first, or add the peer to overlap.countingPeers',
    );
  const ids = identifiers(task, node.data);
  // Refusals name the limits, never the count: how many customers this node has is its owner's business.
  if (ids.length < policy.minSetSize)
    throw refuse(
      `column "${overlap?.column ?? ''}" of data set "${task.dataset ?? ''}" holds fewer distinct identifiers than ` +
        `this node's minimum of ${policy.minSetSize} (config overlap.minSetSize)`,
    );
  if (ids.length > SPEC_CAPS.psiSetSize)
    throw refuse(
      `column "${overlap?.column ?? ''}" of data set "${task.dataset ?? ''}" holds more identifiers than the ` +
        `${SPEC_CAPS.psiSetSize} of the psiSetSize cap`,
    );
  return {
    counts,
    peerId,
    peerIdentityKey,
    epsilon,
    ids,
    minPeerSetSize: policy.minSetSize,
  };
}

function identifiers(task: tessera.v1.ITask, data: LocalData): string[] {
  const column = task.overlap?.column ?? '';
  const table = data.table(task.dataset ?? '');
  const index = table.columns.indexOf(column);
  if (index < 0)
    throw new Error(
      `data set "${task.dataset}" has no identifier column "${column}" (columns: ${table.columns.join(', ')})`,
    );
  const ids = new Set<string>();
  for (const r of table.rows) {
    const v = r[index];
    if (v !== undefined && v !== '') ids.add(v);
  }
  return [...ids];
}

/** A PSI message as the plaintext of a sealed one, and back. */
const inner = (m: PsiBlindedSet | PsiReblindedSet | { kind: 'psi/count'; count: number }): Uint8Array =>
  tessera.v1.PsiPoints.encode({
    kind: m.kind,
    count: m.count,
    ...('points' in m ? { version: m.version, session: m.session, from: m.from, points: m.points } : {}),
  }).finish();

function fromInner(bytes: Uint8Array): tessera.v1.PsiPoints {
  try {
    return tessera.v1.PsiPoints.decode(bytes);
  } catch {
    throw new PsiChannelError('a sealed PSI message that opened but does not decode');
  }
}

function asSet<K extends 'psi/blinded' | 'psi/reblinded'>(m: tessera.v1.PsiPoints, kind: K) {
  return {
    kind,
    version: Number(m.version ?? 0) as 1,
    session: m.session ?? '',
    from: (m.from ?? '') as PsiRole,
    count: Number(m.count ?? 0),
    points: m.points ?? new Uint8Array(0),
  };
}

/**
 * This node's side of an audience-overlap run. Both sides first exchange signed ephemeral keys
 * (psi/hello) and then only messages sealed end to end (psi/sealed), so the coordinator relays
 * ciphertext. The counting side (the initiator) sends its blinded set; the other side sends its own
 * blinded set and re-blinds the counting side's; the counting side compares, adds discrete Laplace
 * noise to the count and sends the noisy count to its peer, and both report it. The blinding side
 * never gets its own set back, so it can compare nothing: it learns the noisy count only.
 */
export class PsiSession {
  private ownSet: PsiBlindedSet | undefined;

  private constructor(
    readonly ref: tessera.v1.ITaskRef,
    private readonly checked: CheckedOverlap,
    private readonly party: PsiParty,
    private readonly channel: PsiChannel,
    ownSet: PsiBlindedSet,
  ) {
    this.ownSet = ownSet;
  }

  /** True when this node counts. */
  get counts(): boolean {
    return this.checked.counts;
  }

  /** Blinds the identifiers and opens the channel; the hello is the first message to send. */
  static async start(
    task: tessera.v1.ITask,
    node: OverlapNode,
    checked: CheckedOverlap,
  ): Promise<{ session: PsiSession; hello: tessera.v1.IPsiPoints }> {
    await psiReady();
    const ref = task.ref ?? {};
    const session = task.overlap?.session ?? '';
    const { party, message } = PsiParty.start(checked.ids, {
      role: checked.counts ? 'initiator' : 'responder',
      session,
      // A peer's set larger than the cap is refused before any point of it is re-blinded.
      maxPeerSetSize: SPEC_CAPS.psiSetSize,
    });
    const channel = PsiChannel.start({
      session: ref.jobId ?? session,
      selfId: node.id,
      peerId: checked.peerId,
      identitySecretKey: node.identitySecretKey,
      peerIdentityKey: checked.peerIdentityKey,
    });
    const hello: tessera.v1.IPsiPoints = {
      task: ref,
      kind: 'psi/hello',
      session,
      from: checked.counts ? 'initiator' : 'responder',
      ephemeralKey: channel.hello.ephemeralKey,
      ephemeralSignature: channel.hello.signature,
    };
    return { session: new PsiSession(ref, checked, party, channel, message), hello };
  }

  /**
   * The peer's next message, as relayed: the messages to send back, and the released count once there is one.
   * Throws (PsiChannelError, PsiError, PrivacyRefusal) for a message that does not verify, open or fit the run.
   */
  onPoints(m: tessera.v1.IPsiPoints): { send: tessera.v1.IPsiPoints[]; overlap?: number } {
    if (m.kind === 'psi/hello') {
      this.channel.accept({
        ephemeralKey: m.ephemeralKey ?? new Uint8Array(0),
        signature: m.ephemeralSignature ?? new Uint8Array(0),
      });
      const own = this.ownSet;
      this.ownSet = undefined;
      if (!own) throw new PsiChannelError('a second hello');
      return { send: [this.sealed(inner(own))] };
    }
    if (m.kind !== 'psi/sealed')
      throw new PsiChannelError(
        `a PSI message of kind ${JSON.stringify(m.kind)} outside the channel: this node takes only psi/hello and ` +
          'psi/sealed',
      );
    const plain = fromInner(this.channel.open({ seq: Number(m.seq ?? 0), sealed: m.sealed ?? new Uint8Array(0) }));
    return this.checked.counts ? this.asCounter(plain) : this.asBlinder(plain);
  }

  /** The counting side: the peer's blinded set (re-blinded here, kept), then its own set back (compared). */
  private asCounter(p: tessera.v1.PsiPoints): { send: tessera.v1.IPsiPoints[]; overlap?: number } {
    if (p.kind === 'psi/blinded') {
      this.checkPeerSize(Number(p.count ?? 0));
      this.party.receive(asSet(p, 'psi/blinded')); // H(y)^{ba}, kept here: it never leaves this node
      return { send: [] };
    }
    if (p.kind === 'psi/reblinded') {
      const exact = this.party.finish(asSet(p, 'psi/reblinded'));
      const overlap = noisyOverlap(exact, this.checked.epsilon);
      return { send: [this.sealed(inner({ kind: 'psi/count', count: overlap }))], overlap };
    }
    throw new PsiChannelError(`the blinding peer sent a ${JSON.stringify(p.kind)} message to the counting side`);
  }

  /** The blinding side: the counting side's blinded set (re-blinded and returned), then the noisy count. */
  private asBlinder(p: tessera.v1.PsiPoints): { send: tessera.v1.IPsiPoints[]; overlap?: number } {
    if (p.kind === 'psi/blinded') {
      this.checkPeerSize(Number(p.count ?? 0));
      return { send: [this.sealed(inner(this.party.receive(asSet(p, 'psi/blinded'))))] };
    }
    if (p.kind === 'psi/count') {
      if (this.party.stage !== 'awaiting-own-set')
        throw new PsiChannelError('a count before this node re-blinded the counting side set');
      const count = Number(p.count ?? 0);
      if (!Number.isSafeInteger(count) || count < 0) throw new PsiChannelError(`a malformed count ${p.count}`);
      return { send: [], overlap: count };
    }
    throw new PsiChannelError(`the counting peer sent a ${JSON.stringify(p.kind)} message to the blinding side`);
  }

  private checkPeerSize(count: number): void {
    if (count < this.checked.minPeerSetSize)
      throw new PrivacyRefusal(
        `overlap: the peer ${this.checked.peerId}'s blinded set has ${count} identifiers, fewer than this node's ` +
          `minimum of ${this.checked.minPeerSetSize} (config overlap.minSetSize); refused before answering it`,
      );
  }

  private sealed(plaintext: Uint8Array): tessera.v1.IPsiPoints {
    const { seq, sealed } = this.channel.seal(plaintext);
    return { task: this.ref, kind: 'psi/sealed', seq, sealed };
  }

  close(): void {
    this.channel.close();
  }
}
