import { numberValue, type RawTable } from '@tessera/data';

/** A column that looks like it identifies a customer, and why. */
export interface IdentifierColumn {
  column: string;
  /** unique: every row has its own value; name: the column is named like an id, key, email or phone. */
  why: ('unique' | 'name')[];
}

/** Name parts that mark a column as an identifier (after splitting on separators and camelCase). */
const NAME_PARTS = new Set([
  'id',
  'ids',
  'key',
  'uuid',
  'guid',
  'email',
  'mail',
  'phone',
  'mobile',
  'tel',
  'telephone',
  'ssn',
  'passport',
  'iban',
]);
/** Glued forms without a separator: customerid, userkey, accountno, phonenumber. */
const GLUED = [
  /^(customer|user|client|account|member|person|patient|device|session|order|loyalty|card)(id|key|no|number|nr)$/,
  /^(e?mail|phone|mobile)(address|number|no)?$/,
];

/** Below this many rows "every value is distinct" says little (a small table's columns are often unique by chance). */
export const UNIQUE_MIN_ROWS = 20;

/** The lowercase parts of a column name: customer_id, customerId and Customer-ID are all [customer, id]. */
export function nameParts(column: string): string[] {
  return column
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * True for a column named like an identifier: an id, key, email, phone number (customer_id, userKey, email_address,
 * Phone).
 */
export function namedLikeIdentifier(column: string): boolean {
  const parts = nameParts(column);
  return parts.some((p) => NAME_PARTS.has(p)) || GLUED.some((g) => g.test(parts.join('')));
}

/**
 * True when every row has its own non-empty value, in a column of text or of whole numbers (a key).
 * A numeric column with any fractional value is a measurement (an amount spent), not a key, even
 * when no two rows happen to share a value; tables under UNIQUE_MIN_ROWS rows are not judged.
 */
export function uniquePerRow(table: RawTable, column: string): boolean {
  const c = table.columns.indexOf(column);
  if (c < 0 || table.rows.length < UNIQUE_MIN_ROWS) return false;
  const seen = new Set<string>();
  let text = false,
    fraction = false;
  for (const row of table.rows) {
    const v = (row[c] ?? '').trim();
    if (v === '' || seen.has(v)) return false;
    seen.add(v);
    const n = numberValue(v);
    if (n === undefined) text = true;
    else if (!Number.isInteger(n)) fraction = true;
  }
  // All numbers, some with a fraction: an amount, not a key.
  return text || !fraction;
}

/** The identifier-like columns of a table, in column order: unique per row, or named like an id/key/email/phone. */
export function detectIdentifierColumns(table: RawTable): IdentifierColumn[] {
  return detectIdentifierColumnsBy(table.columns, (column) => uniquePerRow(table, column));
}

/** The same, for a data set the engine measured (columns and whether each is unique per row). */
export function detectIdentifierColumnsBy(
  columns: readonly string[],
  unique: (column: string) => boolean,
): IdentifierColumn[] {
  const out: IdentifierColumn[] = [];
  for (const column of columns) {
    const why: IdentifierColumn['why'] = [];
    if (unique(column)) why.push('unique');
    if (namedLikeIdentifier(column)) why.push('name');
    if (why.length) out.push({ column, why });
  }
  return out;
}
