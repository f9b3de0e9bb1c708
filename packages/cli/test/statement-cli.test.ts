// `tessera payouts statement` and `tessera payouts reconcile` offline, on a signed v3 ledger of two sales and a refund.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, toHex } from '@tessera/crypto';
import {
  appendEntries,
  GENESIS_HASH,
  ledgerLine,
  RECEIPT_FORMAT,
  receiptFileName,
  type LedgerEntry,
  type PayoutRecord,
} from '@tessera/payouts';
import { tempDir } from '@tessera/test-support';
import { runCli } from './in-process.js';

const dir = tempDir('tessera-statement-cli-').dir;
const keys = generateSigningKeyPair();
const key = toHex(keys.publicKey);
const at = (day: number, hour = 9) => `2026-11-0${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const rec = (
  kind: 'sale' | 'payout' | 'refund' | 'buyer-refund',
  participant: string,
  amount: number,
  sale: string,
  timestamp: string,
  share = 1,
): PayoutRecord => ({
  job: 'job-a+job-b',
  participant,
  amount,
  currency: 'CNY',
  method: kind === 'refund' || kind === 'buyer-refund' ? 'refund' : 'records',
  share,
  timestamp,
  kind,
  product: 'prod-1',
  sale,
});

/** Two sales (p-3 refuses the insurer), a partial refund of the first: balanced, as the coordinator writes it. */
const RECORDS: PayoutRecord[] = [
  rec('sale', 'acme-bank', 120000, 'sale-1', at(2)),
  rec('payout', 'p-1', 60000, 'sale-1', at(2), 0.5),
  rec('payout', 'p-2', 36000, 'sale-1', at(2), 0.3),
  rec('payout', 'p-3', 24000, 'sale-1', at(2), 0.2),
  rec('sale', 'safe-insure', 50001, 'sale-2', at(4)),
  rec('payout', 'p-1', 31251, 'sale-2', at(4), 0.625),
  rec('payout', 'p-2', 18750, 'sale-2', at(4), 0.375),
  rec('buyer-refund', 'acme-bank', -20000, 'sale-1', at(5), 1),
  rec('refund', 'p-1', -10000, 'sale-1', at(5), 0),
  rec('refund', 'p-2', -6000, 'sale-1', at(5), 0),
  rec('refund', 'p-3', -4000, 'sale-1', at(5), 0),
];
const write = (name: string, entries: readonly LedgerEntry[]) => {
  const path = join(dir, name);
  writeFileSync(path, entries.map((e) => `${ledgerLine(e)}\n`).join(''));
  return path;
};
const entries = appendEntries({ seq: 0, hash: GENESIS_HASH }, RECORDS, keys.secretKey);
const ledger = write('ledger.jsonl', entries);
/** The receipts p-1's node would keep: its entries, under the coordinator's key. */
const receiptsOf = (name: string, participant: string, of: readonly LedgerEntry[] = entries) => {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  for (const entry of of.filter((e) => e.participant === participant))
    writeFileSync(
      join(out, receiptFileName({ entry })),
      JSON.stringify({ format: RECEIPT_FORMAT, coordinatorKey: key, entry }),
    );
  return out;
};

describe('tessera payouts statement (offline)', () => {
  it("prints a member's entries, the sales they came from and exact totals; its receipts match", async () => {
    const receipts = receiptsOf('receipts-p1', 'p-1');
    const r = await runCli([
      'payouts',
      'statement',
      '--member',
      'p-1',
      '--ledger',
      ledger,
      '--key',
      key,
      '--receipts',
      receipts,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.entries.map((e: { seq: number }) => e.seq)).toEqual([2, 6, 9]);
    expect(s.entries.map((e: { amount: number }) => e.amount)).toEqual([60000, 31251, -10000]);
    expect(s.totals).toEqual([{ currency: 'CNY', paid: 91251, refunded: -10000, net: 81251, entries: 3 }]);
    expect(s.sales).toMatchObject([
      { sale: 'sale-1', buyer: 'acme-bank', price: 120000, buyerRefunded: -20000, memberAmount: 50000 },
      { sale: 'sale-2', buyer: 'safe-insure', price: 50001, buyerRefunded: 0, memberAmount: 31251 },
    ]);
    expect(s.receipts).toMatchObject({ ok: true, receipts: 3, matched: 3, problems: [] });
    expect(s.ledger).toMatchObject({ entries: 11, seq: 11, head: entries[10]!.hash, coordinatorPublicKey: key });
    // Offline, a member's own name is resolved by its receipts (the ledger knows only participant ids).
    const byName = await runCli([
      'payouts',
      'statement',
      '--member',
      'merchant-1',
      '--ledger',
      ledger,
      '--key',
      key,
      '--receipts',
      receipts,
    ]);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toMatch(/^statement of merchant-1 \(p-1\): 3 entries/);
    const text = await runCli(['payouts', 'statement', '--member', 'p-3', '--ledger', ledger, '--key', key]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/CNY\s+24000\s+-4000\s+20000\s+2/);
    expect(text.stdout).not.toMatch(/safe-insure/);
  });

  it('a period keeps the entries of its days; a bad date names the flag', async () => {
    const args = ['payouts', 'statement', '--member', 'p-2', '--ledger', ledger, '--key', key, '--json'];
    const r = await runCli([...args, '--from', '2026-11-03', '--to', '2026-11-04']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).totals).toEqual([
      { currency: 'CNY', paid: 18750, refunded: 0, net: 18750, entries: 1 },
    ]);
    const bad = await runCli([...args, '--from', '3 Nov']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--from must be a date/);
  });

  it("a receipt the ledger no longer holds as it was, or another member's, fails the statement", async () => {
    // The ledger the coordinator shows later: p-1's second payout rewritten (and re-signed, which its receipt shows).
    const rewritten = appendEntries(
      { seq: 0, hash: GENESIS_HASH },
      RECORDS.map((x, i) => (i === 5 ? { ...x, amount: 30251 } : i === 6 ? { ...x, amount: 19750 } : x)),
      keys.secretKey,
    );
    const later = write('ledger-rewritten.jsonl', rewritten);
    const receipts = receiptsOf('receipts-p1-again', 'p-1');
    const r = await runCli([
      'payouts',
      'statement',
      '--member',
      'p-1',
      '--ledger',
      later,
      '--key',
      key,
      '--receipts',
      receipts,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/receipts DO NOT MATCH/);
    expect(r.stdout).toMatch(/receipt of seq 6: the ledger's entry at seq 6 has hash/);
    const other = await runCli([
      'payouts',
      'statement',
      '--member',
      'p-2',
      '--ledger',
      ledger,
      '--key',
      key,
      '--receipts',
      receipts,
      '--json',
    ]);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout).receipts.problems[0]).toMatch(/is for participant p-1, not p-2/);
  });

  it('refuses a ledger that does not verify, before reading it; --ledger needs --key', async () => {
    const lines = readFileSync(ledger, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"amount":60000', '"amount":70000');
    const tampered = join(dir, 'tampered.jsonl');
    writeFileSync(tampered, lines.join('\n'));
    const r = await runCli(['payouts', 'statement', '--member', 'p-1', '--ledger', tampered, '--key', key]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not verify, so nothing is read from it: .*line 2/);
    expect(r.stderr.match(/line 2/g), 'the line is named once').toHaveLength(1);
    expect(r.stdout).toBe('');
    const noKey = await runCli(['payouts', 'statement', '--member', 'p-1', '--ledger', ledger]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/--key is required with --ledger/);
    const nobody = await runCli(['payouts', 'statement', '--member', 'p-9', '--ledger', ledger, '--key', key]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/--member p-9: .* members in the ledger: p-1, p-2, p-3\n/);
    // Offline, a member's name is not in the ledger: the error says how to find the member anyway.
    const named = await runCli(['payouts', 'statement', '--member', 'merchant-1', '--ledger', ledger, '--key', key]);
    expect(named.code).toBe(1);
    expect(named.stderr).toMatch(/give the id, or --receipts DIR \(the member's receipts/);
    const missing = await runCli(['payouts', 'reconcile', '--ledger', join(dir, 'missing.jsonl'), '--key', key]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read --ledger \S+missing\.jsonl: no such file \(export one with/);
  });

  it('--out writes the statement page with its chart', async () => {
    const out = join(dir, 'statement.html');
    const r = await runCli(['payouts', 'statement', '--member', 'p-1', '--ledger', ledger, '--key', key, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<svg[^>]*data-chart="amounts-over-time"/);
    expect(html.match(/<rect class="bar/g)).toHaveLength(3);
    expect(html).toContain('<td>60000 CNY</td>');
  });
});

describe('tessera payouts reconcile (offline)', () => {
  it('balances an honest ledger exactly, per currency and per sale', async () => {
    const r = await runCli(['payouts', 'reconcile', '--ledger', ledger, '--key', key, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const x = JSON.parse(r.stdout);
    expect(x.balanced).toBe(true);
    expect(x.currencies).toEqual([
      {
        currency: 'CNY',
        sales: 170001,
        buyerRefunds: -20000,
        salesNet: 150001,
        paid: 170001,
        refunded: -20000,
        paidNet: 150001,
        difference: 0,
        balanced: true,
        jobPayouts: 0,
      },
    ]);
    expect(x.sales.map((s: { sale: string; balanced: boolean }) => [s.sale, s.balanced])).toEqual([
      ['sale-1', true],
      ['sale-2', true],
    ]);
    const text = await runCli(['payouts', 'reconcile', '--ledger', ledger, '--key', key]);
    expect(text.stdout).toMatch(/CNY\s+170001\s+-20000\s+170001\s+-20000\s+0\s+yes/);
    expect(text.stdout).toMatch(/^balanced: 2 sale\(s\) in 11 verified entries/m);
  });

  it('exits 1 on a signed ledger whose payouts do not add up to the price, naming the sale', async () => {
    const short = appendEntries(
      { seq: 0, hash: GENESIS_HASH },
      RECORDS.map((x, i) => (i === 6 ? { ...x, amount: 18749 } : x)),
      keys.secretKey,
    );
    const r = await runCli(['payouts', 'reconcile', '--ledger', write('short.jsonl', short), '--key', key]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/CNY\s+170001\s+-20000\s+170000\s+-20000\s+1\s+NO/);
    expect(r.stdout).toMatch(/NOT balanced: .*sales at fault: sale-2/);
    expect(r.stdout).toMatch(/sale sale-2 \(seq 5\): the buyer paid 50001 net but members were paid 50000/);
  });
});
