import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalystKeys, saveAnalystKeys, startCoordinator, type Coordinator } from '@tessera/sdk';
import { createCertificateAuthority, fingerprintOf } from '@tessera/transport';
import { tempDir } from '@tessera/test-support';
import { requireBuild, tessera } from './cli.js';
import { runCli } from './in-process.js';

// The analyst commands' TLS flags against a running coordinator: the data directory's certificate, a pinned
// fingerprint, a wrong one (refused, naming both), and --insecure only on loopback.
describe('analyst commands over TLS', () => {
  const tmp = tempDir('tessera-tls-flags-');
  let coord: Coordinator;
  let dataDir: string;
  const keys = join(tmp.dir, 'analyst-keys.json');

  beforeAll(async () => {
    dataDir = join(tmp.dir, 'coordinator');
    coord = await startCoordinator({ dataDir, listen: '127.0.0.1:0' });
    // An analyst registered on this machine: its certificate is saved beside its key file.
    saveAnalystKeys(keys, await createAnalystKeys());
    const added = await runCli(['coordinator', 'analysts', 'add', 'tls-tester', '--keys', keys, '--data-dir', dataDir]);
    expect(added.code, added.stderr).toBe(0);
  });
  afterAll(async () => {
    await coord?.stop();
    tmp.cleanup();
  });

  const jobs = (...flags: string[]) =>
    runCli(['job', 'list', '--coordinator', coord.address, '--keys', keys, '--json', ...flags]);

  it('trust the certificate in --data-dir, or the one --tls-fingerprint pins', async () => {
    const fromDir = await jobs('--data-dir', dataDir);
    expect(fromDir.code, fromDir.stderr).toBe(0);
    const pinned = await jobs('--tls-fingerprint', coord.tlsFingerprint!.toUpperCase());
    expect(pinned.code, pinned.stderr).toBe(0);
    const fromEnv = await runCli(['job', 'list', '--coordinator', coord.address, '--keys', keys], {
      env: { TESSERA_TLS_FINGERPRINT: coord.tlsFingerprint },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
  });

  it('refuse a coordinator that presents another certificate, naming both fingerprints', async () => {
    const other = fingerprintOf((await createCertificateAuthority()).certPem);
    const r = await jobs('--tls-fingerprint', other);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`presented TLS certificate fingerprint ${coord.tlsFingerprint}`);
    expect(r.stderr).toContain(`the pinned fingerprint is ${other}`);
  });

  it('refuse to guess: no fingerprint and no certificate in the data directory', async () => {
    // The same identity in a key file that never joined: no certificate saved beside it to trust either.
    const unjoined = join(tmp.dir, 'never-joined.json');
    copyFileSync(keys, unjoined);
    const r = await runCli([
      'job',
      'list',
      '--coordinator',
      coord.address,
      '--keys',
      unjoined,
      '--data-dir',
      join(tmp.dir, 'elsewhere'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no TLS certificate to trust for the coordinator at ${coord.address}`);
    expect(r.stderr).toContain('--tls-fingerprint');
  });

  it('refuse --insecure off loopback, for analysts, participants and the coordinator', async () => {
    const analyst = await runCli(['job', 'list', '--coordinator', '192.0.2.7:7070', '--keys', keys, '--insecure']);
    expect(analyst.code).toBe(1);
    expect(analyst.stderr).toContain('this analyst refuses --insecure for 192.0.2.7:7070');
    const participant = await runCli([
      'participant',
      'init',
      '--token',
      `tse_${'A'.repeat(43)}`,
      '--coordinator',
      '192.0.2.7:7070',
      '--insecure',
      '--dataset',
      'customers=./none.csv',
      '--dir',
      join(tmp.dir, 'node'),
    ]);
    expect(participant.code).toBe(1);
    expect(participant.stderr).toContain('this participant refuses --insecure for 192.0.2.7:7070');
    requireBuild(); // a coordinator start would keep serving in this process: run it as its own
    const server = tessera([
      'coordinator',
      'start',
      '--data-dir',
      join(tmp.dir, 'c2'),
      '--listen',
      '0.0.0.0:0',
      '--insecure',
    ]);
    expect(server.code).toBe(1);
    expect(server.stderr).toContain('the coordinator refuses --insecure for 0.0.0.0:0');
  });
});
