import { systemRandom, type Random } from '@tessera/crypto';
import { encodeTable, type RawTable } from '@tessera/data';
import { ckksParametersFromJson, ScoringParticipant, type ScoringRequest, type SegmentCiphertexts } from '@tessera/he';
import { encodedFeaturesOf, scoreNoise, type ScoreSpec } from '@tessera/jobs';
import type { tessera } from '@tessera/proto';
import { agreedSchemaOf } from './local-compute.js';
import type { LocalData } from './local-data.js';
import { checkSegmentColumn, type ScoreRules } from './score-guard.js';
import { NoisySegmentSums, type SegmentSums } from './score-noise.js';

/**
 * One segment's answer: its ciphertexts, and whether this node sent 0 for it (below its minimum, exact totals). The
 * flag stays on this node; the analyst learns it from slot 1 of the count ciphertext, the coordinator not at all.
 */
export interface ScoredSegment extends SegmentCiphertexts {
  suppressed: boolean;
}

/**
 * Encrypted scoring: the sum of this participant's encoded rows (and their count) per declared
 * segment, each scored against the analyst's encrypted model without decrypting it. The model
 * never appears in the clear here; only ciphertexts leave.
 * - `spec` is the analyst-signed spec (signedScoreSpec checked its scoring keys); with `privacy`
 *   every row is clipped and the fixed-point sums carry this node's integer noise share
 *   (score-noise.ts), and no segment is suppressed (a threshold on the exact count would undo the
 *   noise's guarantee; the noise protects small segments instead);
 * - without it, a segment with fewer than `rules.minSegmentRows` rows here (but some) is sent as an
 *   encryption of 0, its suppression indicator encrypted with the count (ScoringParticipant.scoreSegment) so only
 *   the analyst learns it; an empty segment is an encryption of 0 too, not suppressed.
 */
export function scoreSegments(
  data: LocalData,
  task: tessera.v1.ITask,
  spec?: ScoreSpec,
  rules: ScoreRules = { minSegmentRows: 0, identifierColumns: [], allowIdentifierSegments: true },
  rng: Random = systemRandom(),
): { segments: ScoredSegment[]; rows: number; noised: boolean } {
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
  const table = scoringTable(data, task, schema.label);
  checkSegmentColumn(task, table, rules);
  const encoded = encodeTable(table, schema);
  const names = task.segments ?? [];
  const by = task.segmentBy ? table.columns.indexOf(task.segmentBy) : -1;
  if (task.segmentBy && by < 0) throw new Error(`the data set has no column "${task.segmentBy}" to segment by`);
  if (names.length === 0) throw new Error('the score task declares no segment to sum the rows into');
  const privacy = spec?.privacy;
  if (privacy && spec && encodedFeaturesOf(spec) !== encoded.d)
    throw new Error(`the spec's features encode ${encodedFeaturesOf(spec)} values, this node's rows ${encoded.d}`);
  const noisy =
    privacy && spec
      ? new NoisySegmentSums(
          names.length,
          encoded.d,
          privacy.clip,
          scoreNoise(privacy, spec.minParticipants, encoded.d),
        )
      : undefined;
  const exact = names.map(() => ({ sum: new Float64Array(encoded.d), count: 0 }));
  let used = 0;
  // encodeTable encodes every row of the table, in order: row r is x[r * d, (r + 1) * d)
  for (const [r, row] of table.rows.entries()) {
    const s = by < 0 ? 0 : names.indexOf(row[by]!); // by is a column, and every row has a cell per column
    if (s < 0) continue;
    const base = r * encoded.d;
    if (noisy) noisy.add(s, encoded.x, base);
    else {
      const segment = exact[s]!; // s indexes names, and exact has one entry per name
      for (let j = 0; j < encoded.d; j++) segment.sum[j]! += encoded.x[base + j]!;
      segment.count++;
    }
    used++; // every row read, suppressed segments included: the node's own data-use record, never sent
  }
  const released: (SegmentSums & { suppressed: boolean })[] = noisy
    ? noisy.release(rng).map((s) => ({ ...s, suppressed: false }))
    : exact.map((s) =>
        s.count > 0 && s.count < rules.minSegmentRows
          ? { sum: new Float64Array(encoded.d), count: 0, suppressed: true }
          : { ...s, suppressed: false },
      );
  const participant = new ScoringParticipant(request);
  try {
    return {
      segments: released.map((s) => ({
        ...participant.scoreSegment(s.sum, s.count, s.suppressed),
        suppressed: s.suppressed,
      })),
      rows: used,
      noised: noisy !== undefined,
    };
  } finally {
    participant.dispose();
  }
}

/** The task's data set, with a placeholder label column when it lacks the model's label (scoring needs none). */
export function scoringTable(data: LocalData, task: tessera.v1.ITask, label: string): RawTable {
  const raw = data.table(task.dataset ?? '');
  return raw.columns.includes(label)
    ? raw
    : { ...raw, columns: [...raw.columns, label], rows: raw.rows.map((r) => [...r, '0']) };
}
