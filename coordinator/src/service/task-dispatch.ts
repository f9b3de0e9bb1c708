import type { tessera } from '@tessera/proto';
import type { OpenTask } from './open-task.js';

/** A participant message that belongs to a task: the task it names, and how an open task takes it. */
export interface TaskMessage {
  ref: tessera.v1.ITaskRef | null | undefined;
  handle: (t: OpenTask) => string | undefined | Promise<string | undefined>;
}

/**
 * The task part of a participant's message, for the session to route to the task open on its stream (or, on a
 * coordinator replica, to the task a driving replica opened there); undefined for messages that belong to no task.
 */
export function taskMessageOf(m: tessera.v1.IParticipantMessage): TaskMessage | undefined {
  if (m.schema) return { ref: m.schema.task, handle: (t) => t.onSchema(m.schema!) };
  if (m.update) return { ref: m.update.task, handle: (t) => t.onChunk(m.update!.chunk ?? {}) };
  if (m.done) return { ref: m.done.task, handle: (t) => t.onDone(m.done!) };
  if (m.advertise) return { ref: m.advertise.task, handle: (t) => t.onAdvertise(m.advertise!) };
  if (m.shareKeys) return { ref: m.shareKeys.task, handle: (t) => t.onShareKeys(m.shareKeys!) };
  if (m.masked) return { ref: m.masked.task, handle: (t) => t.onMaskedChunk(m.masked!.chunk ?? {}) };
  if (m.sealed) return { ref: m.sealed.task, handle: (t) => t.onSealedChunk(m.sealed!) };
  if (m.segment) return { ref: m.segment.task, handle: (t) => t.onEncryptedSegment(m.segment!) };
  if (m.psi) return { ref: m.psi.task, handle: (t) => t.onPsi(m.psi!) };
  if (m.verticalProgress)
    return { ref: m.verticalProgress.task, handle: (t) => t.onVerticalProgress(m.verticalProgress!) };
  if (m.valuation) return { ref: m.valuation.task, handle: (t) => t.onValuation(m.valuation!) };
  if (m.consistency) return { ref: m.consistency.task, handle: (t) => t.onConsistency(m.consistency!) };
  if (m.unmask) return { ref: m.unmask.task, handle: (t) => t.onUnmask(m.unmask!) };
  if (m.ready) return { ref: m.ready.task, handle: (t) => t.onReady(m.ready!) };
  return undefined;
}
