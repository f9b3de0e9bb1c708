import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, sha256Hex } from '@tessera/crypto';
import { DATABASE_FILE, SqliteStore } from '@tessera/coordinator';
import { tempDir } from '@tessera/test-support';
import { runCli } from './in-process.js';

// The operator's enrolment commands on a data directory, with no coordinator running (they need none).

const json = <T>(stdout: string) => JSON.parse(stdout) as T;

describe('tessera coordinator enroll, tokens and participants (in process)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dataDir: string;
  beforeEach(() => {
    tmp = tempDir('tessera-enrolment-');
    dataDir = join(tmp.dir, 'coordinator');
  });
  afterEach(() => tmp.cleanup());

  /** Enrols a participant under a token, as the coordinator's Enroll call does. */
  const enrolWith = async (token: string, id: string) => {
    const store = new SqliteStore(join(dataDir, DATABASE_FILE));
    try {
      const r = await store.redeemEnrollmentToken(sha256Hex(token), {
        id,
        name: '',
        publicKey: generateSigningKeyPair().publicKey,
        enrolledAt: Date.now(),
      });
      expect(r.ok).toBe(true);
    } finally {
      await store.close();
    }
  };

  it('issues a token for 24 h by default, or for --expires; prints only the token on stdout', async () => {
    const before = Date.now();
    const r = await runCli(['coordinator', 'enroll', 'm1', '--data-dir', dataDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const issued = json<{ name: string; token: string; id: string; expiresAt: string }>(r.stdout);
    expect(issued).toEqual({
      name: 'm1',
      token: expect.any(String),
      id: expect.stringMatching(/^tok-[0-9a-f]{16}$/),
      expiresAt: expect.any(String),
    });
    const lifetime = Date.parse(issued.expiresAt) - before;
    expect(lifetime).toBeGreaterThanOrEqual(24 * 3_600_000 - 1000);
    expect(lifetime).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);

    const plain = await runCli(['coordinator', 'enroll', 'm2', '--data-dir', dataDir, '--expires', '90m']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.trim()).not.toContain(' ');
    expect(plain.stderr).toMatch(/^token tok-[0-9a-f]+ enrols "m2" until .+; revoke it with: tessera coordinator/);
    if (process.platform !== 'win32') {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, DATABASE_FILE)).mode & 0o777).toBe(0o600);
    }

    const bad = await runCli(['coordinator', 'enroll', 'm3', '--data-dir', dataDir, '--expires', 'tomorrow']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--expires "tomorrow": give a number and a unit, e.g. 90s, 30m, 24h or 7d');
    const long = await runCli(['coordinator', 'enroll', 'm3', '--data-dir', dataDir, '--expires', '90d']);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain('a token lifetime is at most 30 days');
    const blank = await runCli(['coordinator', 'enroll', '  ', '--data-dir', dataDir]);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toContain('the participant needs a name');
  });

  it('lists tokens with their status and revokes a pending one; a used one is refused', async () => {
    const issue = async (name: string) =>
      json<{ token: string; id: string }>(
        (await runCli(['coordinator', 'enroll', name, '--data-dir', dataDir, '--json'])).stdout,
      );
    const a = await issue('shop-a');
    const b = await issue('shop-b');
    await enrolWith(b.token, 'p-b');

    const revoked = await runCli(['coordinator', 'tokens', 'revoke', a.id, '--data-dir', dataDir]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^token ${a.id} \\(for shop-a\\) revoked at `));
    const used = await runCli(['coordinator', 'tokens', 'revoke', b.id, '--data-dir', dataDir]);
    expect(used.code).toBe(1);
    expect(used.stderr).toContain(`token ${b.id} already enrolled participant p-b`);
    expect(used.stderr).toContain('tessera coordinator participants revoke p-b');

    const listed = await runCli(['coordinator', 'tokens', 'list', '--data-dir', dataDir, '--json']);
    const tokens = json<{ id: string; name: string; status: string; participantId: string | null }[]>(listed.stdout);
    expect(tokens.map((t) => [t.id, t.name, t.status, t.participantId])).toEqual([
      [a.id, 'shop-a', 'revoked', null],
      [b.id, 'shop-b', 'used', 'p-b'],
    ]);
    expect(listed.stdout).not.toContain(a.token);
    const table = await runCli(['coordinator', 'tokens', 'list', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(/id\s+name\s+status\s+issued\s+expires\s+used by/);
    expect(table.stdout).toMatch(new RegExp(`${b.id}\\s+shop-b\\s+used\\s.*p-b`));
  });

  it('lists participants and disables, enables and revokes them; revocation is final', async () => {
    const empty = await runCli(['coordinator', 'participants', 'list', '--data-dir', dataDir]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(`no coordinator data in ${dataDir} (${DATABASE_FILE} is missing)`);

    const { token } = json<{ token: string }>(
      (await runCli(['coordinator', 'enroll', 'merchant-x', '--data-dir', dataDir, '--json'])).stdout,
    );
    await enrolWith(token, 'p-x');
    const run = (...args: string[]) => runCli(['coordinator', 'participants', ...args, '--data-dir', dataDir]);

    const disabled = await run('disable', 'p-x');
    expect(disabled.stdout).toMatch(/^participant p-x \(merchant-x\) is now disabled; a running coordinator cuts/);
    expect((await run('disable', 'p-x')).stdout).toContain('was already disabled; nothing changed');
    expect((await run('enable', 'p-x')).stdout).toContain('is now active: it is welcomed at its next connection');
    const revoked = json<{ id: string; status: string; previousStatus: string }>(
      (await run('revoke', 'p-x', '--json')).stdout,
    );
    expect(revoked).toMatchObject({ id: 'p-x', status: 'revoked', previousStatus: 'active' });
    const back = await run('enable', 'p-x');
    expect(back.code).toBe(1);
    expect(back.stderr).toContain('revocation is final: enrol it again with a new token');
    expect((await run('revoke', 'p-nobody')).stderr).toContain('no participant has id p-nobody');

    const listed = json<{ id: string; name: string; status: string; lastSeenAt: string | null }[]>(
      (await run('list', '--json')).stdout,
    );
    expect(listed).toEqual([expect.objectContaining({ id: 'p-x', name: 'merchant-x', status: 'revoked' })]);
    expect(listed[0]?.lastSeenAt).toBeNull();
    expect((await run('list')).stdout).toMatch(/p-x\s+merchant-x\s+revoked\s+\S+\s+-/);
  });
});
