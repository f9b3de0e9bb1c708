/** Splitting a sale's price among the product's consenting members, and a refund among the members it paid. */
import { PayoutInputError } from './payout-input-error.js';
import { checkCurrency, splitPool, type Split } from './split.js';

/** Throws a PayoutInputError on `amount` unless it is a positive safe integer (minor units). */
function checkAmount(amount: number, what: string): void {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
    throw new PayoutInputError(
      'amount',
      `amount must be a positive integer number of minor units (cents) up to ${Number.MAX_SAFE_INTEGER} for ` +
        `${what}, got ${String(amount)}`,
    );
}

/**
 * The split of a sale of `amount` (minor units) among the members that consent: those not in `refusing` and with a
 * positive value, left out BEFORE the split so that the consenting ones share the whole price (splitPool: exact,
 * Hamilton). Entries keep the members' order. Throws a PayoutInputError on `members` when nobody is left (every member
 * refused the buyer, or none has a positive value): then the sale is refused and nothing is written.
 */
export function splitSale(
  amount: number,
  currency: string,
  members: readonly { participant: string; value: number }[],
  refusing: ReadonlySet<string>,
): Split {
  checkAmount(amount, 'a sale');
  checkCurrency(currency);
  const consenting = members.filter((m) => !refusing.has(m.participant) && m.value > 0);
  if (consenting.length === 0)
    throw new PayoutInputError(
      'members',
      `members: none of the product's ${members.length} members consents to selling to this buyer ` +
        `(${members.filter((m) => refusing.has(m.participant)).length} refused, the others have no positive value); ` +
        'the sale is refused: sell to another buyer, or ask the members to allow it in their sales policy',
    );
  return splitPool(
    amount,
    currency,
    consenting.map(({ participant, value }) => ({ participant, value })),
  );
}

/**
 * The split of a refund of `amount` among the members a sale paid, proportional to what each still holds of it
 * (`remaining`: its payout minus its refunds so far), exact (splitPool). No member gives back more than it holds:
 * the amount is at most the sum held, so each floor stays below its holding and a leftover unit goes only to a
 * member with a fractional quota. Throws a PayoutInputError on `amount` when it is not a positive integer or exceeds
 * the sum still held, and on `remaining` for a malformed holding.
 */
export function splitRefund(
  amount: number,
  currency: string,
  remaining: readonly { participant: string; remaining: number }[],
): Split {
  checkAmount(amount, 'a refund');
  checkCurrency(currency);
  let held = 0n;
  for (const r of remaining) {
    if (!Number.isSafeInteger(r.remaining) || r.remaining < 0)
      throw new PayoutInputError(
        'remaining',
        `remaining of participant ${r.participant} must be a non-negative integer number of minor units, ` +
          `got ${String(r.remaining)}`,
      );
    held += BigInt(r.remaining);
  }
  if (BigInt(amount) > held)
    throw new PayoutInputError(
      'amount',
      `amount ${amount} is more than the sale's members still hold of it (${held} ${currency} minor units ` +
        'after earlier refunds); refund at most that',
    );
  const split = splitPool(
    amount,
    currency,
    remaining.map(({ participant, remaining: value }) => ({ participant, value })),
  );
  split.entries.forEach((e, i) => {
    // splitPool's rounding never gives a member more than its quota rounded up; a check, not a branch.
    if (e.amount > remaining[i]!.remaining)
      throw new RangeError(`refund split gave ${e.participant} more than it holds (a bug in splitPool)`);
  });
  return split;
}
