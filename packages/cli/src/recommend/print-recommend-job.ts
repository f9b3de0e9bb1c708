// A recommend job as `job get`, `job watch` and `job submit --watch` print it: its rounds and held-out evaluation.
import type { JobView } from '@tessera/sdk';
import { renderTable } from '../ui/table.js';
import { heldOutLine, recommendMetricsOf } from './recommend-metrics.js';

export function printRecommendJob(j: JobView): void {
  const rounds = j.history.filter((h) => h.stage === 'recommend');
  if (rounds.length)
    process.stdout.write(
      `${renderTable(
        ['round', 'status', 'contributors', 'dropped', 'item change (RMS)', 'seconds'],
        rounds.map((h) => [
          h.round,
          h.status + (h.attempt > 1 ? ` (attempt ${h.attempt})` : ''),
          h.contributors,
          h.dropped.length,
          h.metrics.item_change_rms ?? Number.NaN,
          h.seconds,
        ]),
      )}\n`,
    );
  const m = recommendMetricsOf(j.result);
  if (m) process.stdout.write(`${heldOutLine(m)}\n`);
  if (j.status === 'completed')
    process.stdout.write(`save the item model with: tessera job result ${j.id} --out model.json\n`);
}
