// EVALUATE over a large data set: the model's metric sums over the validation rows, added up batch by batch.
import { auc, metricSums, type LabeledData, type Model } from '@tessera/ml';
import type { LocalData } from '../local-data.js';
import { labeledBatches, type LabeledScan, type RowPart } from './encoded-batches.js';

/**
 * metricSums over every row of the scan's `part` (validation rows, or all of them without a split). Every entry adds
 * up over batches except a binary model's AUC (entries 3 and 4: nAuc and nAuc x auc), which is not a sum over rows:
 * for it the predictions and labels of those rows are kept (9 bytes a row) and the AUC is taken over all of them, as
 * metricSums does in memory.
 */
export async function streamedMetricSums(
  data: LocalData,
  name: string,
  scan: LabeledScan,
  model: Model,
  params: Float64Array,
  part: RowPart = 'validation',
): Promise<Float64Array> {
  let total: Float64Array | undefined;
  const binary = model.task === 'binary';
  const predictions: Float64Array[] = [];
  const labels: Uint8Array[] = [];
  for await (const batch of labeledBatches(data, name, scan, part)) {
    const sums = metricSums(model, params, batch);
    if (!total) total = sums;
    else for (let i = 0; i < sums.length; i++) total[i]! += sums[i]!; // same model, same length
    if (binary) {
      predictions.push(model.predict(params, batch).slice(0, batch.n));
      labels.push(Uint8Array.from(batch.y, (v) => (v > 0.5 ? 1 : 0)));
    }
  }
  if (!total) return metricSums(model, params, empty(scan));
  if (binary) {
    const n = total[0]!;
    const y = Float64Array.from(concat(labels));
    let positives = 0;
    for (const v of y) positives += v;
    const nAuc = positives > 0 && positives < n ? n : 0;
    total[3] = nAuc;
    total[4] = nAuc > 0 ? nAuc * auc(y, concatFloat(predictions)) : 0;
  }
  return total;
}

function empty(scan: LabeledScan): LabeledData {
  const d = scan.standardisation.mean.length;
  return { x: new Float64Array(0), y: new Float64Array(0), n: 0, d };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function concatFloat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
