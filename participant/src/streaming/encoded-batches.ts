// The agreed features of a large data set, encoded (and standardised) one batch of rows at a time.
import { encodeTable, type AgreedSchema, type EncodedData } from '@tessera/data';
import { standardise, type LabeledData, type Standardisation } from '@tessera/ml';
import type { LocalData } from '../local-data.js';
import { batchTable } from './batch-table.js';

/** Rows per batch: memory is a batch (rows as text, then n x d numbers), whatever the data set's size. */
export const BATCH_ROWS = 65_536;

/** The columns a schema reads: the label, then each feature once. */
export function schemaColumns(schema: AgreedSchema): string[] {
  return [...new Set([schema.label, ...schema.features.map((f) => f.name)])];
}

/** Each batch encoded with the agreed schema (encodeTable's rules and errors), with its first row's scan position. */
export async function* encodedBatches(
  data: LocalData,
  name: string,
  schema: AgreedSchema,
  batchRows = BATCH_ROWS,
): AsyncGenerator<{ encoded: EncodedData; first: number }> {
  const source = data.describe(name).source;
  for await (const batch of data.batches(name, schemaColumns(schema), batchRows)) {
    yield { encoded: encodeTable(batchTable(source, batch), schema), first: batch.first };
  }
}

/** What a scan keeps of each batch: its training rows, its validation rows, or every row. */
export type RowPart = 'train' | 'validation' | 'all';

export interface LabeledScan {
  schema: AgreedSchema;
  standardisation: Standardisation;
  /** Whether the row at a scan position is a validation row (validation-split.ts). */
  isValidation: (position: number) => boolean;
  /** Maps the encoded labels (e.g. a regression's scaling), or leaves them. */
  labels?: (y: Float64Array) => Float64Array;
  batchRows?: number;
}

/** The part's rows of each batch, standardised, with mapped labels; batches with none of its rows are skipped. */
export async function* labeledBatches(
  data: LocalData,
  name: string,
  scan: LabeledScan,
  part: RowPart,
): AsyncGenerator<LabeledData> {
  for await (const { encoded, first } of encodedBatches(data, name, scan.schema, scan.batchRows)) {
    const kept = part === 'all' ? encoded : keepRows(encoded, first, scan.isValidation, part === 'validation');
    if (kept.n === 0) continue;
    const z = standardise(kept, scan.standardisation);
    yield { x: z.x, n: z.n, d: z.d, y: scan.labels ? scan.labels(kept.y) : kept.y };
  }
}

/** The rows of a batch whose validation test equals `validation`, compacted in place order. */
function keepRows(
  e: EncodedData,
  first: number,
  isValidation: (position: number) => boolean,
  validation: boolean,
): EncodedData {
  const { d } = e;
  const x = new Float64Array(e.x.length);
  const y = new Float64Array(e.n);
  let n = 0;
  for (let i = 0; i < e.n; i++) {
    if (isValidation(first + i) !== validation) continue;
    x.set(e.x.subarray(i * d, (i + 1) * d), n * d);
    y[n] = e.y[i]!; // i < e.n
    n++;
  }
  return { ...e, x: x.subarray(0, n * d), y: y.subarray(0, n), n };
}
