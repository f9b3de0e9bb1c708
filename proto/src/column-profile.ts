// The one mapping between the wire's ColumnProfile and the data package's column profile, so the
// coordinator, the participant and the client cannot disagree on how a column's kind travels.
import type { ColumnProfile } from '@tessera/data';
import { tessera } from './gen/tessera.js';

const Kind = tessera.v1.ColumnProfile.Kind;

/** A column profile as the wire carries it (categories always present, empty for a numeric column). */
export function columnProfileToProto(c: ColumnProfile): tessera.v1.IColumnProfile {
  return {
    name: c.name,
    kind: c.kind === 'categorical' ? Kind.CATEGORICAL : Kind.NUMERIC,
    categories: c.categories ?? [],
  };
}

/**
 * A column profile from the wire; any kind but CATEGORICAL reads as numeric, and only a categorical column keeps its
 * categories.
 * `declared` marks a categorical column's domain as public (declared in the job's spec, not read from data).
 */
export function columnProfileFromProto(
  c: tessera.v1.IColumnProfile,
  options: { declared?: boolean } = {},
): ColumnProfile {
  const categorical = c.kind === Kind.CATEGORICAL;
  return {
    name: c.name ?? '',
    kind: categorical ? 'categorical' : 'numeric',
    ...(categorical ? { categories: c.categories ?? [], ...(options.declared ? { declared: true } : {}) } : {}),
  };
}
