import type { LocalSchema } from '@tessera/data';

const sortedStrings = (values: readonly string[]): string[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The schema report of a differentially private job: no row count, and for text columns only a
 * domain the job's spec declared publicly, never the values that occur here (a rare value would
 * reveal that some customer has it). A text column without a declared domain is left out of the
 * report, so it is not a feature of the job. Returns the report and the columns left out.
 */
export function privateSchemaReport(
  local: LocalSchema,
  declared: Readonly<Record<string, string[]>> | undefined,
): { schema: LocalSchema; withheld: string[] } {
  const withheld: string[] = [];
  const columns = local.columns.flatMap((c) => {
    if (c.kind !== 'categorical') return [c];
    const domain = declared?.[c.name];
    if (!domain) {
      withheld.push(c.name);
      return [];
    }
    return [{ name: c.name, kind: 'categorical' as const, categories: sortedStrings(domain), declared: true }];
  });
  return { schema: { ...local, rows: 0, columns }, withheld };
}
