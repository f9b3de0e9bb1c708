/** A member's statement: its payouts and refunds in a period, the sales they came from, totals and a daily series. */
import type { LedgerEntry } from './ledger-entry.js';
import { receiptProblem, type PayoutReceiptFile } from './ledger-receipt.js';
import { inStatementWindow, parseStatementWindow } from './statement-window.js';

/** One of the member's entries (a payout, or a refund taken back from it). */
export interface StatementEntry {
  seq: number;
  /** payout | refund */
  kind: string;
  timestamp: string;
  job: string;
  /** '' for a job's own payout. */
  product: string;
  sale: string;
  /** The sale's buyer ('' for a job's own payout). */
  buyer: string;
  /** Minor units as in the ledger: a refund is negative. */
  amount: number;
  currency: string;
  method: string;
  share: number;
  hash: string;
}

/** A sale the member's entries in the period came from. */
export interface StatementSale {
  sale: string;
  product: string;
  buyer: string;
  /** The sale's price (its `sale` entry), 0 when the ledger has no sale entry for it (see `problems`). */
  price: number;
  currency: string;
  /** The sale entry's timestamp ('' when it has none). */
  timestamp: string;
  /** Sum of the sale's buyer refunds up to the end of the period (<= 0, as in the ledger). */
  buyerRefunded: number;
  /** The member's net from this sale in the period (its payout plus its refunds). */
  memberAmount: number;
}

/** The member's totals in one currency: paid >= 0, refunded <= 0, net = paid + refunded. */
export interface StatementTotal {
  currency: string;
  paid: number;
  refunded: number;
  net: number;
  entries: number;
}

/** One day's net amount in one currency, and the running total over the period (for a chart). */
export interface StatementPoint {
  /** YYYY-MM-DD (UTC). */
  date: string;
  currency: string;
  amount: number;
  cumulative: number;
}

export interface MemberStatement {
  member: string;
  /** The period's bounds as given (null when open). */
  from: string | null;
  to: string | null;
  entries: StatementEntry[];
  sales: StatementSale[];
  totals: StatementTotal[];
  series: StatementPoint[];
  /** What the statement could not account for: entries of a sale the ledger has no sale entry for. */
  problems: string[];
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function safe(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(-Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${what} is ${value} minor units, outside the safe integer range; use a shorter period`);
  return Number(value);
}

/**
 * The statement of `member` over a ledger's entries (in ledger order): its `payout` and `refund` entries whose
 * timestamp is in the period (parseStatementWindow: dates are whole UTC days, both bounds inclusive), the sales they
 * came from (buyer and price from the sales' `sale` entries), totals per currency and the net per UTC day with its
 * running total. Sums are exact (BigInt). Throws a PayoutInputError naming `--from`/`--to` for a bad period.
 */
export function memberStatement(
  entries: readonly LedgerEntry[],
  member: string,
  period: { from?: string | null; to?: string | null } = {},
): MemberStatement {
  const window = parseStatementWindow(period.from, period.to);
  // One pass over the ledger: each sale's event, and its buyer refunds up to the end of the period.
  const saleEvents = new Map<string, LedgerEntry>();
  const buyerRefunds = new Map<string, bigint>();
  for (const e of entries) {
    const sale = e.sale ?? '';
    if (e.kind === 'sale' && !saleEvents.has(sale)) saleEvents.set(sale, e);
    else if (e.kind === 'buyer-refund' && (window.end === null || Date.parse(e.timestamp) < window.end))
      buyerRefunds.set(sale, (buyerRefunds.get(sale) ?? 0n) + BigInt(e.amount));
  }
  const mine = entries.filter(
    (e) =>
      e.participant === member &&
      (e.kind === undefined || e.kind === 'payout' || e.kind === 'refund') &&
      inStatementWindow(window, e.timestamp),
  );
  const problems: string[] = [];
  const statementEntries: StatementEntry[] = mine.map((e) => {
    const sale = e.sale ?? '';
    const event = sale === '' ? undefined : saleEvents.get(sale);
    if (sale !== '' && !event) problems.push(`seq ${e.seq}: sale ${sale} has no sale entry in the ledger`);
    return {
      seq: e.seq,
      kind: e.kind ?? 'payout',
      timestamp: e.timestamp,
      job: e.job,
      product: e.product ?? '',
      sale,
      buyer: event?.participant ?? '',
      amount: e.amount,
      currency: e.currency,
      method: e.method,
      share: e.share,
      hash: e.hash,
    };
  });
  // The sales, in the order the member's entries first name them.
  const sales = new Map<string, { event?: LedgerEntry; product: string; currency: string; member: bigint }>();
  for (const e of statementEntries) {
    if (e.sale === '') continue;
    const s = sales.get(e.sale) ?? {
      event: saleEvents.get(e.sale),
      product: e.product,
      currency: e.currency,
      member: 0n,
    };
    s.member += BigInt(e.amount);
    sales.set(e.sale, s);
  }
  const statementSales: StatementSale[] = [...sales.entries()].map(([sale, s]) => {
    const buyerRefunded = buyerRefunds.get(sale) ?? 0n;
    return {
      sale,
      product: s.event?.product ?? s.product,
      buyer: s.event?.participant ?? '',
      price: s.event?.amount ?? 0,
      currency: s.event?.currency ?? s.currency,
      timestamp: s.event?.timestamp ?? '',
      buyerRefunded: safe(buyerRefunded, `sale ${sale}'s buyer refunds`),
      memberAmount: safe(s.member, `the member's amount from sale ${sale}`),
    };
  });
  // Totals per currency.
  const totals = new Map<string, { paid: bigint; refunded: bigint; entries: number }>();
  for (const e of statementEntries) {
    const t = totals.get(e.currency) ?? { paid: 0n, refunded: 0n, entries: 0 };
    if (e.kind === 'refund') t.refunded += BigInt(e.amount);
    else t.paid += BigInt(e.amount);
    t.entries++;
    totals.set(e.currency, t);
  }
  const statementTotals: StatementTotal[] = [...totals.entries()]
    .sort(([a], [b]) => byKey(a, b))
    .map(([currency, t]) => ({
      currency,
      paid: safe(t.paid, `the ${currency} total paid`),
      refunded: safe(t.refunded, `the ${currency} total refunded`),
      net: safe(t.paid + t.refunded, `the ${currency} net`),
      entries: t.entries,
    }));
  // The net per UTC day and currency, and the running total per currency.
  const days = new Map<string, bigint>();
  for (const e of statementEntries) {
    const key = `${new Date(Date.parse(e.timestamp)).toISOString().slice(0, 10)} ${e.currency}`;
    days.set(key, (days.get(key) ?? 0n) + BigInt(e.amount));
  }
  const running = new Map<string, bigint>();
  const series: StatementPoint[] = [...days.entries()]
    .sort(([a], [b]) => byKey(a, b))
    .map(([key, amount]) => {
      const [date, currency] = key.split(' ') as [string, string];
      const cumulative = (running.get(currency) ?? 0n) + amount;
      running.set(currency, cumulative);
      return {
        date,
        currency,
        amount: safe(amount, `the ${currency} amount of ${date}`),
        cumulative: safe(cumulative, `the ${currency} running total on ${date}`),
      };
    });
  return {
    member,
    from: window.from,
    to: window.to,
    entries: statementEntries,
    sales: statementSales,
    totals: statementTotals,
    series,
    problems,
  };
}

/** The result of checkStatementReceipts. */
export interface StatementReceiptsCheck {
  ok: boolean;
  /** Receipts given. */
  receipts: number;
  /** Receipts in the period whose entry the statement holds with the same seq and hash. */
  matched: number;
  /** Receipts of this member whose entry falls outside the period (not expected in the statement). */
  outside: number;
  problems: string[];
}

/**
 * Checks a statement against the member's receipts: each receipt must hold on its own (receiptProblem) and be the
 * member's; one whose entry falls in the statement's period must be in the statement with the same seq and hash, and
 * in the ledger `entries` the statement was made from, unchanged. A receipt for another member is a problem, and so
 * is a sale's entry in the statement the member holds no receipt of (give all its receipts of the period).
 */
export function checkStatementReceipts(
  statement: MemberStatement,
  entries: readonly LedgerEntry[],
  receipts: readonly PayoutReceiptFile[],
): StatementReceiptsCheck {
  const window = parseStatementWindow(statement.from, statement.to);
  const inStatement = new Map(statement.entries.map((e) => [e.seq, e]));
  const inLedger = new Map(entries.map((e) => [e.seq, e]));
  const problems: string[] = [];
  let matched = 0;
  let outside = 0;
  for (const r of receipts) {
    const e = r.entry;
    const at = `receipt of seq ${e.seq}`;
    if (e.participant !== statement.member) {
      problems.push(`${at} is for participant ${e.participant}, not ${statement.member}: give only this member's`);
      continue;
    }
    const problem = receiptProblem(r);
    if (problem) {
      problems.push(`${at}: ${problem}`);
      continue;
    }
    const ledger = inLedger.get(e.seq);
    if (ledger && ledger.hash !== e.hash)
      problems.push(
        `${at}: the ledger's entry at seq ${e.seq} has hash ${ledger.hash.slice(0, 16)}..., ` +
          `the receipt ${e.hash.slice(0, 16)}... (the entry was rewritten)`,
      );
    if (!inStatementWindow(window, e.timestamp)) {
      outside++;
      continue;
    }
    const s = inStatement.get(e.seq);
    if (!s) {
      problems.push(
        `${at} (${e.kind ?? 'payout'} of ${e.amount} ${e.currency}, ${e.timestamp}) is in the period ` +
          'but not in the statement',
      );
      continue;
    }
    if (s.hash !== e.hash) {
      problems.push(
        `${at}: the statement's entry has hash ${s.hash.slice(0, 16)}..., the receipt ${e.hash.slice(0, 16)}...`,
      );
      continue;
    }
    if (!ledger) problems.push(`${at} is in the statement but not in the ledger it was made from`);
    else matched++;
  }
  // A sale's entry of the member without its receipt: the coordinator (which holds the ledger key) wrote it, and the
  // member's node never kept it: a node refuses a sale's entry it did not consent to, or it was never sent.
  const held = new Set(receipts.filter((r) => r.entry.participant === statement.member).map((r) => r.entry.seq));
  for (const e of statement.entries)
    if (e.sale !== '' && !held.has(e.seq))
      problems.push(
        `seq ${e.seq} (${e.kind} of ${e.amount} ${e.currency} for sale ${e.sale}) is in the statement, and this ` +
          "member holds no receipt of it: its node did not keep it (a node refuses a sale's payout or refund it did " +
          'not consent to: look for a refusal at stage receipt in its audit log), or never received it',
      );
  return { ok: problems.length === 0, receipts: receipts.length, matched, outside, problems };
}
