// A VERTICAL task checked against the analyst-signed spec and the node's peer keys, before a row is read.
import { fromHex, toHex, verifyRosterEntry } from '@tessera/crypto';
import type { VerticalParty, VerticalScoreSpec, VerticalSpec } from '@tessera/jobs';
import type { tessera } from '@tessera/proto';
import type { OverlapPolicy } from '../overlap-policy.js';
import type { PrivacyLedger } from '../privacy/privacy-ledger.js';
import { PrivacyRefusal, taskSpecOf } from '../privacy/task-spec.js';

/** This node's party in a vertical run and its peer, as the signed spec and the task fix them together. */
export interface CheckedParties {
  readonly party: VerticalParty;
  readonly peer: VerticalParty;
  readonly peerIdentityKey: Uint8Array;
  /** The alignment salt of this run: SHA-256 over the coordinator's salt and the spec's, when it names one. */
  readonly coordinatorSalt: Uint8Array;
  /** The run's session label (the job id). */
  readonly session: string;
  /**
   * Pins the peer's key on first use (or re-pins a certified one). Called once the peer's hello verified under it, so a
   * task refused after this check (its data, say) pins nothing.
   */
  readonly pinPeerKey: () => void;
}

/** A training run: the spec, and the public seed of the split, batching and initialisation. */
export interface CheckedVertical extends CheckedParties {
  readonly spec: VerticalSpec;
  /** The spec's seed, else the job id. */
  readonly seed: string;
}

/** A scoring run: the spec, and this node's part of the model that scores (from its ledger). */
export interface CheckedVerticalScore extends CheckedParties {
  readonly spec: VerticalScoreSpec;
  readonly modelJson: string;
}

const refuse = (why: string) => new PrivacyRefusal(`vertical: ${why}; refused before reading any data`);

/** What the check needs of the node. */
export interface VerticalNode {
  readonly id: string;
  /** The roster authority's key (hex), if the owner named one: the peer's key must then carry its certificate. */
  readonly rosterAuthority?: string;
  /** Peer keys the owner named (config overlap.peerKeys, which vertical runs honour too). */
  readonly overlapPolicy?: OverlapPolicy;
  readonly ledger: PrivacyLedger;
}

/**
 * Checks a VERTICAL task: it carries a vertical job spec, this node is one of its parties and the task's data set is
 * that party's, the peer the task names is the spec's other party, the session is the job, the salt is 32 bytes,
 * and the peer's identity key is certified by the roster authority (when the owner named one), or the key the owner
 * named, or the one pinned on first use. Throws PrivacyRefusal with the reason.
 */
export function checkVerticalTask(task: tessera.v1.ITask, node: VerticalNode): CheckedVertical {
  const parsed = taskSpecOf(task);
  if (parsed?.kind !== 'vertical')
    throw refuse('the task carries no vertical job spec, so this node cannot know its role, its columns or its peer');
  const spec = parsed.spec;
  const parties = checkParties(task, node, spec.parties);
  return { ...parties, spec, seed: spec.seed ?? parties.session };
}

/**
 * Checks a VERTICAL_SCORE task as checkVerticalTask does, and that this node holds its part of the model the spec
 * names, trained in the same role with the same peer.
 */
export function checkVerticalScoreTask(task: tessera.v1.ITask, node: VerticalNode): CheckedVerticalScore {
  const parsed = taskSpecOf(task);
  if (parsed?.kind !== 'vertical-score')
    throw refuse('the task carries no vertical score spec, so this node cannot know its role, its model or its peer');
  const spec = parsed.spec;
  const parties = checkParties(task, node, spec.parties);
  const kept = node.ledger.verticalModel(spec.model);
  if (!kept)
    throw refuse(`this node holds no part of a model of vertical job ${spec.model} (it did not complete it here)`);
  if (kept.role !== parties.party.role || kept.peerId !== parties.peer.participant)
    throw refuse(
      `this node's part of job ${spec.model}'s model is the ${kept.role}'s, trained with ${kept.peerId}; the score ` +
        `job makes it the ${parties.party.role} with ${parties.peer.participant}`,
    );
  return { ...parties, spec, modelJson: kept.modelJson };
}

function checkParties(task: tessera.v1.ITask, node: VerticalNode, parties: readonly VerticalParty[]): CheckedParties {
  const party = parties.find((p) => p.participant === node.id);
  if (!party)
    throw refuse(
      `the job's spec names parties ${parties.map((p) => p.participant).join(' and ')}, not this node (${node.id})`,
    );
  if ((task.dataset ?? '') !== party.dataset)
    throw refuse(`the task names data set "${task.dataset ?? ''}", the spec gives this node "${party.dataset}"`);
  const v = task.vertical;
  const peer = parties.find((p) => p.participant === (v?.peerId ?? ''));
  if (!peer || peer === party || peer.role === party.role)
    throw refuse(
      `the task names peer ${JSON.stringify(v?.peerId ?? '')}, which is not this node's counterpart in the spec ` +
        `(${parties
          .filter((p) => p !== party)
          .map((p) => p.participant)
          .join(', ')})`,
    );
  const jobId = task.ref?.jobId ?? '';
  if (!jobId || (v?.session ?? '') !== jobId)
    throw refuse(`the task's session ${JSON.stringify(v?.session ?? '')} is not its job ${JSON.stringify(jobId)}`);
  const salt = v?.salt ?? new Uint8Array(0);
  if (salt.length !== 32) throw refuse(`the task carries a ${salt.length}-byte alignment salt, not 32 bytes`);
  const key = v?.peerIdentityKey ?? new Uint8Array(0);
  if (key.length !== 32) throw refuse(`the task carries no identity key for the peer ${peer.participant}`);
  if (parties.length !== 2)
    throw refuse(
      `the job's spec names ${parties.length} parties; this node runs a guest with one host (the coordinator refuses ` +
        'more), so a spec for more cannot be run as a pair',
    );
  const pinPeerKey = checkPeerKey(node, peer.participant, key, v?.peerRosterSignature ?? new Uint8Array(0), jobId);
  return { party, peer, peerIdentityKey: key, coordinatorSalt: salt, session: jobId, pinPeerKey };
}

/**
 * The peer's key: certified by the roster authority, or the owner's, or the one pinned on first use. Returns the pin
 * to record once the run's channel opened under that key.
 */
function checkPeerKey(
  node: VerticalNode,
  peer: string,
  key: Uint8Array,
  signature: Uint8Array,
  jobId: string,
): () => void {
  const hex = toHex(key);
  let certified = false;
  if (node.rosterAuthority) {
    if (!verifyRosterEntry(fromHex(node.rosterAuthority), peer, key, signature))
      throw refuse(
        `the peer ${peer}'s identity key ${hex.slice(0, 16)}… carries no valid certificate of the roster authority ` +
          `${node.rosterAuthority.slice(0, 16)}… (config rosterAuthority)`,
      );
    certified = true;
  }
  const owners = node.overlapPolicy?.peerKeys?.[peer];
  if (owners !== undefined && owners !== hex)
    throw refuse(
      `the task gives the peer ${peer} the identity key ${hex}, and this node's owner named ${owners} for it ` +
        "(config overlap.peerKeys); a coordinator that swaps a peer key can take the peer's place",
    );
  const pinned = node.ledger.pinnedPeerKey(peer);
  if (owners === undefined && pinned && pinned.identityKey !== hex && !certified)
    throw refuse(
      `the task gives the peer ${peer} the identity key ${hex}, and this node pinned ${pinned.identityKey} for it ` +
        `on first use (job ${pinned.jobId}); a coordinator that swaps a peer key can take the peer's place. If ` +
        `${peer} really has a new key, a roster authority can certify it or the owner can name it in ` +
        'config overlap.peerKeys',
    );
  return () => {
    if (node.ledger.pinnedPeerKey(peer)?.identityKey === hex) return;
    node.ledger.pinPeerKey({
      participantId: peer,
      identityKey: hex,
      at: Date.now(),
      jobId,
      source: owners !== undefined ? 'owner' : certified ? 'roster' : 'first-use',
    });
  };
}
