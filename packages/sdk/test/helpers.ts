import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  readCsvFile,
  splitRows,
  trainTestSplit,
  binaryLabel,
  selectRows,
  parseSplit,
  type RawTable,
} from '@tessera/data';
import { seededRandom } from '@tessera/ml';

export const EXAMPLE_DATA = fileURLToPath(new URL('../../../examples/data/', import.meta.url));

export { tempDir } from '@tessera/test-support';

/** Splits a CSV into a held-out test table and `parts` participant shards. */
export function shardsOf(file: string, label: string, parts: number, split: string, seed: string | number) {
  const table = readCsvFile(join(EXAMPLE_DATA, file));
  const li = table.columns.indexOf(label);
  const labels = Float64Array.from(table.rows.map((r) => binaryLabel(r[li])!));
  const rng = seededRandom(seed);
  const { train, test } = trainTestSplit(table.rows.length, 0.2, rng, labels);
  const assignment = splitRows(table, train, labels, parts, parseSplit(split), rng);
  return {
    table,
    test: selectRows(table, test),
    shards: assignment.map((rows) => selectRows(table, rows)) as RawTable[],
  };
}
