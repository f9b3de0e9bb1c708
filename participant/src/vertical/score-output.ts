// The guest's scores of a vertical score job: a CSV kept beside the node's ledger, and the summary the analyst gets.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Bins of the score histogram the analyst receives (scores are probabilities). */
export const SCORE_BINS = 10;

/** What the analyst receives of a scoring run: how many customers were scored and how the scores are distributed. */
export interface ScoreSummary {
  scored: number;
  meanScore: number;
  /** Counts per bin of width 1/SCORE_BINS, from [0, 0.1) to [0.9, 1]. */
  histogram: number[];
}

export function scoreSummary(scores: Float64Array): ScoreSummary {
  const histogram = new Array<number>(SCORE_BINS).fill(0);
  let sum = 0;
  for (const s of scores) {
    sum += s;
    histogram[Math.min(SCORE_BINS - 1, Math.max(0, Math.floor(s * SCORE_BINS)))]! += 1;
  }
  return { scored: scores.length, meanScore: scores.length ? sum / scores.length : 0, histogram };
}

/**
 * Writes `id,score` rows to vertical-scores/JOB.csv beside the ledger (owner-only), and returns the path; a node whose
 * ledger is in memory keeps no file (undefined).
 */
export function writeScores(ledgerPath: string, jobId: string, ids: readonly string[], scores: Float64Array) {
  if (ledgerPath === ':memory:' || ledgerPath === '') return undefined;
  const dir = join(dirname(ledgerPath), 'vertical-scores');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${jobId.replace(/[^A-Za-z0-9_-]/g, '_')}.csv`);
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ids.map((id, i) => `${quote(id)},${scores[i]}`);
  writeFileSync(path, `id,score\n${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}
