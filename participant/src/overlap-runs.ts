// An overlap run's admission on the node's ledger: the owner's daily run limit, and peer keys pinned on first use.
import { toHex } from '@tessera/crypto';
import type { tessera } from '@tessera/proto';
import { DEFAULT_MAX_RUNS_PER_DAY, type OverlapPolicy } from './overlap-policy.js';
import type { PrivacyLedger } from './privacy/privacy-ledger.js';
import { PrivacyRefusal } from './privacy/task-spec.js';
import type { CheckedOverlap } from './psi-session.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

const refuse = (why: string) => new PrivacyRefusal(`overlap: ${why}; refused before sending anything`);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Admits one overlap run on this node's ledger, or throws PrivacyRefusal: fewer than overlap.maxRunsPerDay runs in
 * the last 24 hours (every peer and data set counted), and the peer's identity key the one this node knows for it:
 * the owner's (overlap.peerKeys) if named there, else the key pinned on the first run with that peer. A changed key
 * is refused, naming both, unless the roster authority certified it (`certified`: checkOverlapTask verified the
 * certificate), which re-pins it. Records the run and the pin; called inside the admission's ledger transaction,
 * so a task refused later (budget, spec) leaves neither.
 */
export function admitOverlapRun(
  ledger: PrivacyLedger,
  policy: OverlapPolicy,
  task: tessera.v1.ITask,
  checked: CheckedOverlap,
  certified: boolean,
  now = Date.now(),
): void {
  const jobId = task.ref?.jobId ?? '';
  const peer = checked.peerId;
  const key = toHex(checked.peerIdentityKey);
  ledger.atomically(() => {
    const max = policy.maxRunsPerDay ?? DEFAULT_MAX_RUNS_PER_DAY;
    const runs = ledger.overlapRunsAfter(now - DAY_MS);
    if (runs.length >= max)
      throw refuse(
        `this node has taken part in ${runs.length} overlap runs in the last 24 hours, its limit ` +
          `(config overlap.maxRunsPerDay: ${max}); repeated noisy counts of the same customers average the noise ` +
          `away. The next run is possible from ${iso(runs[runs.length - max]! + DAY_MS)}, or the owner can raise ` +
          'overlap.maxRunsPerDay',
      );
    const owners = policy.peerKeys?.[peer];
    const pinned = ledger.pinnedPeerKey(peer);
    if (owners !== undefined) {
      if (owners !== key)
        throw refuse(
          `the task gives the peer ${peer} the identity key ${key}, and this node's owner named ${owners} for it ` +
            '(config overlap.peerKeys); a coordinator that swaps a peer key can answer the run in its place',
        );
    } else if (pinned && pinned.identityKey !== key && !certified)
      throw refuse(
        `the task gives the peer ${peer} the identity key ${key}, and this node pinned ${pinned.identityKey} for it ` +
          `on first use (job ${pinned.jobId}, ${iso(pinned.at)}); a coordinator that swaps a peer key can answer ` +
          `the run in its place. If ${peer} really has a new key, its owner's roster authority can certify it ` +
          `(config rosterAuthority) or this node's owner can name it in config overlap.peerKeys`,
      );
    if (pinned?.identityKey !== key)
      ledger.pinPeerKey({
        participantId: peer,
        identityKey: key,
        at: now,
        jobId,
        source: owners !== undefined ? 'owner' : certified ? 'roster' : 'first-use',
      });
    ledger.recordOverlapRun({ at: now, dataset: task.dataset ?? '', jobId, peerId: peer, epsilon: checked.epsilon });
  });
}
