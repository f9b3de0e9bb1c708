// The sales part's ledger tools at scale: a synthetic version 3 ledger of sales, their members' payouts and refunds,
// signed with a real Ed25519 key by appendEntries, then the tools a trust and its members run over it timed:
// verifyLedger (the whole JSON Lines text), parsing the lines, reconcileLedger, memberStatement (one member, one
// month, and the whole year) and checkStatementReceipts (the month's statement against every receipt the member's
// node keeps).
import { generateSigningKeyPair, toHex } from '@tessera/crypto';
import {
  appendEntries,
  checkStatementReceipts,
  cosignHead,
  GENESIS_HASH,
  ledgerLine,
  memberStatement,
  parseLedgerLine,
  reconcileLedger,
  RECEIPT_FORMAT,
  signHead,
  splitRefund,
  splitSale,
  verifyLedger,
  type LedgerEntry,
  type PayoutReceiptFile,
  type PayoutRecord,
} from '@tessera/payouts';
import { fixed, secondsSince } from '../stats.js';

export interface LedgerScaleOptions {
  sales: number;
  /** Members paid by each sale (each sale's payouts). */
  membersPerSale: number;
  /** Members in the trust: sale s pays members s x membersPerSale + j (mod this), j < membersPerSale. */
  members: number;
  /** Refunds, of every (sales / refunds)-th sale, a quarter of its price each. */
  refunds: number;
  /** The year the sales are spread over (UTC), evenly. */
  year: number;
  /** The statement's month (1 to 12) of that year. */
  statementMonth: number;
}

/** A member's statement over a period: its time, entries and sales. */
export type StatementTiming = ToolTiming & { member: string; from: string; to: string; entries: number; sales: number };

/** One tool's time over the ledger. */
export interface ToolTiming {
  seconds: number;
  entriesPerSecond: number;
}

export interface LedgerScaleReport {
  options: LedgerScaleOptions;
  entries: number;
  bytes: number;
  sign: ToolTiming;
  verify: ToolTiming & { ok: boolean };
  parse: ToolTiming;
  reconcile: ToolTiming & { balanced: boolean; sales: number; currencies: number };
  statement: StatementTiming;
  /** The same member's statement over the whole year: memberStatement looks up each sale's buyer refunds. */
  yearStatement: StatementTiming;
  receipts: ToolTiming & { receipts: number; matched: number; outside: number; ok: boolean; perReceiptMs: number };
}

const timing = (seconds: number, entries: number): ToolTiming => ({
  seconds: fixed(seconds, 4),
  entriesPerSecond: Math.round(entries / seconds),
});

const member = (i: number) => `member-${String(i).padStart(3, '0')}`;

/**
 * The records of the synthetic ledger, in ledger order, each sale's (sale event, then its payouts) and each refund's
 * (members' refunds, then the buyer-refund event) as the coordinator writes them, split by splitSale / splitRefund so
 * that the ledger reconciles; and where each sale's or refund's group ends (the head a receipt carries).
 */
export function salesRecords(o: LedgerScaleOptions): { records: PayoutRecord[]; groupEnds: number[] } {
  const records: PayoutRecord[] = [];
  const groupEnds: number[] = [];
  const start = Date.UTC(o.year, 0, 1);
  const step = (Date.UTC(o.year + 1, 0, 1) - start) / o.sales;
  const refundEvery = Math.max(1, Math.floor(o.sales / Math.max(1, o.refunds)));
  let refunds = 0;
  for (let s = 0; s < o.sales; s++) {
    const sale = `sale-${s.toString(16).padStart(16, '0')}`;
    const product = `prod-${(s % 20).toString(16).padStart(16, '0')}`;
    const job = `job-${s % 20}-a+job-${s % 20}-b`;
    const price = 50_000 + ((s * 7919) % 100_000);
    const at = start + s * step;
    const members = Array.from({ length: o.membersPerSale }, (_, j) => ({
      participant: member((s * o.membersPerSale + j) % o.members),
      value: 100 + ((s + j * 31) % 500),
    }));
    const split = splitSale(price, 'EUR', members, new Set());
    const timestamp = new Date(at).toISOString();
    const base = { product, sale, currency: 'EUR', timestamp };
    const buyer = `buyer-${s % 50}`;
    records.push({ ...base, kind: 'sale', job, participant: buyer, amount: price, method: 'records', share: 1 });
    for (const e of split.entries)
      records.push({
        ...base,
        kind: 'payout',
        job,
        participant: e.participant,
        amount: e.amount,
        method: 'records',
        share: e.share,
      });
    groupEnds.push(records.length);
    if (refunds < o.refunds && s % refundEvery === 0) {
      refunds++;
      const amount = Math.floor(price / 4);
      const back = splitRefund(
        amount,
        'EUR',
        split.entries.map((e) => ({ participant: e.participant, remaining: e.amount })),
      );
      const refundBase = { ...base, timestamp: new Date(at + step / 2).toISOString() };
      for (const e of back.entries)
        records.push({
          ...refundBase,
          kind: 'refund',
          job,
          participant: e.participant,
          amount: -e.amount,
          method: 'refund',
          share: e.share,
        });
      records.push({
        ...refundBase,
        kind: 'buyer-refund',
        job,
        participant: buyer,
        amount: -amount,
        method: 'refund',
        share: 1,
      });
      groupEnds.push(records.length);
    }
  }
  return { records, groupEnds };
}

/**
 * The receipts a member's node keeps for its entries: the entry, the head signed after its sale's or refund's
 * entries, and the member's cosignature over that head (as the coordinator sends them and a node answers).
 */
export function memberReceipts(
  ledger: readonly LedgerEntry[],
  groupEnds: readonly number[],
  participant: string,
  coordinator: { publicKey: Uint8Array; secretKey: Uint8Array },
): PayoutReceiptFile[] {
  const identity = generateSigningKeyPair();
  const coordinatorKey = toHex(coordinator.publicKey);
  const out: PayoutReceiptFile[] = [];
  let g = 0;
  for (const [i, entry] of ledger.entries()) {
    while ((groupEnds[g] ?? Number.POSITIVE_INFINITY) <= i) g++;
    if (entry.participant !== participant) continue;
    const last = ledger[(groupEnds[g] ?? ledger.length) - 1]!;
    const head = { seq: last.seq, hash: last.hash };
    out.push({
      format: RECEIPT_FORMAT,
      coordinatorKey,
      entry,
      head: signHead(head, coordinator.secretKey),
      cosignature: cosignHead(head, coordinatorKey, participant, identity),
    });
  }
  return out;
}

/** Builds, signs and exports the synthetic ledger, then times each tool over it. */
export function runLedgerScale(o: LedgerScaleOptions, log: (line: string) => void): LedgerScaleReport {
  const keys = generateSigningKeyPair();
  const { records, groupEnds } = salesRecords(o);
  log(`ledger: signing ${records.length} entries (${o.sales} sales, ${o.refunds} refunds)`);
  let t = performance.now();
  const ledger = appendEntries({ seq: 0, hash: GENESIS_HASH }, records, keys.secretKey);
  const sign = timing(secondsSince(t), ledger.length);
  const lines = ledger.map((e) => ledgerLine(e));
  const text = `${lines.join('\n')}\n`;

  t = performance.now();
  const verdict = verifyLedger(text, keys.publicKey, { head: ledger.at(-1)!.hash });
  const verify = { ...timing(secondsSince(t), ledger.length), ok: verdict.ok && verdict.entries === ledger.length };
  if (!verdict.ok) throw new Error(`the synthetic ledger did not verify: line ${verdict.line}: ${verdict.reason}`);

  t = performance.now();
  const parsed = lines.map((l, i) => parseLedgerLine(l, i + 1));
  const parse = timing(secondsSince(t), parsed.length);

  t = performance.now();
  const rec = reconcileLedger(parsed);
  const reconcile = {
    ...timing(secondsSince(t), parsed.length),
    balanced: rec.balanced,
    sales: rec.sales.length,
    currencies: rec.currencies.length,
  };
  log(`ledger: verified at ${verify.entriesPerSecond} entries/s, reconciled at ${reconcile.entriesPerSecond}/s`);

  const who = member(0);
  const month = String(o.statementMonth).padStart(2, '0');
  const from = `${o.year}-${month}-01`;
  const to = new Date(Date.UTC(o.year, o.statementMonth, 0)).toISOString().slice(0, 10);
  const statementOver = (period: { from: string; to: string }) => {
    const started = performance.now();
    const made = memberStatement(parsed, who, period);
    const timed: StatementTiming = {
      ...timing(secondsSince(started), parsed.length),
      member: who,
      ...period,
      entries: made.entries.length,
      sales: made.sales.length,
    };
    return { made, timed };
  };
  const { made: statement, timed: statementTiming } = statementOver({ from, to });
  const year = statementOver({ from: `${o.year}-01-01`, to: `${o.year}-12-31` }).timed;

  const receiptFiles = memberReceipts(ledger, groupEnds, who, keys);
  t = performance.now();
  const check = checkStatementReceipts(statement, parsed, receiptFiles);
  const seconds = secondsSince(t);
  log(
    `ledger: ${who}'s statement (${statement.entries.length} entries) in ${statementTiming.seconds} s, ` +
      `${receiptFiles.length} receipts checked in ${seconds.toFixed(2)} s`,
  );
  return {
    options: o,
    entries: ledger.length,
    bytes: Buffer.byteLength(text),
    sign,
    verify,
    parse,
    reconcile,
    statement: statementTiming,
    yearStatement: year,
    receipts: {
      ...timing(seconds, parsed.length),
      receipts: check.receipts,
      matched: check.matched,
      outside: check.outside,
      ok: check.ok,
      perReceiptMs: fixed((seconds * 1000) / Math.max(1, check.receipts), 3),
    },
  };
}
