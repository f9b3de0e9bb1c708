// CATALOGUE: one round of a private catalogue job (noisy counts of item-id extensions), only ever summed securely.
import { catalogueReleases, encodeCatalogueCounts } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { systemRandom } from '@tessera/recommend';
import { catalogueMemoryOf } from '../catalogue/catalogue-memory.js';
import { readCatalogueTable } from '../catalogue/catalogue-table.js';
import { catalogueVotes } from '../catalogue/catalogue-votes.js';
import { keptIdleMs, keptJobKey } from '../kept-jobs.js';
import type { LocalResult } from '../local-compute.js';
import { catalogueNoiseOf } from '../privacy/catalogue-check.js';
import { taskSpecOf } from '../privacy/task-spec.js';
import type { ComputeHandler } from './task-handler.js';

/** A round's result: its counts already in the ring with this node's noise share. */
export interface CatalogueResult {
  words: Uint32Array;
  customers: number;
}

export const catalogueTask: ComputeHandler<CatalogueResult> = {
  kind: 'compute',
  stage: tessera.v1.Stage.CATALOGUE,
  async compute(ctx, { task, checked }) {
    // Admission checked the task against this very spec (a signed catalogue spec: catalogue-check.ts).
    const parsed = checked?.spec ?? taskSpecOf(task);
    if (parsed?.kind !== 'catalogue') throw new Error('a catalogue round needs its signed catalogue job spec');
    const spec = parsed.spec;
    const step = task.catalogue!;
    const round = Number(step.round ?? 0);
    const jobId = task.ref?.jobId ?? '';
    const key = keptJobKey(task);
    const rng = systemRandom();
    const memory = catalogueMemoryOf(ctx.memory);
    const table = memory.get(jobId, key) ?? (await readCatalogueTable(ctx.data, spec, rng));
    const counts = catalogueVotes(table.chosen, step.prefixes ?? [], round);
    const modulus = Number(task.secure?.modulus ?? 2 ** 32);
    const words = encodeCatalogueCounts(counts, catalogueNoiseOf(task, spec), spec.privacy.maxCustomers, modulus, rng);
    counts.fill(0);
    if (round === catalogueReleases(spec)) memory.forget(jobId);
    else memory.keep(jobId, key, table, keptIdleMs(spec));
    return { result: { words, customers: table.customers }, rows: table.rows };
  },
  // Admission refuses a catalogue round outside secure aggregation (its spec's secure.mode is masked).
  reply: (ctx, active) =>
    ctx.refuse(active.task.ref, 'a catalogue round is only ever contributed to a secure sum', active.task),
  secureInput: (r): LocalResult & { words: Uint32Array } => ({ words: r.words, numExamples: 0, metrics: {} }),
};
