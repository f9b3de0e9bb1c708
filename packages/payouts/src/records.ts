/** Values proportional to record counts: the counts normalised to sum 1 (all zero gives all zero). */
export function recordsValuation(records: readonly number[]): number[] {
  if (records.length === 0) throw new RangeError('records must list at least one participant');
  records.forEach((r, i) => {
    if (!Number.isFinite(r) || r < 0)
      throw new RangeError(`records[${i}] must be a non-negative finite number, got ${r}`);
  });
  const total = records.reduce((a, b) => a + b, 0);
  return records.map((r) => (total > 0 ? r / total : 0));
}
