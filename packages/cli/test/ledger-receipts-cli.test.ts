// `tessera ledger verify --receipts` on a real payout run's export: honest, re-signed, truncated and forked ledgers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PayoutLedger, LEDGER_KEY_FILE, SqliteStore } from '@tessera/coordinator';
import { parseCsv } from '@tessera/data';
import { generateSigningKeyPair, toHex } from '@tessera/crypto';
import {
  cosignatureLine,
  cosignHead,
  parseCosignatureLine,
  parseLedgerLine,
  parseReceiptFile,
  type LedgerEntry,
  type PayoutRecord,
} from '@tessera/payouts';
import { LocalFederation } from '@tessera/sdk';
import { tempDir } from '@tessera/test-support';
import { runCli } from './in-process.js';

const breastCancer = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));
const recordOf = (e: LedgerEntry): PayoutRecord => ({
  job: e.job,
  participant: e.participant,
  amount: e.amount,
  currency: e.currency,
  method: e.method,
  share: e.share,
  timestamp: e.timestamp,
});
const jsonl = (lines: readonly string[]) => lines.map((l) => `${l}\n`).join('');
const toHexKey = () => toHex(generateSigningKeyPair().publicKey);

describe('tessera ledger verify --receipts: what a member detects with the receipts its node kept', () => {
  const tmp = tempDir('tessera-ledger-receipts-');
  let fed: LocalFederation;
  let entries: LedgerEntry[] = [];
  let key = '';
  const ledgerFile = join(tmp.dir, 'ledger.jsonl');
  const cosignaturesFile = join(tmp.dir, 'ledger.cosignatures.jsonl');
  const allReceipts = join(tmp.dir, 'receipts-all');
  /** Receipts of the member paid at seq 1 only (its entry is the first, its head the last). */
  const firstReceipts = join(tmp.dir, 'receipts-first');
  /** A copy of the coordinator's database and ledger key, to build other histories with the coordinator's code. */
  const ledgerIn = (name: string, withKeyOf?: string) => {
    const dir = join(tmp.dir, name);
    mkdirSync(dir, { recursive: true });
    if (withKeyOf) copyFileSync(join(withKeyOf, LEDGER_KEY_FILE), join(dir, LEDGER_KEY_FILE));
    const store = new SqliteStore(join(dir, 'coordinator.db'));
    return { store, ledger: new PayoutLedger(store, dir) };
  };

  beforeAll(async () => {
    const table = parseCsv(readFileSync(breastCancer, 'utf8'), breastCancer);
    const shards = [0, 1, 2].map((k) => ({ ...table, rows: table.rows.filter((_, i) => i % 4 === k) }));
    const validation = { ...table, rows: table.rows.filter((_, i) => i % 4 === 3) };
    // The members opt in to valuation (a consent grant): a payout discloses their per-round updates.
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards,
      dataset: 'patients',
      runtime: 'inline',
      valuation: true,
    });
    const { toCsv } = await import('@tessera/data');
    const submitted = await fed.analyst.submit({
      name: 'paid',
      dataset: 'patients',
      label: 'benign',
      rounds: 2,
      minParticipants: 3,
      waitForParticipantsSeconds: 30,
      roundTimeoutSeconds: 30,
      payout: {
        pool: 90_000,
        currency: 'EUR',
        valuation: 'loo',
        metric: 'logLoss',
        validation: { csv: toCsv(validation), source: 'every fourth row' },
      },
    });
    const job = await fed.analyst.watch(submitted.id, () => undefined);
    expect(job.status).toBe('completed');
    expect(job.payouts?.status).toBe('paid');
    // Each node countersigns the head its receipt carried and sends it back; wait until the coordinator has all.
    let exported = await fed.analyst.exportLedger();
    for (let i = 0; i < 100 && exported.cosignatures.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      exported = await fed.analyst.exportLedger();
    }
    writeFileSync(ledgerFile, jsonl(exported.lines));
    writeFileSync(cosignaturesFile, jsonl(exported.cosignatures));
    entries = exported.lines.map((l, i) => parseLedgerLine(l, i + 1));
    key = exported.coordinatorKey;
    expect(exported).toMatchObject({ headSeq: 3, head: entries[2]!.hash });
    expect(exported.headSignature).toMatch(/^[0-9a-f]{128}$/);
    for (const p of fed.participants) {
      const r = await runCli(['participant', 'receipts', '--config', p.configPath, '--out', allReceipts, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { receipts: { seq: number; headSeq: number; cosigned: boolean }[] };
      expect(out.receipts).toHaveLength(1);
      expect(out.receipts[0]).toMatchObject({ headSeq: 3, cosigned: true });
      if (out.receipts[0]!.seq === 1) {
        const r1 = await runCli(['participant', 'receipts', '--config', p.configPath, '--out', firstReceipts]);
        expect(r1.stdout).toMatch(/1 receipt\(s\) written .* \(1 with a signed ledger head\)/);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('an honest export verifies against every receipt; the cosignatures are in the export and verify', async () => {
    expect(readdirSync(allReceipts).sort()).toEqual([
      'receipt-00000001.json',
      'receipt-00000002.json',
      'receipt-00000003.json',
    ]);
    const r = await runCli([
      'ledger',
      'verify',
      ledgerFile,
      '--receipts',
      allReceipts,
      '--cosignatures',
      cosignaturesFile,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ ok: true, entries: 3, seq: 3, head: entries[2]!.hash, formatVersion: 3 });
    expect(v.checks).toMatchObject({
      chain: { ok: true, entries: 3 },
      receipts: { ok: true, count: 3, withHeads: 3 },
      key: { ok: true, pinned: key, used: key },
      truncation: { ok: true, exportSeq: 3, receiptSeq: 3 },
      rewrite: { ok: true, checked: 3 },
      fork: { ok: true, checked: 3 },
      cosignatures: { ok: true, count: 3, verified: 3, own: 3, missing: 0, unverified: 0, unpinned: [], pinned: 3 },
    });
    // Each cosignature is by the member's enrolled identity key, over the head its receipt carried.
    for (const line of readFileSync(cosignaturesFile, 'utf8').trim().split('\n')) {
      const c = JSON.parse(line) as { participant: string; publicKey: string; seq: number; coordinatorKey: string };
      expect(c).toMatchObject({ seq: 3, coordinatorKey: key });
      const own = readdirSync(allReceipts)
        .map((f) => parseReceiptFile(readFileSync(join(allReceipts, f), 'utf8'), f))
        .find((x) => x.entry.participant === c.participant);
      expect(own?.cosignature?.publicKey).toBe(c.publicKey);
    }
    const plain = await runCli(['ledger', 'verify', ledgerFile, '--key', key, '--json']);
    expect(JSON.parse(plain.stdout)).toEqual({
      ok: true,
      entries: 3,
      head: entries[2]!.hash,
      seq: 3,
      formatVersion: 3,
    });
  });

  it('a history re-signed with a new coordinator key verifies alone but not against the receipts', async () => {
    const { store, ledger } = ledgerIn('resigned');
    // The same payments but the first member's amount, signed by a new key.
    const records = entries.map(recordOf);
    records[0] = { ...records[0]!, amount: records[0]!.amount + 1000 };
    await ledger.append(records);
    const file = join(tmp.dir, 'resigned.jsonl');
    writeFileSync(file, jsonl((await ledger.export()).lines));
    await store.close();
    expect((await runCli(['ledger', 'verify', file, '--key', ledger.publicKeyHex])).code).toBe(0);
    const r = await runCli([
      'ledger',
      'verify',
      file,
      '--key',
      ledger.publicKeyHex,
      '--receipts',
      allReceipts,
      '--json',
    ]);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ ok: false, failure: 'resigned', checks: { key: { ok: false, pinned: key } } });
    expect(v.checks.rewrite).toMatchObject({ ok: false, seq: 1 });
    const human = await runCli(['ledger', 'verify', file, '--receipts', allReceipts]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/ledger tampered: .* re-signed history: entry 1 .* not signed by the coordinator key/);
  });

  it('a truncated history verifies alone but not against the receipts', async () => {
    const file = join(tmp.dir, 'truncated.jsonl');
    writeFileSync(file, jsonl(readFileSync(ledgerFile, 'utf8').trim().split('\n').slice(0, 2)));
    expect((await runCli(['ledger', 'verify', file, '--key', key])).code).toBe(0);
    const r = await runCli(['ledger', 'verify', file, '--receipts', allReceipts, '--json']);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ ok: false, failure: 'truncation', line: 3, seq: 3 });
    expect(v.checks.truncation).toMatchObject({ ok: false, exportSeq: 2, receiptSeq: 3 });
    expect(v.reason).toMatch(/truncation: the export ends at seq 2 but receipt receipt-0000000\d\.json .* head seq 3/);
  });

  it('a forked head, signed with the coordinator’s own key, is named a fork', async () => {
    // The coordinator's code and key, the first two payments as made and a different third one.
    const coordinatorDir = join(tmp.dir, 'coordinator');
    const { store, ledger } = ledgerIn('forked', coordinatorDir);
    const records = entries.map(recordOf);
    await ledger.append(records.slice(0, 2));
    const third = await ledger.append([{ ...records[2]!, amount: records[2]!.amount + 500 }]);
    expect(ledger.publicKeyHex).toBe(key);
    const file = join(tmp.dir, 'forked.jsonl');
    writeFileSync(file, jsonl((await ledger.export()).lines));
    expect((await runCli(['ledger', 'verify', file, '--key', key])).code).toBe(0);
    const r = await runCli(['ledger', 'verify', file, '--receipts', firstReceipts, '--json']);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ ok: false, failure: 'fork', seq: 3, line: 3 });
    expect(v.checks.rewrite).toMatchObject({ ok: true, checked: 1 });
    expect(v.reason).toMatch(/fork: the export's chain does not contain the head receipt receipt-00000001\.json/);
    // The coordinator showed the third member the fork: its receipt's head and the first's are two heads of length 3.
    const [forkReceipt] = ledger.receipts(third);
    const both = join(tmp.dir, 'receipts-both');
    mkdirSync(both);
    copyFileSync(join(firstReceipts, 'receipt-00000001.json'), join(both, 'receipt-00000001.json'));
    writeFileSync(
      join(both, 'fork-receipt-00000003.json'),
      JSON.stringify({
        format: 'tessera-payout-receipt/1',
        coordinatorKey: key,
        entry: JSON.parse(forkReceipt!.receipt.entryJson!),
        head: forkReceipt!.receipt.head,
      }),
    );
    await store.close();
    const two = await runCli(['ledger', 'verify', ledgerFile, '--receipts', both, '--json']);
    expect(two.code).toBe(1);
    expect(JSON.parse(two.stdout)).toMatchObject({ failure: 'fork' });
    expect(JSON.parse(two.stdout).reason).toMatch(/two heads of length 3 signed by the coordinator/);
  });

  it('a cosignature the coordinator writes under a fresh key for a member is named forged', async () => {
    // The coordinator's forgery: the first member "cosigned" the real head, signed with a key the coordinator made.
    const p1 = entries[0]!.participant;
    const forged = cosignatureLine(cosignHead({ seq: 3, hash: entries[2]!.hash }, key, p1, generateSigningKeyPair()));
    const file = join(tmp.dir, 'forged.cosignatures.jsonl');
    writeFileSync(file, `${readFileSync(cosignaturesFile, 'utf8')}${forged}\n`);
    const r = await runCli([
      'ledger',
      'verify',
      ledgerFile,
      '--receipts',
      allReceipts,
      '--cosignatures',
      file,
      '--json',
    ]);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ ok: false, failure: 'cosignatures', seq: 3 });
    expect(v.checks.cosignatures).toMatchObject({ count: 4, verified: 3, unverified: 0 });
    expect(v.reason).toMatch(
      new RegExp(`forged cosignature: line 4 is by participant ${p1} under key .* receipt receipt-0+1\\.json pins`),
    );
    // Only the forged line: the member's receipt still names it.
    writeFileSync(file, `${forged}\n`);
    const alone = await runCli(['ledger', 'verify', ledgerFile, '--receipts', firstReceipts, '--cosignatures', file]);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/ledger tampered: .* forged cosignature: line 1/);
  });

  it('members nothing pins are unverified; roster certificates pin them, and a forgery for one is named', async () => {
    // The first member's receipts pin only its own key: the other two cosignatures are the coordinator's word.
    const r = await runCli([
      'ledger',
      'verify',
      ledgerFile,
      '--receipts',
      firstReceipts,
      '--cosignatures',
      cosignaturesFile,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const others = entries.slice(1).map((e) => e.participant);
    expect(JSON.parse(r.stdout).checks.cosignatures).toMatchObject({
      ok: true,
      verified: 1,
      unverified: 2,
      unpinned: [...others].sort(),
      pinned: 1,
      rosterAuthority: null,
    });
    const human = await runCli([
      'ledger',
      'verify',
      ledgerFile,
      '--receipts',
      firstReceipts,
      '--cosignatures',
      cosignaturesFile,
    ]);
    expect(human.stdout).toMatch(/1 cosignature\(s\) verify; 2 unverified: no receipt or --roster certificate pins/);
    // A roster authority (not the coordinator) certifies each member's identity key, checked with the member.
    const authorityFile = join(tmp.dir, 'roster-authority.key');
    const kg = await runCli(['roster', 'keygen', '--out', authorityFile, '--json']);
    expect(kg.code, kg.stderr).toBe(0);
    const authority = (JSON.parse(kg.stdout) as { publicKey: string }).publicKey;
    const rosterDir = join(tmp.dir, 'roster');
    mkdirSync(rosterDir);
    for (const line of readFileSync(cosignaturesFile, 'utf8').trim().split('\n')) {
      const c = parseCosignatureLine(line, 1);
      const out = join(rosterDir, `${c.participant}.json`);
      const signed = await runCli([
        'roster',
        'sign',
        '--key',
        authorityFile,
        '--participant',
        c.participant,
        '--identity',
        c.publicKey,
        '--out',
        out,
      ]);
      expect(signed.code, signed.stderr).toBe(0);
    }
    const withRoster = ['--receipts', firstReceipts, '--roster', rosterDir, '--roster-authority', authority, '--json'];
    const pinned = await runCli(['ledger', 'verify', ledgerFile, '--cosignatures', cosignaturesFile, ...withRoster]);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(JSON.parse(pinned.stdout).checks.cosignatures).toMatchObject({
      verified: 3,
      unverified: 0,
      pinned: 3,
      rosterAuthority: authority,
    });
    // The coordinator adds a line for the second member under a fresh key: its roster certificate names it.
    const p2 = others[0]!;
    const forged = cosignatureLine(cosignHead({ seq: 3, hash: entries[2]!.hash }, key, p2, generateSigningKeyPair()));
    const file = join(tmp.dir, 'forged-p2.cosignatures.jsonl');
    writeFileSync(file, `${readFileSync(cosignaturesFile, 'utf8')}${forged}\n`);
    const f = await runCli(['ledger', 'verify', ledgerFile, '--cosignatures', file, ...withRoster]);
    expect(f.code).toBe(1);
    expect(JSON.parse(f.stdout)).toMatchObject({ ok: false, failure: 'cosignatures' });
    expect(JSON.parse(f.stdout).reason).toMatch(
      new RegExp(`forged cosignature: line 4 is by participant ${p2} .* roster certificate ${p2}\\.json pins`),
    );
    // Certificates of another authority than the one the member's node trusts are refused.
    const other = toHexKey();
    const wrong = await runCli([
      'ledger',
      'verify',
      ledgerFile,
      '--cosignatures',
      cosignaturesFile,
      '--receipts',
      firstReceipts,
      '--roster',
      rosterDir,
      '--roster-authority',
      other,
      '--json',
    ]);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).reason).toMatch(
      /roster certificate .* is signed by authority .*--roster-authority/,
    );
    expect(
      (await runCli(['ledger', 'verify', ledgerFile, '--receipts', firstReceipts, '--roster', rosterDir])).stderr,
    ).toMatch(/--roster and --roster-authority pin the keys of cosignatures: give --cosignatures FILE/);
  });

  it('says what is missing: no key and no receipts, an empty receipts directory', async () => {
    expect((await runCli(['ledger', 'verify', ledgerFile])).stderr).toMatch(/--key is required.*--receipts DIR/);
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    expect((await runCli(['ledger', 'verify', ledgerFile, '--receipts', empty])).stderr).toMatch(
      /holds no receipt files.*tessera participant receipts --out/,
    );
  });
});
