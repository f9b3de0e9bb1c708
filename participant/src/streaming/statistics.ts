// STATISTICS over a large data set: the encoded features' moments, added up batch by batch.
import type { AgreedSchema } from '@tessera/data';
import { addMoments, momentsOf, type FeatureMoments } from '@tessera/ml';
import type { LocalData } from '../local-data.js';
import { encodedBatches } from './encoded-batches.js';

/** Count, sums and sums of squares of the encoded features over every row, one batch in memory at a time. */
export async function streamedMoments(data: LocalData, name: string, schema: AgreedSchema): Promise<FeatureMoments> {
  let total: FeatureMoments | undefined;
  let d = 0;
  for await (const { encoded } of encodedBatches(data, name, schema)) {
    d = encoded.d;
    const m = momentsOf(encoded);
    total = total ? addMoments(total, m) : m;
  }
  return total ?? { count: 0, sum: new Float64Array(d), sumSquares: new Float64Array(d) };
}
