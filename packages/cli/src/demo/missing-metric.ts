/** Why a round's metric is missing from the demo's per-round table, said in the cell and in a note under it. */

/** The aggregation and privacy modes of a training run (a demo result, or a job's spec). */
export interface Modes {
  secure: { mode?: string | undefined };
  privacy: { mode?: string | undefined };
}

/** A training job's modes from its spec as the coordinator shows it. */
export function modesOfSpec(spec: Record<string, unknown>): Modes {
  const mode = (v: unknown): string | undefined =>
    typeof v === 'object' && v !== null && typeof (v as { mode?: unknown }).mode === 'string'
      ? (v as { mode: string }).mode
      : undefined;
  return { secure: { mode: mode(spec.secure) }, privacy: { mode: mode(spec.privacy) } };
}

/** A missing cell's text (`n/a (why)`) and the sentence that explains it. */
export interface MissingMetric {
  cell: string;
  note: string;
}

/** Why the federated evaluation (loss, AUC) is absent in a round. */
export function missingEvaluation(r: Modes, contributors: number): MissingMetric {
  if (r.secure.mode === 'sealed')
    return { cell: 'n/a (sealed)', note: 'n/a (sealed): only the analyst decrypts metrics; the coordinator sees none' };
  if (r.privacy.mode !== undefined && r.privacy.mode !== 'none')
    return {
      cell: 'n/a (DP)',
      note: 'n/a (DP): under differential privacy each evaluation would spend privacy budget, so none runs per round',
    };
  if (contributors < 2)
    return {
      cell: 'n/a (too few)',
      note: 'n/a (too few): a federated evaluation needs at least 2 participants, and fewer were left',
    };
  return { cell: 'n/a (not reported)', note: 'n/a (not reported): no participant reported it in that round' };
}

/**
 * Why the training loss is absent. In plaintext rounds the participants report it; under secure aggregation it
 * comes from the same secure evaluation as the loss and AUC, so it is absent for the same reasons.
 */
export function missingTrainLoss(r: Modes, contributors: number): MissingMetric {
  if (r.secure.mode === 'none')
    return { cell: 'n/a (not reported)', note: 'n/a (not reported): no participant reported it in that round' };
  return missingEvaluation(r, contributors);
}
