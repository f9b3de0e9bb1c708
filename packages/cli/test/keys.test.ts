import { describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../sdk/test/helpers.js';
import { runCli } from './in-process.js';

describe('tessera keys create', () => {
  it('writes a 0600 key file, prints only public information, and refuses to overwrite without --force', async () => {
    const { dir, cleanup } = tempDir('tessera-keys-');
    try {
      const out = join(dir, 'analyst-keys.json');
      const r = await runCli(['keys', 'create', '--out', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const printed = JSON.parse(r.stdout) as {
        file: string;
        params: { polyModulusDegree: number; plainModulus: number };
        publicKeySha256: string;
      };
      expect(printed.file).toBe(out);
      expect(printed.params.polyModulusDegree).toBe(4096);
      expect(printed.publicKeySha256).toMatch(/^[0-9a-f]{64}$/);
      const doc = JSON.parse(readFileSync(out, 'utf8')) as { format: string; secretKey: string };
      expect(doc.format).toBe('tessera-analyst-keys');
      expect(r.stdout + r.stderr).not.toContain(doc.secretKey.slice(100, 160));
      if (process.platform !== 'win32') expect(statSync(out).mode & 0o777).toBe(0o600);

      const again = await runCli(['keys', 'create', '--out', out]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/already exists: refusing to overwrite/);
      expect(JSON.parse(readFileSync(out, 'utf8')).secretKey).toBe(doc.secretKey);

      const forced = await runCli(['keys', 'create', '--out', out, '--force']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stdout).toContain('public key sha256');
      expect(JSON.parse(readFileSync(out, 'utf8')).secretKey).not.toBe(doc.secretKey);
      expect(forced.stdout).not.toContain(JSON.parse(readFileSync(out, 'utf8')).secretKey.slice(100, 160));
    } finally {
      cleanup();
    }
  });

  it('job submit --sealed refuses a spec with another secure mode, and a missing or bad key file by name', async () => {
    const { dir, cleanup } = tempDir('tessera-keys-');
    try {
      const spec = join(dir, 'job.json');
      writeFileSync(spec, JSON.stringify({ dataset: 'patients', label: 'benign', secure: { mode: 'masked' } }));
      const env = { TESSERA_COORDINATOR: '127.0.0.1:1' };
      const conflict = await runCli(['job', 'submit', spec, '--sealed', '--keys', join(dir, 'k.json')], { env });
      expect(conflict.code).not.toBe(0);
      expect(conflict.stderr).toMatch(/job\.json: .*secure\.mode "masked"/);
      writeFileSync(spec, JSON.stringify({ dataset: 'patients', label: 'benign' }));
      const missing = await runCli(['job', 'submit', spec, '--sealed', '--keys', join(dir, 'k.json')], { env });
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/k\.json: no such file/);
      writeFileSync(join(dir, 'k.json'), '{"format":"tessera-analyst-keys","version":2}');
      const bad = await runCli(['job', 'attach', 'job-1', '--keys', join(dir, 'k.json')], { env });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/k\.json: params must be an object/);
      // Without --sealed, --keys signs the spec with the analyst identity: a damaged key file is named before anything
      // is sent.
      const keysAlone = await runCli(['job', 'submit', spec, '--keys', join(dir, 'k.json')], { env });
      expect(keysAlone.code).not.toBe(0);
      expect(keysAlone.stderr).toMatch(/k\.json: params must be an object/);
    } finally {
      cleanup();
    }
  });
});
