// What a node keeps of a catalogue job between its rounds: each customer's chosen items (the same in every round).
import type { CatalogueTable } from './catalogue-table.js';

/** At most this many jobs are kept at once (the least recently used goes first). */
const JOBS_KEPT = 8;

/**
 * Per-job catalogue tables of one node. A job's table goes after its last round here, when unused for `idleMs`, or
 * when newer jobs push it out; a lost table is read and chosen afresh (each round is private on its own).
 */
export class CatalogueMemory {
  private readonly jobs = new Map<string, { key: string; table: CatalogueTable; timer: NodeJS.Timeout }>();

  get(jobId: string, key: string): CatalogueTable | undefined {
    const kept = this.jobs.get(jobId);
    return kept && kept.key === key ? kept.table : undefined;
  }

  keep(jobId: string, key: string, table: CatalogueTable, idleMs: number): void {
    this.forget(jobId);
    const timer = setTimeout(() => this.forget(jobId), idleMs);
    timer.unref();
    this.jobs.set(jobId, { key, table, timer });
    for (const old of this.jobs.keys()) {
      if (this.jobs.size <= JOBS_KEPT) break;
      this.forget(old);
    }
  }

  forget(jobId: string): void {
    const kept = this.jobs.get(jobId);
    if (!kept) return;
    clearTimeout(kept.timer);
    this.jobs.delete(jobId);
  }
}

const memories = new WeakMap<object, CatalogueMemory>();

/** The catalogue memory of the node that owns `owner` (its JobMemory). */
export function catalogueMemoryOf(owner: object): CatalogueMemory {
  let m = memories.get(owner);
  if (!m) {
    m = new CatalogueMemory();
    memories.set(owner, m);
  }
  return m;
}
