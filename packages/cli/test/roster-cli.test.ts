import { describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, parseRosterCertificate, toHex, verifyRosterEntry } from '@tessera/crypto';
import { tempDir } from '../../sdk/test/helpers.js';
import { runCli } from './in-process.js';

describe('tessera roster', () => {
  it('keygen writes a 0600 authority key; sign writes a certificate that verifies for that member only', async () => {
    const { dir, cleanup } = tempDir('tessera-roster-');
    try {
      const key = join(dir, 'authority.key');
      const made = await runCli(['roster', 'keygen', '--out', key, '--json']);
      expect(made.code, made.stderr).toBe(0);
      const { file, publicKey } = JSON.parse(made.stdout) as { file: string; publicKey: string };
      expect(file).toBe(key);
      expect(publicKey).toMatch(/^[0-9a-f]{64}$/);
      if (process.platform !== 'win32') expect(statSync(key).mode & 0o777).toBe(0o600);
      const secret = readFileSync(key, 'utf8').trim().split(/\s+/)[1]!;
      expect(made.stdout).not.toContain(secret);

      const again = await runCli(['roster', 'keygen', '--out', key]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/already exists; pass --force/);

      const member = toHex(generateSigningKeyPair().publicKey);
      const out = join(dir, 'merchant-a-roster.json');
      const signed = await runCli([
        'roster',
        'sign',
        '--key',
        key,
        '--participant',
        'p-a1',
        '--identity',
        member,
        '--out',
        out,
      ]);
      expect(signed.code, signed.stderr).toBe(0);
      expect(signed.stdout).toContain(`roster certificate for p-a1 (identity ${member}) written to ${out}`);
      const c = parseRosterCertificate(readFileSync(out, 'utf8'), out);
      expect(toHex(c.authority)).toBe(publicKey);
      expect(verifyRosterEntry(c.authority, 'p-a1', c.identityKey, c.signature)).toBe(true);
      expect(verifyRosterEntry(c.authority, 'p-a2', c.identityKey, c.signature)).toBe(false);

      const bad = await runCli([
        'roster',
        'sign',
        '--key',
        key,
        '--participant',
        'p',
        '--identity',
        'ab',
        '--out',
        out,
      ]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/--identity must be 64 hex characters/);
      const missing = await runCli([
        'roster',
        'sign',
        '--key',
        join(dir, 'none.key'),
        '--participant',
        'p',
        '--identity',
        member,
        '--out',
        out,
      ]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/--key: /);
    } finally {
      cleanup();
    }
  });
});
