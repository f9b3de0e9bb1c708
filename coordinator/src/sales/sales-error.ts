/** A refused product, sale or refund: what to change (the field) and why; nothing was written. */

/** invalid-argument: a bad value; not-found: no such product or sale of the caller's; failed-precondition: state. */
export type SalesErrorCode = 'invalid-argument' | 'not-found' | 'failed-precondition';

export class SalesError extends Error {
  constructor(
    readonly code: SalesErrorCode,
    /** The request field at fault (price, amount, currency, buyer, product, sale, jobs, ...). */
    readonly field: string,
    message: string,
  ) {
    // The message starts with the field, so whoever reads it knows what to change.
    super(message.startsWith(field) ? message : `${field}: ${message}`);
    this.name = 'SalesError';
  }
}

/** A whole number of minor units in [min, 2^53 - 1], else a SalesError on `field` saying what it got. */
export function minorUnits(field: string, value: unknown, min: 0 | 1): number {
  const n = typeof value === 'number' ? value : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw new SalesError(
      'invalid-argument',
      field,
      `${field} must be a whole number of minor units ${min === 0 ? '(0 or more' : '(more than 0'}, at most ` +
        `${Number.MAX_SAFE_INTEGER}; 12000 is 120.00), got ${String(value)}`,
    );
  return n;
}

/** An ISO 4217 code (three capital letters), else a SalesError on `field`. */
export function currencyCode(field: string, value: string): string {
  if (!/^[A-Z]{3}$/.test(value))
    throw new SalesError(
      'invalid-argument',
      field,
      `${field} must be an ISO 4217 code of three capital letters (for example CNY), got ${JSON.stringify(value)}`,
    );
  return value;
}

/** A text field: trimmed, at most `max` characters, non-empty when `required`; else a SalesError naming it. */
export function textField(field: string, value: string | null | undefined, max: number, required: boolean): string {
  const text = (value ?? '').trim();
  if (required && text === '') throw new SalesError('invalid-argument', field, `${field} must not be empty`);
  if (text.length > max)
    throw new SalesError('invalid-argument', field, `${field} must be at most ${max} characters, got ${text.length}`);
  return text;
}
