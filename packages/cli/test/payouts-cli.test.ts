import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSigningKeyPair, toHex } from '@tessera/crypto';
import { appendEntries, GENESIS_HASH, ledgerLine } from '@tessera/payouts';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { requireBuild, tessera } from './cli.js';
import { runCli } from './in-process.js';

const dir = tempDir('tessera-payouts-').dir;
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const EXAMPLE = {
  players: ['a', 'b', 'c'],
  utilities: { '': 0, a: 1, b: 1, c: 0, 'a,b': 3, 'a,c': 1, 'b,c': 1, 'a,b,c': 3 },
};

describe('tessera valuation shapley', () => {
  it('values the contract example: a = b = 1.5, c = 0', async () => {
    const r = await runCli([
      'valuation',
      'shapley',
      '--utilities',
      file('game.json', JSON.stringify(EXAMPLE)),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { values: Record<string, number>; evaluations: number };
    expect(out.values).toEqual({ a: 1.5, b: 1.5, c: 0 });
    expect(out.evaluations).toBe(8);
    const table = await runCli(['valuation', 'shapley', '--utilities', join(dir, 'game.json')]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/a\s+1\.5/);
  });

  it('accepts keys in any order with spaces, and the other methods', async () => {
    const shuffled = {
      players: ['a', 'b', 'c'],
      utilities: { 'c, b, a': 3, 'b,a': 3, 'c,a': 1, ' c , b': 1, '': 0, a: 1, b: 1, c: 0 },
    };
    const path = file('shuffled.json', JSON.stringify(shuffled));
    expect(JSON.parse((await runCli(['valuation', 'shapley', '--utilities', path, '--json'])).stdout).values).toEqual({
      a: 1.5,
      b: 1.5,
      c: 0,
    });
    expect(
      JSON.parse((await runCli(['valuation', 'shapley', '--utilities', path, '--method', 'loo', '--json'])).stdout)
        .values,
    ).toEqual({ a: 2, b: 2, c: 0 });
    const tmc = JSON.parse(
      (await runCli(['valuation', 'shapley', '--utilities', path, '--method', 'tmc', '--seed', '1', '--json'])).stdout,
    ) as { values: Record<string, number>; permutations: number };
    expect(tmc.values.c).toBe(0);
    expect(tmc.values.a + tmc.values.b).toBeCloseTo(3, 9);
  });

  it('names the file, key or coalition to fix', async () => {
    const bad = async (name: string, text: string, message: RegExp) => {
      const r = await runCli(['valuation', 'shapley', '--utilities', file(name, text)]);
      expect(r.code, name).not.toBe(0);
      expect(r.stderr, name).toMatch(message);
    };
    const { 'b,c': _, ...missing } = EXAMPLE.utilities;
    await bad(
      'missing.json',
      JSON.stringify({ ...EXAMPLE, utilities: missing }),
      /missing\.json: utilities has no value for coalition "b,c"/,
    );
    await bad(
      'unknown.json',
      JSON.stringify({ ...EXAMPLE, utilities: { ...EXAMPLE.utilities, 'a,d': 2 } }),
      /utilities key "a,d": unknown player "d"/,
    );
    await bad(
      'duplicate.json',
      JSON.stringify({ ...EXAMPLE, utilities: { ...EXAMPLE.utilities, 'b,a': 3 } }),
      /"a,b" and "b,a" are the same coalition/,
    );
    await bad(
      'nan.json',
      JSON.stringify({ ...EXAMPLE, utilities: { ...EXAMPLE.utilities, a: 'one' } }),
      /utilities key "a" must map to a finite number, got "one"/,
    );
    await bad('broken.json', '{"players": [', /broken\.json is not JSON: /);
    const r = await runCli(['valuation', 'shapley', '--utilities', join(dir, 'game.json'), '--method', 'magic']);
    expect(r.stderr).toMatch(/--method must be one of exact, tmc, loo/);
  });
});

describe('tessera payouts split', () => {
  it('splits 1001 CNY three ways into amounts that sum to 1001', async () => {
    const r = await runCli([
      'payouts',
      'split',
      '--pool',
      '1001',
      '--currency',
      'CNY',
      '--scores',
      'a=1,b=1,c=1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const split = JSON.parse(r.stdout) as {
      pool: number;
      currency: string;
      entries: { participant: string; amount: number; share: number; value: number }[];
    };
    expect(split.pool).toBe(1001);
    expect(split.currency).toBe('CNY');
    expect(split.entries.map((e) => e.amount)).toEqual([334, 334, 333]);
    expect(split.entries.reduce((a, e) => a + e.amount, 0)).toBe(1001);
    expect(
      (await runCli(['payouts', 'split', '--pool', '1001', '--currency', 'CNY', '--scores', 'a=1,b=1,c=1'])).stdout,
    ).toMatch(/total 1001 CNY/);
  });

  it('names the flag and value to fix', async () => {
    for (const [args, message] of [
      [
        ['--pool', '10.5', '--currency', 'EUR', '--scores', 'a=1'],
        /--pool must be a non-negative whole number .*got "10\.5"/,
      ],
      [['--pool', '-3', '--currency', 'EUR', '--scores', 'a=1'], /--pool .*got "-3"/],
      [['--pool', '10', '--currency', 'euro', '--scores', 'a=1'], /--currency must be a three-letter ISO 4217 code/],
      [['--pool', '10', '--currency', 'EUR', '--scores', 'a=1,b'], /--scores: "b" is not participant=score/],
      [
        ['--pool', '10', '--currency', 'EUR', '--scores', 'a=1,b=lots'],
        /--scores: "b=lots": the score "lots" is not a number/,
      ],
      [['--pool', '10', '--currency', 'EUR', '--scores', 'a=1,a=2'], /--scores: participant "a" is listed twice/],
      [['--pool', '10', '--currency', 'EUR', '--scores', 'a=0,b=-1'], /no participant has a positive value/],
    ] as const) {
      const r = await runCli(['payouts', 'split', ...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});

describe('tessera ledger verify', () => {
  const keys = generateSigningKeyPair();
  const record = (participant: string, amount: number) => ({
    job: 'job-1',
    participant,
    amount,
    currency: 'CNY',
    method: 'gtg',
    share: amount / 1001,
    timestamp: '2026-11-22T10:00:00Z',
  });
  const entries = appendEntries(
    { seq: 0, hash: GENESIS_HASH },
    [record('a', 334), record('b', 334), record('c', 333)],
    keys.secretKey,
  );
  const text = `${entries.map(ledgerLine).join('\n')}\n`;
  const key = toHex(keys.publicKey);

  it('reports an intact ledger with its head', async () => {
    const path = file('ledger.jsonl', text);
    const r = await runCli(['ledger', 'verify', path, '--key', key]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`ledger intact: 3 entries, head ${entries[2].hash}\n`);
    const j = await runCli(['ledger', 'verify', path, '--key', key, '--head', entries[2].hash, '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, entries: 3, head: entries[2].hash, formatVersion: 3 });
  });

  it('verifies a ledger written in format version 1, and says so', async () => {
    const fixture = fileURLToPath(new URL('../../payouts/test/fixtures/ledger-v1.jsonl', import.meta.url));
    const v1Key = '8619ca426a271aa32131ec52a3db6b855af19ff2bfe23c82d75fbb6e06acf8a1';
    const v1Head = 'e23697a09e1967d0f75947d4dbd2527f24a5d4540c0c3499ae7d266e27526334';
    const j = await runCli(['ledger', 'verify', fixture, '--key', v1Key, '--head', v1Head, '--json']);
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({ ok: true, entries: 4, head: v1Head, seq: 4, formatVersion: 1 });
  });

  it('exits non-zero naming the first tampered line', async () => {
    const path = file('tampered.jsonl', text);
    execFileSync('sed', ['-i', '2s/"amount":\\([0-9]*\\)/"amount":9\\1/', path]);
    // A real process: scripts rely on the exit code.
    requireBuild();
    const r = tessera(['ledger', 'verify', path, '--key', key]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/line 2 \(seq 2\): hash does not match/);
    const j = await runCli(['ledger', 'verify', path, '--key', key, '--json']);
    expect(j.code).not.toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, line: 2, seq: 2 });
    const cut = file('cut.jsonl', `${entries.slice(0, 2).map(ledgerLine).join('\n')}\n`);
    expect((await runCli(['ledger', 'verify', cut, '--key', key])).code).toBe(0);
    const withHead = await runCli(['ledger', 'verify', cut, '--key', key, '--head', entries[2].hash]);
    expect(withHead.code).not.toBe(0);
    expect(withHead.stderr).toMatch(/line 3: expected head/);
  });

  it('refuses a bad key or a missing file', async () => {
    const path = join(dir, 'ledger.jsonl');
    expect((await runCli(['ledger', 'verify', path, '--key', 'abc'])).stderr).toMatch(
      /--key must be the coordinator's Ed25519 public key as 64 hex characters/,
    );
    const wrong = await runCli(['ledger', 'verify', path, '--key', toHex(generateSigningKeyPair().publicKey)]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/line 1 \(seq 1\): signature does not verify/);
    expect((await runCli(['ledger', 'verify', join(dir, 'nope.jsonl'), '--key', key])).stderr).toMatch(
      /cannot read ledger .*nope\.jsonl: ENOENT/,
    );
  });
});
