import { arrayAt, numberAt, objectAt, stringAt, WireJsonError } from '@tessera/jobs';
import type { QueryResult } from '@tessera/analytics';

/**
 * A query's result. privacy.unit says what the guarantee covers (absent without DP): one row, or one
 * customer (userColumn, at most maxRowsPerUser rows each); calibration says how the single release's
 * noise was calibrated for epsilon (analytic-gaussian or rdp).
 */
export type QueryJobResult = QueryResult & {
  privacy: {
    epsilon: number | null;
    delta: number | null;
    mode: string;
    noiseMultiplier?: number;
    unit?: 'record' | 'customer';
    userColumn?: string;
    maxRowsPerUser?: number;
    calibration?: 'analytic-gaussian' | 'rdp';
  };
  /**
   * With `valuation: records`: each surviving member's row count (summed over groups; noisy under DP, with noiseStd in
   * rows), and how it was released (note).
   */
  valuation?: { method: string; members: { participant: string; value: number }[]; noiseStd: number; note: string };
};

/**
 * A query job's result as the coordinator sends it (result_json) or as `tessera query --out` wrote
 * it, checked: the query, its rows with their error bars, the suppressed count and the privacy
 * line. Optional sections (histograms, quantiles, top-k) must be objects when present.
 */
export function queryResultOf(value: unknown, where: string): QueryJobResult {
  const o = objectAt(value, where);
  stringAt(o, 'query', where);
  numberAt(o, 'suppressed', where);
  arrayAt(o, 'rows', where).forEach((row, i) => {
    const r = objectAt(row, `${where}.rows[${i}]`);
    objectAt(r.stddev, `${where}.rows[${i}].stddev`);
    objectAt(r.ci95, `${where}.rows[${i}].ci95`);
  });
  for (const section of ['histograms', 'quantiles', 'topK'])
    if (o[section] !== undefined) objectAt(o[section], `${where}.${section}`);
  const privacy = objectAt(o.privacy, `${where}.privacy`);
  stringAt(privacy, 'mode', `${where}.privacy`);
  for (const key of ['epsilon', 'delta'])
    if (privacy[key] !== null && typeof privacy[key] !== 'number')
      throw new WireJsonError(`${where}.privacy.${key}`, 'expected a number or null');
  return o as unknown as QueryJobResult; // every required field checked above
}
