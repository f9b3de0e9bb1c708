import { UsageError } from '../ui/errors.js';

/**
 * A flag's amount in minor units (cents, fen): a whole number from `min` (0 or 1) up to 2^53 - 1. Checked here so a
 * typo fails before anything is sent; the coordinator checks again.
 */
export function parseMinorUnits(flag: string, text: string, min: 0 | 1 = 0): number {
  const t = text.trim();
  const value = Number(t);
  const what =
    `${flag} must be a whole number of minor units (cents, fen), ${min === 1 ? 'at least 1' : 'not negative'}, ` +
    `up to ${Number.MAX_SAFE_INTEGER}`;
  if (t === '' || !Number.isFinite(value)) throw new UsageError(`${what}; "${text}" is not a number`);
  if (value < 0) throw new UsageError(`${what}; ${text} is negative`);
  if (!Number.isInteger(value)) throw new UsageError(`${what}; ${text} is fractional (give 12.50 EUR as 1250)`);
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(value) || value < min) throw new UsageError(`${what}, got "${text}"`);
  return value;
}

/** An ISO 4217 code (three capital letters), for --currency. */
export function parseCurrency(text: string): string {
  if (!/^[A-Z]{3}$/.test(text))
    throw new UsageError(`--currency must be a three-letter ISO 4217 code in capitals (EUR, CNY), got "${text}"`);
  return text;
}
