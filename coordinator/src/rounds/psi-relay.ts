import type { tessera } from '@tessera/proto';
import type { ParticipantSession } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';
import { Collector } from './collectors.js';
import type { Settle } from './stage.js';

/**
 * One side of a set-intersection cardinality run: its blinded point sets are relayed to the
 * other side as they come (the coordinator sees only blinded points), and its TaskDone carries the
 * overlap it computed. Each side sends exactly one set of each kind, in order, of at most the job's
 * `maxSetSize` points (the psiSetSize cap at most), so neither side can make the other hash and re-blind more.
 */
export class PsiRelayCollector extends Collector<number> {
  private sent = { blinded: false, reblinded: false };

  constructor(
    key: TaskKey,
    settle: Settle<number>,
    private readonly peer: () => ParticipantSession | undefined,
    private readonly maxSetSize: number,
  ) {
    super(key, settle);
  }

  override onPsi(m: tessera.v1.IPsiPoints): string | undefined {
    const kind = m.kind === 'psi/blinded' ? 'blinded' : m.kind === 'psi/reblinded' ? 'reblinded' : undefined;
    if (!kind) return `unknown set kind ${JSON.stringify(m.kind)}`;
    if (this.sent[kind]) return `a ${kind} set was already relayed`;
    if (kind === 'reblinded' && !this.sent.blinded) return 'a re-blinded set before the blinded one';
    const count = Number(m.count ?? 0);
    if (count > this.maxSetSize)
      return (
        `a ${kind} set of ${count} points is larger than the ${this.maxSetSize} this overlap job takes ` +
        '(its maxSetSize, at most the psiSetSize cap)'
      );
    const points = m.points ?? new Uint8Array(0);
    if (points.length !== Number(m.count ?? 0) * 32)
      return `${m.count} points need ${Number(m.count ?? 0) * 32} bytes, got ${points.length}`;
    const peer = this.peer();
    if (!peer) return 'the other participant is gone';
    this.sent[kind] = true;
    void peer.send({ psi: { ...m, task: this.key } });
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
