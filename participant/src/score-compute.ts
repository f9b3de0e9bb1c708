import { encodeTable } from '@tessera/data';
import { ckksParametersFromJson, ScoringParticipant, type ScoringRequest, type SegmentCiphertexts } from '@tessera/he';
import type { tessera } from '@tessera/proto';
import { agreedSchemaOf } from './local-compute.js';
import type { LocalData } from './local-data.js';

/**
 * Encrypted scoring: the sum of this participant's encoded rows (and their count) per declared
 * segment, each scored against the analyst's encrypted model without decrypting it. The model
 * never appears in the clear here; only ciphertexts leave.
 */
export function scoreSegments(
  data: LocalData,
  task: tessera.v1.ITask,
): { segments: SegmentCiphertexts[]; rows: number } {
  const setup = task.scoring;
  if (!setup?.encryptedModel?.length) throw new Error('a score task needs the encrypted model');
  const params = ckksParametersFromJson(setup.paramsJson ?? '{}', 'task.scoring.params_json');
  const request: ScoringRequest = {
    params,
    span: Number(setup.span ?? 0),
    publicKey: setup.publicKey ?? new Uint8Array(0),
    galoisKeys: setup.galoisKeys ?? new Uint8Array(0),
    encryptedModel: setup.encryptedModel,
    features: Number(setup.features ?? 0),
  };
  const schema = agreedSchemaOf(task);
  const raw = data.table(task.dataset ?? '');
  // Scoring data need not carry the model's label: a placeholder column lets the rows encode.
  const table = raw.columns.includes(schema.label)
    ? raw
    : { ...raw, columns: [...raw.columns, schema.label], rows: raw.rows.map((r) => [...r, '0']) };
  const encoded = encodeTable(table, schema);
  const names = task.segments ?? [];
  const by = task.segmentBy ? table.columns.indexOf(task.segmentBy) : -1;
  if (task.segmentBy && by < 0) throw new Error(`the data set has no column "${task.segmentBy}" to segment by`);
  const segments = names.map(() => ({ sum: new Float64Array(encoded.d), count: 0 }));
  let used = 0;
  // encodeTable encodes every row of the table, in order: row r is x[r * d, (r + 1) * d)
  for (const [r, row] of table.rows.entries()) {
    const s = by < 0 ? 0 : names.indexOf(row[by]!); // by is a column, and every row has a cell per column
    if (s < 0) continue;
    const segment = segments[s];
    if (!segment) throw new Error('the score task declares no segment to sum the rows into');
    const base = r * encoded.d;
    for (let j = 0; j < encoded.d; j++) segment.sum[j]! += encoded.x[base + j]!;
    segment.count++;
    used++;
  }
  const participant = new ScoringParticipant(request);
  try {
    return { segments: segments.map((s) => participant.scoreSegment(s.sum, s.count)), rows: used };
  } finally {
    participant.dispose();
  }
}
