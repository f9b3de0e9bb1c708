// A catalogue round against the analyst-signed catalogue spec: its round, its prefixes and its noise's level.
import { catalogueNoise, catalogueReleases, type CatalogueJobSpec, type CatalogueNoise } from '@tessera/jobs';
import type { tessera } from '@tessera/proto';
import { cohortNoise, requireSignedKindSpec } from './signed-release-spec.js';
import type { PrivacyRefusal } from './task-spec.js';

/** The refusal of a task field that differs from the signed spec (spec-authorisation.ts makes it). */
type Diff = (field: string, spec: unknown, task: unknown) => PrivacyRefusal;

/**
 * A catalogue round reads the merchant's items only for a job an analyst signed: the task must carry a catalogue spec
 * with a signature that verified (authorisationOf), whatever else it says.
 */
export const requireSignedCatalogueSpec = (auth: { analyst: string; spec?: { kind: string } }): void =>
  requireSignedKindSpec(auth, 'catalogue', 'item ids');

/**
 * The noise of this round as this node computes it from the signed spec and the round's cohort (never from what the
 * coordinator announces); PrivacyRefusal when the round cannot carry it.
 */
export function catalogueNoiseOf(task: tessera.v1.ITask, spec: CatalogueJobSpec): CatalogueNoise {
  return cohortNoise(task, 'catalogue', (n) => catalogueNoise(spec, n));
}

/**
 * The round within the spec (1..maxLength + 1, the task's own ref.round), its prefixes (round 1: the one empty
 * prefix; else 1..maxCandidates distinct prefixes of round - 1 bytes), no model, and the fixed-point level this node
 * computes. The prefixes themselves are the coordinator's reading of earlier noisy sums: any choice of them is
 * covered by the noise.
 */
export function checkCatalogue(task: tessera.v1.ITask, spec: CatalogueJobSpec, diff: Diff): void {
  const step = task.catalogue;
  if (!step) throw diff('catalogue round (Task.catalogue)', 'a catalogue round', 'none');
  const round = Number(step.round ?? 0);
  const last = catalogueReleases(spec);
  if (!(round >= 1 && round <= last)) throw diff('catalogue.round', `1..${last} (maxLength + 1)`, round);
  const refRound = Number(task.ref?.round ?? 0);
  if (refRound !== round) throw diff('task round (ref.round) of the catalogue round', round, refRound);
  const prefixes = step.prefixes ?? [];
  if (prefixes.length < 1 || prefixes.length > spec.maxCandidates)
    throw diff('catalogue.prefixes (how many)', `1..${spec.maxCandidates} (maxCandidates)`, prefixes.length);
  const seen = new Set<string>();
  for (const p of prefixes) {
    if (p.length !== round - 1) throw diff(`length of a prefix in round ${round}`, round - 1, p.length);
    const key = Buffer.from(p).toString('latin1');
    if (seen.has(key)) throw diff('catalogue.prefixes (distinct)', 'each prefix once', 'a prefix twice');
    seen.add(key);
  }
  const modelLength = Number(task.modelLength ?? 0);
  if (modelLength !== 0) throw diff('model length (Task.model_length)', 0, modelLength);
  if (!task.secure) return; // the secure mode check refuses it
  const noise = catalogueNoiseOf(task, spec);
  const dpLevel = Number(step.dpLevel ?? 0);
  if (dpLevel !== noise.level) throw diff('catalogue.dpLevel (fixed-point level)', noise.level, dpLevel);
}
