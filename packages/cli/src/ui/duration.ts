import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration flag such as 90s, 30m, 24h or 7d, in milliseconds; `flag` names the option in the error. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd])$/.exec(text.trim());
  const unit = m?.[2] === undefined ? undefined : UNIT_MS[m[2]];
  if (!m || unit === undefined)
    throw new UsageError(`${flag} ${JSON.stringify(text)}: give a number and a unit, e.g. 90s, 30m, 24h or 7d`);
  return Math.round(Number(m[1]) * unit);
}
