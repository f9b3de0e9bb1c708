// The demo's payout and data-quality flags (--payout-pool and its companions, --noisy-participant and
// --duplicate-participant), checked.
import { UsageError } from '../ui/errors.js';

const participantFlag = (flag: string, v: string | boolean | undefined, last: number): number | undefined => {
  if (v === undefined) return undefined;
  if (v === true) return last;
  const n = Number(v);
  if (!Number.isInteger(n))
    throw new UsageError(`${flag} takes a participant number (1 to ${last}), got "${String(v)}"`);
  return n;
};

/** The demo's payout and data-quality flags, checked. */
export function payoutOptionsOf(o: {
  participants: number;
  payoutPool?: string;
  currency: string;
  valuation?: string;
  ledgerOut?: string;
  payoutReport?: string;
  noisyParticipant?: string | boolean;
  duplicateParticipant?: string | boolean;
  dp: string;
  secure: string;
}) {
  const noisy = participantFlag('--noisy-participant', o.noisyParticipant, o.participants);
  const duplicate =
    o.duplicateParticipant === true
      ? 1
      : participantFlag('--duplicate-participant', o.duplicateParticipant, o.participants);
  const extra = {
    ...(noisy !== undefined ? { noisyParticipant: noisy } : {}),
    ...(duplicate !== undefined ? { duplicateParticipant: duplicate } : {}),
  };
  if (o.payoutPool === undefined) {
    if (o.ledgerOut || o.valuation || o.payoutReport)
      throw new UsageError('--ledger-out, --payout-report and --valuation go with --payout-pool AMOUNT');
    return extra;
  }
  const pool = Number(o.payoutPool);
  if (!/^\d+$/.test(o.payoutPool.trim()) || !Number.isSafeInteger(pool)) {
    throw new UsageError(
      '--payout-pool must be a non-negative integer amount in minor units ' +
        `(e.g. 100000 for 1000.00), got "${o.payoutPool}"`,
    );
  }
  if (!/^[A-Z]{3}$/.test(o.currency))
    throw new UsageError(
      `--currency must be a three-letter ISO 4217 code such as CNY, EUR or USD, got "${o.currency}"`,
    );
  if (o.dp !== 'none')
    throw new UsageError(
      "--payout-pool needs --dp none: valuation reads each participant's per-round updates, " +
        'which differential privacy hides (docs/payouts.md)',
    );
  if (o.secure === 'sealed')
    throw new UsageError(
      '--payout-pool needs --secure masked or none: in sealed mode the coordinator cannot rebuild coalition models',
    );
  return {
    ...extra,
    payout: {
      pool,
      currency: o.currency,
      ...(o.valuation ? { valuation: o.valuation } : {}),
      ...(o.ledgerOut ? { ledgerOut: o.ledgerOut } : {}),
      ...(o.payoutReport ? { reportOut: o.payoutReport } : {}),
    },
  };
}
