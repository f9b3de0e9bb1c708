import { CHUNK_VALUES, type tessera } from '@tessera/proto';
import type { OpenTask, ParticipantSession } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';

/** A refusal on the participant owner's terms (privacy, consent, query rules), as the participant classed it. */
export type OwnersRefusal = Exclude<
  tessera.v1.RefusalKind,
  tessera.v1.RefusalKind.REFUSAL_UNSPECIFIED | tessera.v1.RefusalKind.REFUSAL_FAILURE
>;

export type Settle<R> = (
  outcome: { ok: true; result: R } | { ok: false; reason: string; refusal?: OwnersRefusal },
) => void;

export interface StageOutcome<R> {
  results: Map<string, R>;
  failures: Map<string, string>;
  /** Of the failures, the participants that refused on their owners' terms, and how. */
  refusals: Map<string, OwnersRefusal>;
}

/** How many participants a stage is opened for at once. */
export const SEND_CONCURRENCY = 4;

export interface StageRequest {
  /** The message that opens the stage for this participant (a Task, or a secure-aggregation step). */
  message: tessera.v1.ICoordinatorMessage;
  /** Streamed to the participant in ModelChunk messages right after the message. */
  model?: Float64Array;
}

/**
 * Sends one task to each participant and collects the answers through per-participant
 * collectors. Resolves when every participant has answered, dropped or refused, when the
 * deadline passes, or when `earlyStop` says enough is known; unanswered tasks are cancelled.
 */
export async function runStage<R>(opts: {
  key: TaskKey;
  sessions: readonly ParticipantSession[];
  request: (s: ParticipantSession) => StageRequest;
  collector: (s: ParticipantSession, settle: Settle<R>) => OpenTask;
  deadlineMs: number;
  signal?: AbortSignal;
  /** Participants being sent to at once (default SEND_CONCURRENCY). */
  sendConcurrency?: number;
  /** Called each time a participant has answered, dropped or refused: how many have, of how many (stageProgress). */
  onProgress?: (settled: number, total: number) => void;
}): Promise<StageOutcome<R>> {
  const results = new Map<string, R>();
  const failures = new Map<string, string>();
  const refusals = new Map<string, OwnersRefusal>();
  const open = new Map<string, { session: ParticipantSession; task: OpenTask }>();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const checkDone = () => {
    if (open.size === 0) finish();
  };

  for (const session of opts.sessions) {
    const id = session.participantId;
    let settled = false;
    const settle: Settle<R> = (o) => {
      if (settled) return;
      settled = true;
      const entry = open.get(id);
      open.delete(id);
      if (entry) session.closeTask(entry.task);
      if (o.ok) results.set(id, o.result);
      else {
        failures.set(id, o.reason);
        if (o.refusal) refusals.set(id, o.refusal);
      }
      opts.onProgress?.(results.size + failures.size, opts.sessions.length);
      checkDone();
    };
    const task = opts.collector(session, settle);
    open.set(id, { session, task });
    session.openTask(task);
  }

  const deadline = setTimeout(finish, opts.deadlineMs);
  const onAbort = () => finish();
  opts.signal?.addEventListener('abort', onAbort);

  // Open the stage for a few participants at a time: every stream buffers what it has not yet
  // sent, so sending a model to all n at once would hold O(n * d) in memory.
  const queue = [...opts.sessions];
  const sendNext = async (): Promise<void> => {
    for (let session = queue.shift(); session; session = queue.shift()) await openFor(session);
  };
  const openFor = async (session: ParticipantSession): Promise<void> => {
    if (!open.has(session.participantId)) return;
    try {
      const { message, model } = opts.request(session);
      await session.send(message);
      if (model) {
        for (let offset = 0; offset < model.length; offset += CHUNK_VALUES) {
          if (!open.has(session.participantId)) return;
          const values = model.subarray(offset, Math.min(model.length, offset + CHUNK_VALUES));
          await session.send({
            model: { task: opts.key, chunk: { offset, total: model.length, values: values as unknown as number[] } },
          });
        }
      }
    } catch {
      open.get(session.participantId)?.task.onDisconnect();
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.sendConcurrency ?? SEND_CONCURRENCY, queue.length) }, sendNext));
  checkDone();
  await finished;
  clearTimeout(deadline);
  opts.signal?.removeEventListener('abort', onAbort);

  const why = opts.signal?.aborted ? 'the job was cancelled' : 'no answer before the round deadline';
  for (const [id, { session, task }] of open) {
    session.closeTask(task);
    task.onRefused(why);
    failures.set(id, why);
    session.send({ cancel: { task: task.key, reason: why } }).catch(() => undefined);
  }
  open.clear();
  return { results, failures, refusals };
}
