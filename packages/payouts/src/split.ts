import { commonScale } from './exact-rational.js';
import { PayoutInputError } from './payout-input-error.js';

export { PayoutInputError } from './payout-input-error.js';

export interface SplitEntry {
  participant: string;
  value: number;
  share: number;
  amount: number;
}
export interface Split {
  pool: number;
  currency: string;
  entries: SplitEntry[];
}

/** Throws PayoutInputError unless `pool` is a safe non-negative integer (an amount in minor units). */
export function checkPool(pool: number): void {
  if (typeof pool !== 'number' || !Number.isSafeInteger(pool) || pool < 0) {
    throw new PayoutInputError(
      'pool',
      'pool must be a non-negative integer number of minor units (cents) ' +
        `up to ${Number.MAX_SAFE_INTEGER}, got ${String(pool)}`,
    );
  }
}

/** Throws PayoutInputError unless `currency` is a three-letter upper-case ISO 4217 code. */
export function checkCurrency(currency: string): void {
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    throw new PayoutInputError(
      'currency',
      `currency must be a three-letter ISO 4217 code such as EUR or CNY, got ${JSON.stringify(currency)}`,
    );
  }
}

function checkValues(values: readonly { participant: string; value: number }[]): void {
  if (values.length === 0) throw new PayoutInputError('values', 'values must list at least one participant');
  const seen = new Set<string>();
  values.forEach(({ participant, value }, i) => {
    if (typeof participant !== 'string' || participant === '')
      throw new PayoutInputError(
        'participant',
        `participant of entry ${i} must be a non-empty string, got ${JSON.stringify(participant)}`,
      );
    if (seen.has(participant))
      throw new PayoutInputError(
        'participant',
        `participant "${participant}" is listed twice; give each participant once`,
      );
    seen.add(participant);
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new PayoutInputError(
        'value',
        `value of participant "${participant}" must be a finite number, got ${String(value)}`,
      );
  });
}

/**
 * Splits an integer pool (minor units) by the non-negative part of the values; amounts sum to the pool exactly.
 * Largest-remainder (Hamilton) rounding in exact rational arithmetic: each participant gets the floor of
 * pool·v/Σv, and the units left over go one each to the largest remainders. Ties between equal remainders go to
 * the larger value, then to the participant id that sorts first (UTF-16 code unit order). A zero or negative value
 * gets share 0 and amount 0. Entries keep the input order.
 */
export function splitPool(
  pool: number,
  currency: string,
  values: readonly { participant: string; value: number }[],
): Split {
  checkPool(pool);
  checkCurrency(currency);
  checkValues(values);
  const positive = values.map(({ value }) => Math.max(0, value));
  const largest = Math.max(...positive);
  if (!(largest > 0)) {
    throw new PayoutInputError(
      'values',
      'values: no participant has a positive value; ' +
        'nothing can be split (give at least one participant a positive score)',
    );
  }
  const exact = commonScale(positive);
  const total = exact.reduce((a, b) => a + b, 0n);
  const big = BigInt(pool);
  const rows = values.map(({ participant, value }, i) => {
    const p = exact[i]!; // commonScale returns one exact value per input value
    const floor = (big * p) / total;
    return { participant, value, exact: p, floor, remainder: (big * p) % total, amount: Number(floor) };
  });
  let leftover = Number(big - rows.reduce((a, r) => a + r.floor, 0n));
  const ranked = [...rows].sort(
    (a, b) =>
      (a.remainder === b.remainder ? 0 : a.remainder > b.remainder ? -1 : 1) ||
      (a.exact === b.exact ? 0 : a.exact > b.exact ? -1 : 1) ||
      (a.participant < b.participant ? -1 : 1),
  );
  for (const row of ranked) {
    if (leftover === 0) break;
    row.amount++;
    leftover--;
  }
  const scaled = positive.map((v) => v / largest);
  const scaledTotal = scaled.reduce((a, b) => a + b, 0);
  return {
    pool,
    currency,
    entries: rows.map(({ participant, value, amount }, i) => ({
      participant,
      value,
      share: scaled[i]! / scaledTotal, // one scaled value per row
      amount,
    })),
  };
}
