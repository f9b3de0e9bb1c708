/** The period of a member's statement: `--from` and `--to`, each a date (whole UTC days) or an ISO date-time. */
import { PayoutInputError } from './payout-input-error.js';

/** A parsed window: the bounds as given (null when open) and in milliseconds, `end` exclusive. */
export interface StatementWindow {
  from: string | null;
  to: string | null;
  /** The first millisecond in the window (null: from the first entry). */
  start: number | null;
  /** The first millisecond after the window (null: to the last entry). */
  end: number | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY = 86_400_000;

/** Milliseconds of a date's UTC midnight, or undefined when it is not a real calendar date. */
function dateMs(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? ms : undefined;
}

function bound(flag: '--from' | '--to', text: string): { start: number; end: number } {
  const day = dateMs(text);
  if (day !== undefined) return { start: day, end: day + DAY };
  const ms = DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw new PayoutInputError(
      flag,
      `${flag} must be a date such as 2026-12-01 (a whole UTC day) or an ISO 8601 date-time such as ` +
        `2026-12-01T09:30:00Z, got ${JSON.stringify(text)}`,
    );
  return { start: ms, end: ms + 1 };
}

/**
 * Parses a statement's window; both bounds are inclusive: `--from 2026-12-01` starts at that day's UTC midnight,
 * `--to 2026-12-31` ends with that UTC day, a date-time bound is that instant (to the millisecond). Throws a
 * PayoutInputError naming `--from` or `--to`, with an example, for a malformed bound or a `--to` before `--from`.
 */
export function parseStatementWindow(from?: string | null, to?: string | null): StatementWindow {
  const f = from ? bound('--from', from) : undefined;
  const t = to ? bound('--to', to) : undefined;
  if (f && t && t.end <= f.start)
    throw new PayoutInputError(
      '--to',
      `--to ${to} is before --from ${from}: give the period's first day first, e.g. --from 2026-12-01 --to 2026-12-31`,
    );
  return { from: from || null, to: to || null, start: f?.start ?? null, end: t?.end ?? null };
}

/** True when the ISO date-time `timestamp` falls in the window. */
export function inStatementWindow(w: StatementWindow, timestamp: string): boolean {
  const ms = Date.parse(timestamp);
  return (w.start === null || ms >= w.start) && (w.end === null || ms < w.end);
}
