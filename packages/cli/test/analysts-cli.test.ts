import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalystKeys, saveAnalystKeys, startCoordinator, type Coordinator } from '@tessera/sdk';
import { tempDir } from '@tessera/test-support';
import { runCli } from './in-process.js';

// The operator's analyst commands on the data directory and the analyst's join, against a running coordinator: each
// analyst acts with its own key file and sees only its own jobs.

const json = <T>(stdout: string) => JSON.parse(stdout) as T;

describe('tessera coordinator analysts and tessera analyst join (in process)', () => {
  const tmp = tempDir('tessera-analysts-');
  let coord: Coordinator;
  let dataDir: string;
  let spec: string;
  const keys = (name: string) => join(tmp.dir, `${name}-keys.json`);

  beforeAll(async () => {
    dataDir = join(tmp.dir, 'coordinator');
    coord = await startCoordinator({ dataDir, listen: '127.0.0.1:0' });
    for (const name of ['alice', 'bob', 'carol']) saveAnalystKeys(keys(name), await createAnalystKeys());
    spec = join(tmp.dir, 'job.yaml');
    writeFileSync(spec, 'dataset: nobody-serves-this\nlabel: y\nminParticipants: 2\nwaitForParticipantsSeconds: 60\n');
  });
  afterAll(async () => {
    await coord?.stop();
    tmp.cleanup();
  });

  let aliceJob = '';

  it('invites an analyst, who joins with the invitation alone and then submits with --keys', async () => {
    const invited = await runCli([
      'coordinator',
      'analysts',
      'add',
      'alice',
      '--data-dir',
      dataDir,
      '--address',
      coord.address,
    ]);
    expect(invited.code, invited.stderr).toBe(0);
    const invitation = invited.stdout.trim();
    expect(invitation).toMatch(/^tsi1_/);
    expect(invited.stderr).toContain('they join with: tessera analyst join INVITATION --keys FILE');
    const joined = await runCli(['analyst', 'join', invitation, '--keys', keys('alice'), '--json']);
    expect(joined.code, joined.stderr).toBe(0);
    const credentials = json<{ name: string; credentials: string; tls: boolean }>(joined.stdout);
    expect(credentials).toMatchObject({ name: 'alice', coordinator: coord.address, tls: true });
    expect(credentials.credentials).toBe(join(tmp.dir, 'alice-keys.coordinator.json'));
    if (process.platform !== 'win32') expect(statSync(credentials.credentials).mode & 0o777).toBe(0o600);
    expect(readFileSync(credentials.credentials, 'utf8')).toContain('BEGIN PRIVATE KEY');
    const submitted = await runCli(['job', 'submit', spec, '--keys', keys('alice'), '--json']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = json<{ id: string; owner: string }>(submitted.stdout);
    expect(job.owner).toBe('alice');
    aliceJob = job.id;
    // Renewal: the key file joined already, so join without an invitation gets a new certificate from the same place.
    const before = readFileSync(credentials.credentials, 'utf8');
    const renewed = await runCli(['analyst', 'join', '--keys', keys('alice')]);
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(readFileSync(credentials.credentials, 'utf8')).not.toBe(before);
    expect((await runCli(['job', 'get', aliceJob, '--keys', keys('alice')])).code).toBe(0);
    const listed = await runCli(['coordinator', 'analysts', 'list', '--data-dir', dataDir, '--json']);
    expect(json<{ name: string; status: string }[]>(listed.stdout)).toMatchObject([
      { name: 'alice', status: 'active' },
    ]);
  });

  it("keeps another analyst (registered here with --keys) out of alice's job", async () => {
    const added = await runCli(['coordinator', 'analysts', 'add', 'bob', '--keys', keys('bob'), '--data-dir', dataDir]);
    expect(added.code, added.stderr).toBe(0);
    // The data directory's address file is not there (the coordinator runs in this process): name the address.
    const asBob = ['--keys', keys('bob'), '--coordinator', coord.address];
    const mine = await runCli(['job', 'list', ...asBob, '--json']);
    expect(mine.code, mine.stderr).toBe(0);
    expect(json<unknown[]>(mine.stdout)).toEqual([]);
    for (const verb of ['get', 'cancel', 'result']) {
      const r = await runCli(['job', verb, aliceJob, ...asBob]);
      expect(r.code, verb).toBe(1);
      expect(r.stderr, verb).toContain(`job ${aliceJob} belongs to another analyst`);
    }
  });

  it('registers a public key, which then joins without an invitation', async () => {
    // The public identity in carol's key file, as tessera keys create printed it to her.
    const { identity } = JSON.parse(readFileSync(keys('carol'), 'utf8')) as { identity: string };
    const added = await runCli([
      'coordinator',
      'analysts',
      'add',
      'carol',
      '--public-key',
      identity,
      '--data-dir',
      dataDir,
    ]);
    expect(added.code, added.stderr).toBe(0);
    const joined = await runCli([
      'analyst',
      'join',
      '--keys',
      keys('carol'),
      '--coordinator',
      coord.address,
      '--tls-fingerprint',
      coord.tlsFingerprint!,
    ]);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout).toContain('as analyst carol');
  });

  it('revokes an analyst: its next call is refused, saying so', async () => {
    const revoked = await runCli(['coordinator', 'analysts', 'revoke', 'alice', '--data-dir', dataDir]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const r = await runCli(['job', 'list', '--keys', keys('alice')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/analyst alice was revoked by the coordinator operator/);
  });

  it('refuses a key file that never joined, naming how to join', async () => {
    const never = join(tmp.dir, 'never.json');
    writeFileSync(never, readFileSync(keys('bob')), { mode: 0o600 });
    const r = await runCli(['job', 'list', '--keys', never, '--coordinator', coord.address, '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no client certificate for the analyst keys in ${never}`);
    expect(r.stderr).toContain('tessera analyst join INVITATION --keys');
  });
});
