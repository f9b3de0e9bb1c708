// The MLP round benchmark's data: participant i holds `rows` consecutive rows of examples/data/digits.csv (64 pixels,
// label `digit`), starting at row i × rows and wrapping round the file's 1797 rows when the federation needs more.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_CSV } from './digits.js';

export const DIGITS_DATASET = 'digits';
export const DIGITS_LABEL = 'digit';
export const DIGITS_FEATURES = 64;
export const DIGITS_CLASSES = Array.from({ length: 10 }, (_, i) => String(i));

/** Writes one CSV per participant; returns their paths, participant i's at index i. */
export function writeDigitsShards(dir: string, participants: number, rows: number, source = DIGITS_CSV): string[] {
  if (!Number.isInteger(rows) || rows < 4)
    throw new RangeError(`rowsPerParticipant must be an integer >= 4 (a validation split needs rows), got ${rows}`);
  const [header, ...lines] = readFileSync(source, 'utf8').trim().split('\n');
  if (!header || lines.length === 0) throw new Error(`${source} has no rows`);
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: participants }, (_, i) => {
    const body = Array.from({ length: rows }, (_, r) => lines[(i * rows + r) % lines.length]!);
    const path = join(dir, `digits-${String(i + 1).padStart(3, '0')}.csv`);
    writeFileSync(path, `${header}\n${body.join('\n')}\n`);
    return path;
  });
}
