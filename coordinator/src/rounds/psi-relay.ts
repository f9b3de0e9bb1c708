import type { tessera } from '@tessera/proto';
import type { ParticipantSession } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';
import { Collector } from './collectors.js';
import type { Settle } from './stage.js';

/** Sealed messages per side: the blinded set, then the re-blinded set (blinding side) or the count (counting side). */
const MAX_SEALED = 2;
/** Bytes a sealed set may carry beyond its points: the AEAD's nonce and tag and the inner message's fields. */
const SEALED_SLACK = 1024;

/**
 * Relays a channel message (hello or sealed) to the peer: only the channel's fields travel on, nothing in the clear
 * beyond the kind, the sender's role and the sequence number.
 */
export function forwardSealed(peer: ParticipantSession, key: TaskKey, m: tessera.v1.IPsiPoints): void {
  void peer
    .send({
      psi: {
        task: key,
        kind: m.kind,
        session: m.session ?? '',
        from: m.from ?? '',
        ephemeralKey: m.ephemeralKey ?? new Uint8Array(0),
        ephemeralSignature: m.ephemeralSignature ?? new Uint8Array(0),
        seq: Number(m.seq ?? 0),
        sealed: m.sealed ?? new Uint8Array(0),
      },
    })
    .catch(() => undefined);
}

/** Why a hello cannot be relayed (a second one, or not an X25519 key and an Ed25519 signature), or undefined. */
export function helloProblem(m: tessera.v1.IPsiPoints, seen: boolean): string | undefined {
  if (seen) return 'a second hello';
  if (m.ephemeralKey?.length !== 32 || m.ephemeralSignature?.length !== 64)
    return 'a hello needs a 32-byte ephemeral key and a 64-byte signature';
  return undefined;
}

/**
 * One side of a set-intersection cardinality run. The two participants' messages cross the
 * coordinator sealed end to end (psi-channel in @tessera/psi): a hello (an ephemeral key signed by
 * the sender's identity) and then sealed messages, which are relayed as they come; plaintext point
 * sets are refused, so the coordinator never holds a blinded point. Each side sends one hello and at
 * most two sealed messages (its blinded set, and the re-blinded set or the count), each no larger than
 * the job's `maxSetSize` points (the psiSetSize cap at most) allow, so neither side can make the other
 * hash and re-blind more. Its TaskDone carries the noisy overlap it reported.
 */
export class PsiRelayCollector extends Collector<number> {
  private hello = false;
  private sealed = 0;

  constructor(
    key: TaskKey,
    settle: Settle<number>,
    private readonly peer: () => ParticipantSession | undefined,
    private readonly maxSetSize: number,
  ) {
    super(key, settle);
  }

  override onPsi(m: tessera.v1.IPsiPoints): string | undefined {
    const problem = this.check(m);
    if (problem) return problem;
    const peer = this.peer();
    if (!peer) return 'the other participant is gone';
    if (m.kind === 'psi/hello') this.hello = true;
    else this.sealed++;
    forwardSealed(peer, this.key, m);
    return undefined;
  }

  private check(m: tessera.v1.IPsiPoints): string | undefined {
    if ((m.points?.length ?? 0) > 0 || m.kind === 'psi/blinded' || m.kind === 'psi/reblinded')
      return 'a PSI set in the clear: the participants seal their sets end to end (psi/hello, psi/sealed)';
    if (m.kind === 'psi/hello') return helloProblem(m, this.hello);
    if (m.kind !== 'psi/sealed') return `unknown PSI message kind ${JSON.stringify(m.kind)}`;
    if (!this.hello) return 'a sealed PSI message before the hello';
    if (this.sealed >= MAX_SEALED) return `more than ${MAX_SEALED} sealed PSI messages`;
    if (Number(m.seq ?? 0) !== this.sealed) return `sealed message number ${m.seq}, expected ${this.sealed}`;
    const limit = this.maxSetSize * 32 + SEALED_SLACK;
    if ((m.sealed?.length ?? 0) > limit)
      return (
        `a sealed PSI message of ${m.sealed?.length} bytes is larger than the ${limit} that a set of the ` +
        `${this.maxSetSize} points this overlap job takes needs (its maxSetSize, at most the psiSetSize cap)`
      );
    return undefined;
  }

  override onDone(done: tessera.v1.ITaskDone): string | undefined {
    const overlap = (done.metrics ?? []).find((x) => x.name === 'overlap');
    if (!overlap || !Number.isInteger(Number(overlap.value)) || Number(overlap.value) < 0)
      return 'done without an overlap count';
    this.settle({ ok: true, result: Number(overlap.value) });
    return undefined;
  }
}
