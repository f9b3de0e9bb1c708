import { commonScale } from './exact-rational.js';
import { PayoutInputError } from './payout-input-error.js';

export { PayoutInputError } from './payout-input-error.js';

export interface SplitEntry { participant: string; value: number; share: number; amount: number }
export interface Split { pool: number; currency: string; entries: SplitEntry[] }

/** Throws PayoutInputError unless `pool` is a safe non-negative integer (an amount in minor units). */
export function checkPool(pool: number): void {
  if (typeof pool !== 'number' || !Number.isSafeInteger(pool) || pool < 0) {
    throw new PayoutInputError('pool', `pool must be a non-negative integer number of minor units (cents) up to ${Number.MAX_SAFE_INTEGER}, got ${String(pool)}`);
  }
}

/** Throws PayoutInputError unless `currency` is a three-letter upper-case ISO 4217 code. */
export function checkCurrency(currency: string): void {
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    throw new PayoutInputError('currency', `currency must be a three-letter ISO 4217 code such as EUR or CNY, got ${JSON.stringify(currency)}`);
  }
}

function checkValues(values: readonly { participant: string; value: number }[]): void {
  if (values.length === 0) throw new PayoutInputError('values', 'values must list at least one participant');
  const seen = new Set<string>();
  values.forEach(({ participant, value }, i) => {
    if (typeof participant !== 'string' || participant === '') throw new PayoutInputError('participant', `participant of entry ${i} must be a non-empty string, got ${JSON.stringify(participant)}`);
    if (seen.has(participant)) throw new PayoutInputError('participant', `participant "${participant}" is listed twice; give each participant once`);
    seen.add(participant);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new PayoutInputError('value', `value of participant "${participant}" must be a finite number, got ${String(value)}`);
  });
}

/**
 * Splits an integer pool (minor units) by the non-negative part of the values; amounts sum to the pool exactly.
 * Largest-remainder (Hamilton) rounding in exact rational arithmetic: each participant gets the floor of
 * pool·v/Σv, and the units left over go one each to the largest remainders. Ties between equal remainders go to
 * the larger value, then to the participant id that sorts first (UTF-16 code unit order). A zero or negative value
 * gets share 0 and amount 0. Entries keep the input order.
 */
export function splitPool(pool: number, currency: string, values: readonly { participant: string; value: number }[]): Split {
  checkPool(pool);
  checkCurrency(currency);
  checkValues(values);
  const positive = values.map(({ value }) => Math.max(0, value));
  const largest = Math.max(...positive);
  if (!(largest > 0)) {
    throw new PayoutInputError('values', 'values: no participant has a positive value; nothing can be split (give at least one participant a positive score)');
  }
  const exact = commonScale(positive);
  const total = exact.reduce((a, b) => a + b, 0n);
  const big = BigInt(pool);
  const floors = exact.map((p) => (big * p) / total);
  const remainders = exact.map((p) => (big * p) % total);
  let leftover = Number(big - floors.reduce((a, b) => a + b, 0n));
  const order = values.map((_, i) => i).sort((a, b) =>
    (remainders[a] === remainders[b] ? 0 : remainders[a] > remainders[b] ? -1 : 1)
    || (exact[a] === exact[b] ? 0 : exact[a] > exact[b] ? -1 : 1)
    || (values[a].participant < values[b].participant ? -1 : 1));
  const amounts = floors.map(Number);
  for (const i of order) {
    if (leftover === 0) break;
    amounts[i]++;
    leftover--;
  }
  const scaled = positive.map((v) => v / largest);
  const scaledTotal = scaled.reduce((a, b) => a + b, 0);
  return {
    pool,
    currency,
    entries: values.map(({ participant, value }, i) => ({ participant, value, share: scaled[i] / scaledTotal, amount: amounts[i] })),
  };
}
