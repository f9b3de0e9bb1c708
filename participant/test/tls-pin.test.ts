import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadSigningKeyPair } from '@tessera/crypto';
import { Coordinator, createEnrollmentToken } from '@tessera/coordinator';
import { toCsv } from '@tessera/data';
import { BREAST_CANCER, shards } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { fingerprintOf } from '@tessera/transport';
import { initParticipant, loadParticipantConfig, ParticipantNode, repinCoordinator } from '../src/index.js';

// A participant pins the coordinator's TLS anchor at init from the fingerprint in its token, and uses it on every
// connection; another coordinator (another CA) is refused, and the message names both fingerprints.
describe('a participant pins the coordinator it enrolled with', () => {
  const tmp = tempDir('tessera-tls-pin-');
  let ours: Coordinator;
  let other: Coordinator;
  const csv = join(tmp.dir, 'customers.csv');

  beforeAll(async () => {
    writeFileSync(csv, toCsv(shards(BREAST_CANCER, 2)[0]!));
    ours = await Coordinator.start({ dataDir: join(tmp.dir, 'ours'), listen: '127.0.0.1:0' });
    other = await Coordinator.start({ dataDir: join(tmp.dir, 'other'), listen: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await ours.stop();
    await other.stop();
    tmp.cleanup();
  });

  const init = (name: string, coordinator: string, token: string, extra: { tlsFingerprint?: string } = {}) =>
    initParticipant({
      dir: join(tmp.dir, name),
      coordinator,
      token,
      name,
      datasets: { customers: { type: 'csv', path: csv } },
      policy: false,
      ...extra,
    });

  it('enrols over TLS with nothing but the token, saves the anchor and connects through it', async () => {
    const r = await init('m1', ours.address, await createEnrollmentToken(ours.options.dataDir, 'm1'));
    const written = parseYaml(readFileSync(r.configPath, 'utf8')) as Record<string, unknown>;
    expect(written.coordinatorCa).toBe('coordinator-ca.pem');
    expect(written.insecure).toBeUndefined();
    const config = loadParticipantConfig(r.configPath);
    expect(readFileSync(config.coordinatorCa!, 'utf8')).toBe((ours.clientSecurity as { anchorPem: string }).anchorPem);
    const node = new ParticipantNode({ config, identity: loadSigningKeyPair(config.identityKey) });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    await node.stop();
  });

  it('refuses another coordinator at init, naming both fingerprints, and writes nothing', async () => {
    const token = await createEnrollmentToken(ours.options.dataDir, 'm2');
    const e = await init('m2', other.address, token).catch((x: unknown) => x);
    expect((e as Error).message).toContain(`presented TLS certificate fingerprint ${other.tlsFingerprint}`);
    expect((e as Error).message).toContain(`the pinned fingerprint is ${ours.tlsFingerprint}`);
    expect(existsSync(join(tmp.dir, 'm2'))).toBe(false);
    // The token was not sent, so it still enrols with the right coordinator.
    await expect(init('m2', ours.address, token)).resolves.toMatchObject({ participantId: expect.any(String) });
  });

  it('refuses a --tls-fingerprint that disagrees with the token', async () => {
    const token = await createEnrollmentToken(ours.options.dataDir, 'm3');
    await expect(init('m3', ours.address, token, { tlsFingerprint: other.tlsFingerprint! })).rejects.toThrow(
      `--tls-fingerprint ${other.tlsFingerprint} is not the fingerprint in the enrolment token ` +
        `(${ours.tlsFingerprint})`,
    );
  });

  it('refuses a token without a fingerprint unless one is given, before anything is sent', async () => {
    const legacy = `tse_${'A'.repeat(43)}`;
    await expect(init('m5', ours.address, legacy)).rejects.toThrow(
      /the enrolment token carries no TLS fingerprint .*pass --tls-fingerprint/,
    );
    await expect(init('m5', ours.address, 'tse1_not-a-token')).rejects.toThrow(/copy it whole/);
    expect(existsSync(join(tmp.dir, 'm5'))).toBe(false);
  });

  it('a node pinned to one coordinator refuses to connect to another and logs why', async () => {
    const r = await init('m4', ours.address, await createEnrollmentToken(ours.options.dataDir, 'm4'));
    const config = { ...loadParticipantConfig(r.configPath), coordinator: other.address };
    const lines: string[] = [];
    const node = new ParticipantNode({
      config,
      identity: loadSigningKeyPair(config.identityKey),
      log: (l) => lines.push(l),
      minBackoffMs: 50,
      maxBackoffMs: 100,
    });
    node.on('ready', () => lines.push('READY'));
    node.start();
    await expect.poll(() => lines.find((l) => l.includes('refusing to connect')), { timeout: 10_000 }).toBeDefined();
    await node.stop();
    const line = lines.find((l) => l.includes('refusing to connect'))!;
    expect(line).toContain(`cannot reach the coordinator at ${other.address}`);
    expect(line).toContain(`presented TLS certificate fingerprint ${other.tlsFingerprint}`);
    expect(line).toContain(`the pinned fingerprint is ${ours.tlsFingerprint}`);
    expect(lines).not.toContain('READY');
  });

  it('pins again when the operator replaced the certificate authority, checking the new fingerprint', async () => {
    const r = await init('m6', ours.address, await createEnrollmentToken(ours.options.dataDir, 'm6'));
    // As if the operator had moved to another CA: the coordinator now presents `other`'s chain.
    const config = { ...loadParticipantConfig(r.configPath), coordinator: other.address };
    const before = readFileSync(config.coordinatorCa!, 'utf8');
    await expect(repinCoordinator(config, ours.tlsFingerprint!)).rejects.toThrow(
      `presented TLS certificate fingerprint ${other.tlsFingerprint}`,
    );
    expect(readFileSync(config.coordinatorCa!, 'utf8')).toBe(before);
    await expect(repinCoordinator(config, other.tlsFingerprint!)).resolves.toEqual({
      fingerprint: other.tlsFingerprint,
      path: config.coordinatorCa,
    });
    expect(fingerprintOf(readFileSync(config.coordinatorCa!, 'utf8'))).toBe(other.tlsFingerprint);
  });
});
