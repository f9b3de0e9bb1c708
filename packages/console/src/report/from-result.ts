import { parseQuery } from '@tessera/analytics';
import type { QueryJobResult } from '@tessera/sdk';
import type { QueryReportInput } from './query-report.js';

/** A query job's result as report input: group columns from the SQL, every other value an aggregate. */
export function reportInputOf(
  result: QueryJobResult,
  o: { title?: string; participants: number; secure?: string; generatedAt?: string },
): QueryReportInput {
  const groupColumns = parseQuery(result.query).groupBy;
  const aggregates = [
    ...new Set(
      result.rows.flatMap((r) =>
        Object.keys(r).filter(
          (k) => k !== 'stddev' && k !== 'ci95' && !groupColumns.includes(k) && typeof r[k] === 'number',
        ),
      ),
    ),
  ];
  const noiseStd = Object.fromEntries(
    aggregates.map((a) => [a, result.rows.find((r) => r.stddev[a] !== undefined)?.stddev[a] ?? 0]),
  );
  return {
    ...(o.title ? { title: o.title } : {}),
    query: result.query,
    generatedAt: o.generatedAt ?? new Date().toISOString(),
    participants: o.participants,
    rows: result.rows,
    groupColumns,
    aggregates,
    suppressed: result.suppressed,
    ...(result.histograms ? { histograms: result.histograms } : {}),
    ...(result.quantiles ? { quantiles: result.quantiles } : {}),
    ...(result.topK ? { topK: result.topK } : {}),
    privacy: {
      epsilon: result.privacy.epsilon,
      delta: result.privacy.delta,
      mode: result.privacy.mode,
      ...(result.privacy.epsilon !== null ? { noiseStd } : {}),
      ...(result.privacy.unit ? { unit: result.privacy.unit } : {}),
      ...(result.privacy.unit === 'customer'
        ? { userColumn: result.privacy.userColumn ?? '', maxRowsPerUser: result.privacy.maxRowsPerUser ?? 1 }
        : {}),
    },
    secure: { mode: o.secure ?? 'masked' },
  };
}
