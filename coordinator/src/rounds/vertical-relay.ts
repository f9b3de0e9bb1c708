// One party of a vertical job: its sealed messages relayed to the other party, its TaskDone checked.
import type { tessera } from '@tessera/proto';
import type { ParticipantSession } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';
import { Collector } from './collectors.js';
import { forwardSealed, helloProblem } from './psi-relay.js';
import type { Settle } from './stage.js';

/** The largest sealed message: a 1 MiB chunk of a vertical message plus the AEAD's nonce, tag and framing. */
export const MAX_VERTICAL_SEALED_BYTES = 1024 * 1024 + 1024;
/** The largest guest model a TaskDone may carry (JSON). */
export const MAX_VERTICAL_RESULT_BYTES = 4 * 1024 * 1024;

const PHASES = ['align', 'setup', 'train', 'evaluate', 'score'];

/** What a party's TaskDone says: the guest's held-out metrics and its part of the model; a host's nothing. */
export interface VerticalAnswer {
  readonly metrics: Record<string, number>;
  readonly resultJson: string;
}

/**
 * One side of a vertical run. The parties' messages cross the coordinator sealed end to end (the psi-channel of
 * @tessera/psi, under keys each signs with its identity): one hello each, then sealed chunks numbered from 0 in each
 * direction, relayed as they come. A message in the clear is refused, so the coordinator never holds a ciphertext
 * it could open, a row, a score or a weight; it sees lengths and timing only.
 */
export class VerticalRelayCollector extends Collector<VerticalAnswer> {
  private hello = false;
  private sealed = 0;
  /** Bytes relayed from this party (reported with the round). */
  bytes = 0;

  constructor(
    key: TaskKey,
    settle: Settle<VerticalAnswer>,
    private readonly peer: () => ParticipantSession | undefined,
    /** Where a party's progress goes (the job's events): a phase and step counts, nothing else. */
    private readonly progress: (phase: string, done: number, total: number) => void = () => undefined,
  ) {
    super(key, settle);
  }

  override onVerticalProgress(p: tessera.v1.IVerticalProgress): string | undefined {
    const phase = p.phase ?? '';
    if (!PHASES.includes(phase)) return `unknown vertical phase ${JSON.stringify(phase)}`;
    this.progress(phase, Number(p.done ?? 0), Number(p.total ?? 0));
    return undefined;
  }

  override onPsi(m: tessera.v1.IPsiPoints): string | undefined {
    const problem = this.check(m);
    if (problem) return problem;
    const peer = this.peer();
    if (!peer) return 'the other party is gone';
    if (m.kind === 'psi/hello') this.hello = true;
    else this.sealed++;
    this.bytes += m.sealed?.length ?? 0;
    forwardSealed(peer, this.key, m);
    return undefined;
  }

  private check(m: tessera.v1.IPsiPoints): string | undefined {
    if ((m.points?.length ?? 0) > 0 || (m.kind !== 'psi/hello' && m.kind !== 'psi/sealed'))
      return 'a vertical message in the clear: the parties seal their messages end to end (psi/hello, psi/sealed)';
    if (m.kind === 'psi/hello') return helloProblem(m, this.hello);
    if (!this.hello) return 'a sealed vertical message before the hello';
    if (Number(m.seq ?? 0) !== this.sealed) return `sealed message number ${m.seq}, expected ${this.sealed}`;
    if ((m.sealed?.length ?? 0) > MAX_VERTICAL_SEALED_BYTES)
      return (
        `a sealed vertical message of ${m.sealed?.length} bytes is larger than the ${MAX_VERTICAL_SEALED_BYTES} ` +
        'a chunk may be'
      );
    return undefined;
  }

  override onDone(done: tessera.v1.ITaskDone): string | undefined {
    const resultJson = done.resultJson ?? '';
    if (resultJson.length > MAX_VERTICAL_RESULT_BYTES)
      return `a vertical result of ${resultJson.length} bytes, above the ${MAX_VERTICAL_RESULT_BYTES} allowed`;
    const metrics: Record<string, number> = {};
    for (const x of done.metrics ?? []) {
      const v = Number(x.value);
      if (!x.name || !Number.isFinite(v)) return `a vertical metric ${JSON.stringify(x.name)} that is not a number`;
      metrics[x.name] = v;
    }
    this.settle({ ok: true, result: { metrics, resultJson } });
    return undefined;
  }
}
