// How the CLI shows a vertical job's result (held-out metrics, the guest's model) and a vertical score job's summary.
import { writeFileSync } from 'node:fs';
import type { JobView, VerticalJobResult, VerticalScoreResult } from '@tessera/sdk';
import { renderTable } from '../ui/table.js';

export const verticalResultOf = (j: JobView): VerticalJobResult | undefined =>
  (j.result as Partial<VerticalJobResult> | undefined)?.vertical ? (j.result as VerticalJobResult) : undefined;

export const verticalScoreOf = (j: JobView): VerticalScoreResult | undefined =>
  (j.result as Partial<VerticalScoreResult> | undefined)?.verticalScore ? (j.result as VerticalScoreResult) : undefined;

/** The held-out metrics of a vertical job, and who holds which part of its model. */
export function printVerticalResult(r: VerticalJobResult): void {
  const v = r.vertical;
  const f = v.federated;
  process.stdout.write(
    `${renderTable(
      ['model', 'shared customers', 'train', 'test', 'AUC', 'accuracy', 'log loss'],
      [[v.model, v.overlap, f.trainRows, f.testRows, f.auc, f.accuracy, f.logLoss]],
    )}\n` +
      `held out: the guest measured these on shared customers no party trained on. The guest ${v.guest} keeps its ` +
      `part of the model (below: tessera job result --out); each host (${v.hosts.join(', ')}) keeps its own, so ` +
      'scoring is joint: tessera score --vertical.\n',
  );
}

/** A vertical score job's summary: the scores themselves stay with the guest. */
export function printVerticalScore(r: VerticalScoreResult): void {
  const s = r.verticalScore;
  const bins = s.histogram.map((n, i) => [`${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`, n]);
  process.stdout.write(
    `${renderTable(['score', 'customers'], bins)}\n` +
      `${s.scored} shared customers scored with job ${s.model}'s model (mean ${s.meanScore?.toFixed(4)}); each ` +
      `score stays with the guest ${s.guest}, in vertical-scores/<job>.csv beside its ledger.\n`,
  );
}

/** Writes the guest's part of a vertical model, with the job it came from, as JSON. */
export function saveGuestModel(path: string, job: JobView, r: VerticalJobResult): void {
  writeFileSync(
    path,
    `${JSON.stringify({ job: { id: job.id, name: job.name, ...r.vertical }, guestModel: r.guestModel }, null, 2)}\n`,
  );
}
