import { DataError } from './data-error.js';
import { sortedStrings, type AgreedSchema, type ColumnProfile, type LocalSchema } from './schema.js';

const SOURCE = 'schema agreement';

/**
 * Agrees on the features present at every participant, in the first profile's order; categorical domains are
 * united and sorted. A column numeric at one participant and categorical at another is a DataError.
 */
export function agreeSchema(profiles: LocalSchema[]): AgreedSchema {
  const [first] = profiles;
  if (first === undefined) throw new RangeError('agreeSchema needs at least one participant profile');
  const label = first.label;
  profiles.forEach((p, i) => {
    if (p.label !== label) {
      throw new DataError(
        { source: SOURCE },
        `participant 1 uses label "${label}" but participant ${i + 1} uses "${p.label}"; ` +
          'all participants must use the same label column',
      );
    }
  });

  const byName = profiles.map((p) => new Map(p.columns.map((c) => [c.name, c])));
  const features: ColumnProfile[] = [];
  for (const column of first.columns) {
    const versions = byName.map((m) => m.get(column.name));
    if (versions.some((c) => c === undefined)) continue;
    features.push(agreeColumn(column.name, versions as ColumnProfile[]));
  }
  if (features.length === 0) {
    throw new DataError(
      { source: SOURCE },
      'no feature column is present at every participant; agree on common column names',
    );
  }
  return { label, features };
}

/** `versions` holds the column as each participant profiled it, one per participant (there is at least one). */
function agreeColumn(name: string, versions: ColumnProfile[]): ColumnProfile {
  const kind = versions[0]!.kind;
  for (const [i, other] of versions.entries()) {
    if (other.kind === kind) continue;
    throw new DataError(
      { source: SOURCE, column: name },
      `the column is ${kind} at participant 1 but ${other.kind} at participant ${i + 1}; ` +
        `make its values consistent everywhere or list "${name}" under exclude at every participant`,
    );
  }
  if (kind === 'numeric') return { name, kind };
  const union = new Set<string>();
  for (const c of versions) for (const category of c.categories ?? []) union.add(category);
  return { name, kind, categories: sortedStrings(union) };
}
