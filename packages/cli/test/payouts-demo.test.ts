import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@tessera/test-support';
import { verifyLedger } from '@tessera/payouts';
import { demoOptions } from './demo-options.js';
import { runDemo } from '../src/demo/run-demo.js';
import { runCli } from './in-process.js';

const breastCancer = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));

const base = demoOptions({
  participants: 4,
  rounds: 5,
  seed: 5,
  learningRate: 0.1,
  data: breastCancer,
  label: 'benign',
  split: 'iid',
});

describe('tessera demo --payout-pool: valuation, an exact split and an exported, verifiable ledger', () => {
  it('pays the participant whose labels are scrambled the least; ' +
    'the exported ledger verifies and any edit is named', async () => {
    const { dir, cleanup } = tempDir('tessera-payout-demo-');
    try {
      const ledgerOut = join(dir, 'ledger.jsonl');
      const r = await runDemo({ ...base, noisyParticipant: 4, payout: { pool: 100_000, currency: 'CNY', ledgerOut } });
      const p = r.payouts!;
      expect(p).toMatchObject({ method: 'shapley', pool: 100_000, currency: 'CNY', ledgerFile: ledgerOut });
      expect(p.entries).toHaveLength(4);
      expect(p.entries.map((e) => e.name)).toEqual(r.localOnly.map((l) => l.participant));
      expect(p.entries.reduce((s, e) => s + e.amount, 0)).toBe(100_000);
      const noisy = p.entries[3];
      for (const e of p.entries.slice(0, 3)) expect(e.amount).toBeGreaterThan(noisy.amount);
      expect(p.coordinatorPublicKey).toMatch(/^[0-9a-f]{64}$/);

      const text = readFileSync(ledgerOut, 'utf8');
      expect(verifyLedger(text, Buffer.from(p.coordinatorPublicKey, 'hex'), { head: p.ledgerHead })).toMatchObject({
        ok: true,
        entries: 4,
      });
      const ok = await runCli([
        'ledger',
        'verify',
        ledgerOut,
        '--key',
        p.coordinatorPublicKey,
        '--head',
        p.ledgerHead,
        '--json',
      ]);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, entries: 4 });
      // The same edit as the contract check: one amount on line 1.
      const edited = join(dir, 'edited.jsonl');
      writeFileSync(edited, text.replace(/"amount":(\d+)/, '"amount":9$1'));
      const bad = await runCli(['ledger', 'verify', edited, '--key', p.coordinatorPublicKey]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/line 1 \(seq 1\)/);
    } finally {
      cleanup();
    }
  }, 120_000);

  it('duplicated data does not earn double: with a copy of participant 1 added, ' +
    'each copy earns less than participant 1 did alone', async () => {
    const opts = { ...base, participants: 3, payout: { pool: 1_000_000, currency: 'EUR' } };
    const alone = await runDemo(opts);
    const withCopy = await runDemo({ ...opts, duplicateParticipant: 1 });
    expect(withCopy.participants).toBe(4);
    const original = alone.payouts!.entries[0];
    const [first, , , copy] = withCopy.payouts!.entries;
    expect(first.value).toBeLessThan(original.value);
    expect(copy.value).toBeLessThan(original.value);
    expect(first.value + copy.value).toBeLessThan(1.85 * original.value);
    expect(first.amount + copy.amount).toBeLessThan(2 * original.amount);
  }, 120_000);

  it('refuses bad payout flags before starting anything, naming the flag', async () => {
    const r = await runCli(['demo', '--payout-pool', '12.5']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--payout-pool must be a non-negative integer.*"12\.5"/);
    const c = await runCli(['demo', '--payout-pool', '100', '--currency', 'yuan']);
    expect(c.stderr).toMatch(/--currency must be a three-letter ISO 4217 code/);
    const l = await runCli(['demo', '--ledger-out', 'x.jsonl']);
    expect(l.stderr).toMatch(/--ledger-out, --payout-report and --valuation go with --payout-pool/);
    const n = await runCli(['demo', '--noisy-participant', 'x']);
    expect(n.stderr).toMatch(/--noisy-participant takes a participant number/);
  });
});
