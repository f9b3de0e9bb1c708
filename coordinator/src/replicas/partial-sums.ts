import type { tessera } from '@tessera/proto';
import type { ServerMaskedInput } from '@tessera/secagg';
import { Collector } from '../rounds/collectors.js';
import type { Settle } from '../rounds/stage.js';
import type { OpenTask, ParticipantSession } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';
import { RemoteSession } from './remote-session.js';

/** What the driver needs of a link to ask its holder for a partial sum. */
export interface PartialSumLink {
  openPartialSum(open: tessera.v1.IPartialSumOpen, onSum: (sum: tessera.v1.IPartialSum) => void): () => void;
}

/** A remote participant's place in a masked-input stage whose vector its holder sums: settled by the partial sum. */
class PartialMember extends Collector<true> {
  constructor(key: TaskKey, settle: Settle<true>) {
    super(key, settle);
  }
  /** Called when the partial sum it is in was accepted, or with why it is not in. */
  resolve(reason?: string): void {
    this.settle(reason === undefined ? { ok: true, result: true } : { ok: false, reason });
  }
}

/**
 * The driver's side of partial sums in one masked-input stage: the participants held by other replicas are grouped
 * by link, each holder is asked for one partial sum of its participants' masked vectors, and each sum is added to
 * the round's stage 3 state as its members' inputs (`receivePartialSum`). Local participants upload as before.
 */
export class PartialSums {
  private readonly members = new Map<string, PartialMember>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly key: TaskKey,
    sessions: readonly ParticipantSession[],
    indexOf: (s: ParticipantSession) => number,
    spec: { dimension: number; modulus: number; flushAfterMs: number },
    private readonly server: Pick<ServerMaskedInput, 'receivePartialSum'>,
  ) {
    const byLink = new Map<RemoteSession['link'], RemoteSession[]>();
    for (const s of sessions) {
      if (!(s instanceof RemoteSession) || !isPartialLink(s.link)) continue;
      byLink.set(s.link, [...(byLink.get(s.link) ?? []), s]);
    }
    for (const [link, group] of byLink) {
      const ids = group.map((s) => s.participantId);
      this.unsubscribe.push(
        (link as unknown as PartialSumLink).openPartialSum(
          {
            task: key,
            dimension: spec.dimension,
            modulus: spec.modulus,
            participantIds: ids,
            indices: group.map(indexOf),
            flushAfterMs: spec.flushAfterMs,
          },
          (sum) => this.absorb(sum, ids, group.map(indexOf)),
        ),
      );
      for (const id of ids) this.members.set(id, undefined as unknown as PartialMember);
    }
  }

  /** The collector of a participant whose holder sums its vector; undefined for one whose stream is here. */
  collectorFor(s: ParticipantSession, settle: Settle<true>): OpenTask | undefined {
    if (!this.members.has(s.participantId)) return undefined;
    const member = new PartialMember(this.key, settle);
    this.members.set(s.participantId, member);
    return member;
  }

  private absorb(sum: tessera.v1.IPartialSum, ids: readonly string[], indices: readonly number[]): void {
    const idAt = new Map(indices.map((index, i) => [index, ids[i]!]));
    const included = (sum.indices ?? []).map(Number);
    const failed = new Map(
      (sum.failedIds ?? []).map((id, i) => [id, sum.failedReasons?.[i] ?? 'not in the partial sum']),
    );
    let problem: string | undefined;
    if (included.some((i) => !idAt.has(i))) problem = 'the partial sum names a participant its holder does not hold';
    else if (included.length) {
      try {
        this.server.receivePartialSum(included, Uint32Array.from(sum.words ?? []));
      } catch (e) {
        problem = `the partial sum was refused: ${(e as Error).message}`;
      }
    }
    for (const id of ids) {
      const member = this.members.get(id);
      if (!member) continue;
      const index = indices[ids.indexOf(id)]!;
      if (problem) member.resolve(problem);
      else if (included.includes(index)) member.resolve();
      else member.resolve(failed.get(id) ?? "not in its holder's partial sum");
    }
  }

  /** The stage ended: partial sums that come later are ignored. */
  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }
}

function isPartialLink(link: unknown): boolean {
  return typeof (link as Partial<PartialSumLink>).openPartialSum === 'function';
}
