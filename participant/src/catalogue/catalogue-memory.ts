// What a node keeps of a catalogue job between its rounds: each customer's chosen items (the same in every round).
import { KeptJobs, perOwner } from '../kept-jobs.js';
import type { CatalogueTable } from './catalogue-table.js';

/** At most this many jobs are kept at once (the least recently used goes first). */
const JOBS_KEPT = 8;

/**
 * Per-job catalogue tables of one node, under their data set and spec's key. A job's table goes after its last round
 * here, when unused for `idleMs`, or when newer jobs push it out; a lost table is read and chosen afresh (each round
 * is private on its own).
 */
export type CatalogueMemory = KeptJobs<CatalogueTable>;

/** The catalogue memory of the node that owns `owner` (its JobMemory). */
export const catalogueMemoryOf: (owner: object) => CatalogueMemory = perOwner(
  () => new KeptJobs<CatalogueTable>(JOBS_KEPT),
);
