import { QueryError } from './parse.js';
import { DEFAULT_BINS, MAX_ROWS_PER_USER, type PrivacyUnit, type QueryOptions } from './plan-types.js';

// Checks of what a query plan is given beside the query (bounds, bin edges, sketch sizes, the privacy
// unit): each refuses with a QueryError before any data is read.

/** Throws the QueryError that refuses a plan. */
export function fail(message: string): never {
  throw new QueryError(message);
}

export function checkBounds(column: string, b: unknown, fn: string): [number, number] {
  if (
    !Array.isArray(b) ||
    b.length !== 2 ||
    !b.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
    b[0] > b[1]
  ) {
    fail(`${fn}: the bounds of "${column}" must be two finite numbers lo <= hi, got ${JSON.stringify(b)}`);
  }
  return [b[0], b[1]];
}

export function numericEdges(
  column: string,
  options: QueryOptions,
  fn: string,
): { edges: number[]; clamp: [number, number] } {
  const declared = options.bins?.[column];
  const bounds = options.bounds[column] !== undefined ? checkBounds(column, options.bounds[column], fn) : undefined;
  if (declared !== undefined) {
    if (
      !Array.isArray(declared) ||
      declared.length < 2 ||
      !declared.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
      declared.some((x, i) => i > 0 && x <= declared[i - 1]!)
    ) {
      fail(
        `${fn}: the bins of "${column}" must be at least two finite, strictly increasing edges, ` +
          `got ${JSON.stringify(declared)}`,
      );
    }
    const first = declared[0]!,
      last = declared[declared.length - 1]!; // at least two edges, checked above
    const lo = Math.max(first, bounds ? bounds[0] : -Infinity);
    const hi = Math.min(last, bounds ? bounds[1] : Infinity);
    return { edges: [...declared], clamp: lo <= hi ? [lo, hi] : [first, last] };
  }
  if (!bounds) {
    fail(
      `${fn} needs bounds or bin edges for "${column}" (declare bounds ${column}=LO:HI, ` +
        `e.g. --bounds ${column}=0:100, or bins for ${column})`,
    );
  }
  const [lo, hi] = bounds;
  if (!(hi > lo)) fail(`${fn}: the bounds of "${column}" must have lo < hi to make bins, got ${lo}:${hi}`);
  const edges = Array.from({ length: DEFAULT_BINS + 1 }, (_, i) =>
    i === DEFAULT_BINS ? hi : lo + ((hi - lo) * i) / DEFAULT_BINS,
  );
  return { edges, clamp: [lo, hi] };
}

export function positiveInt(v: unknown, what: string, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
    fail(`${what} must be a whole number between 1 and ${max}, got ${String(v)}`);
  return v;
}

/** The unit, checked: a customer unit needs a user column name and a whole-number cap of at least 1. */
export function checkUnit(unit: PrivacyUnit | undefined): PrivacyUnit {
  if (unit === undefined || unit.unit === 'record') return { unit: 'record' };
  if (unit.unit !== 'customer')
    fail(`privacy.unit must be record or customer, got ${JSON.stringify((unit as { unit?: unknown }).unit)}`);
  if (typeof unit.userColumn !== 'string' || !unit.userColumn.trim()) {
    fail(
      'privacy.userColumn must name the column that identifies a customer (e.g. customer_id) ' +
        'when privacy.unit is customer',
    );
  }
  positiveInt(unit.maxRowsPerUser, 'privacy.maxRowsPerUser', MAX_ROWS_PER_USER);
  return { unit: 'customer', userColumn: unit.userColumn, maxRowsPerUser: unit.maxRowsPerUser };
}
