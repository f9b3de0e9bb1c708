import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, loadSigningKeyPair, sign } from '@tessera/crypto';
import { toCsv } from '@tessera/data';
import {
  createTlsKey,
  enroll,
  initParticipant,
  loadParticipantConfig,
  ParticipantNode,
  renewClientCertificate,
} from '@tessera/participant';
import { ENROLL_CONTEXT, enrollmentMessage, participantClient, signTlsKey, type ChannelSecurity } from '@tessera/proto';
import {
  createCertificateAuthority,
  ed25519Sha256,
  identityUri,
  issueClientCertificate,
  verifyClientCertificate,
} from '@tessera/transport';
import { Coordinator, createEnrollmentToken, listEnrollmentTokens, setParticipantStatus } from '../src/index.js';
import { BREAST_CANCER, enrolIdentity, rawEnroll, RawStream, shards, type Identity } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

// Issue 14, participants authenticate with client certificates: the coordinator's CA issues one at enrolment for the
// node's TLS key, bound to the participant and its identity key, and a Connect stream must present it.

/** How a Connect stream without a usable certificate ends: its status, before any challenge. */
function streamStatus(address: string, security: ChannelSecurity): Promise<grpc.StatusObject> {
  const client = participantClient(address, security);
  const call = client.connect() as grpc.ClientDuplexStream<unknown, unknown>;
  return new Promise((resolve) => {
    call.on('error', () => undefined);
    call.on('data', () => undefined);
    call.on('status', (status: grpc.StatusObject) => {
      client.close();
      resolve(status);
    });
  });
}

describe('participants authenticate with client certificates', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let alice: Identity;
  let bob: Identity;
  const anchorOnly = (): ChannelSecurity => coord.clientSecurity;

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    alice = await enrolIdentity(coord, 'alice');
    bob = await enrolIdentity(coord, 'bob');
  });
  afterAll(async () => {
    await coord?.stop();
    tmp.cleanup();
  });

  it('issues at enrolment a certificate bound to the participant and its identity key', () => {
    const certPem = alice.clientSecurity.mode === 'tls' ? alice.clientSecurity.clientCertificate?.certPem : undefined;
    const ca = new X509Certificate((coord.clientSecurity as { anchorPem: string }).anchorPem);
    expect(verifyClientCertificate(new X509Certificate(certPem!).raw, ca)).toEqual({
      role: 'participant',
      id: alice.id,
      ed25519Sha256: ed25519Sha256(alice.keys.publicKey),
    });
  });

  it('refuses a stream without a certificate, saying how to get one', async () => {
    const status = await streamStatus(coord.address, anchorOnly());
    expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(status.details).toMatch(/requires a participant client certificate from its CA/);
    expect(status.details).toContain('tessera participant renew-cert --config participant.yaml');
  });

  it('refuses a certificate from another CA', async () => {
    const rogue = await createCertificateAuthority({ commonName: 'Rogue CA' });
    const tls = await createTlsKey();
    const certPem = await issueClientCertificate(rogue, {
      publicKey: tls.publicKey,
      identity: identityUri('participant', alice.id),
    });
    const status = await streamStatus(coord.address, {
      ...anchorOnly(),
      clientCertificate: { certPem, keyPem: tls.keyPem },
    } as ChannelSecurity);
    expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(status.details).toMatch(/presented no client certificate that the coordinator's CA issued/);
  });

  it("refuses a hello signed as another participant than the certificate's, closing the stream", async () => {
    const s = await RawStream.open(bob);
    s.send(alice, { hello: { software: 'raw-test/0', datasets: [] } });
    const r = await s.rejection();
    expect(r).toMatchObject({
      fatal: true,
      reason:
        `this stream's client certificate is for participant ${bob.id}, but its hello is signed as ${alice.id}: ` +
        'each node connects with its own certificate (the tls.key and tls.pem beside its participant.yaml)',
    });
    await s.closed;
    const own = await RawStream.open(alice);
    expect((await own.hello(alice)).participantId).toBe(alice.id);
    own.close();
  });

  it('refuses with PERMISSION_DENIED a certificate for another identity key than the enrolled one', async () => {
    // What a CA-key holder could mint: alice's id, but bound to mallory's identity key.
    const mallory = generateSigningKeyPair();
    const tls = await createTlsKey();
    const certPem = await coord.certificates!.issue('participant', alice.id, mallory.publicKey, tls.publicKey);
    const status = await streamStatus(coord.address, {
      ...anchorOnly(),
      clientCertificate: { certPem, keyPem: tls.keyPem },
    } as ChannelSecurity);
    expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(status.details).toContain(`issued for another identity key than participant ${alice.id}'s`);
  });

  it('refuses an enrolment whose TLS key another identity signed, and leaves the token unused', async () => {
    const token = await createEnrollmentToken(coord.options.dataDir, 'carol');
    const keys = generateSigningKeyPair();
    const tls = await createTlsKey();
    const { error } = await rawEnroll(coord, {
      token,
      name: 'carol',
      publicKey: keys.publicKey,
      signature: sign(ENROLL_CONTEXT, enrollmentMessage(token, keys.publicKey), keys.secretKey),
      tlsPublicKey: tls.publicKey,
      tlsKeySignature: signTlsKey('participant', '', tls.publicKey, generateSigningKeyPair().secretKey),
    });
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(error?.details).toMatch(/signature over the TLS key does not match/);
    expect((await listEnrollmentTokens(coord.options.dataDir)).find((t) => t.name === 'carol')?.status).toBe('pending');
  });

  it('gives a node enrolled without a certificate one on its identity key, and then welcomes it', async () => {
    const dir = join(tmp.dir, 'old-node');
    mkdirSync(dir);
    const keys = generateSigningKeyPair();
    const token = await createEnrollmentToken(coord.options.dataDir, 'old');
    const { participantId, clientCertificate } = await enroll(coord.address, token, 'old', keys, anchorOnly());
    expect(clientCertificate).toBe('');
    const csv = join(tmp.dir, 'old.csv');
    writeFileSync(csv, toCsv(shards(BREAST_CANCER, 2)[0]!));
    const config = {
      name: 'old',
      coordinator: coord.address,
      participantId,
      identityKey: '(in memory)',
      datasets: { customers: { type: 'csv' as const, path: csv, exclude: [] } },
    };
    const lines: string[] = [];
    const refused = new ParticipantNode({ config, identity: keys, security: anchorOnly(), log: (l) => lines.push(l) });
    refused.start();
    await expect.poll(() => lines.join('\n')).toMatch(/refused the connection: .*tessera participant renew-cert/);
    await refused.stop();

    const paths = await renewClientCertificate({
      config,
      configFile: join(dir, 'participant.yaml'),
      identity: keys,
      security: anchorOnly(),
    });
    require0600(paths.key);
    // From the config, as a restarted node reads it: the pinned anchor and the new key and certificate.
    const coordinatorCa = join(dir, 'coordinator-ca.pem');
    writeFileSync(coordinatorCa, (anchorOnly() as { anchorPem: string }).anchorPem);
    const node = new ParticipantNode({
      config: { ...config, coordinatorCa, tlsKey: paths.key, tlsCertificate: paths.certificate },
      identity: keys,
    });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    await node.stop();
  });

  it('refuses renewal to a revoked participant, and to a signature by another key', async () => {
    const who = await enrolIdentity(coord, 'leaving');
    const config = {
      name: 'leaving',
      coordinator: coord.address,
      participantId: who.id,
      identityKey: '(in memory)',
      datasets: {},
    };
    const renew = (identity = who.keys) =>
      renewClientCertificate({ config, configFile: join(tmp.dir, 'x', 'p.yaml'), identity, security: anchorOnly() });
    await expect(renew(generateSigningKeyPair())).rejects.toThrow(/signature over the TLS key does not match/);
    await setParticipantStatus(coord.options.dataDir, who.id, 'revoked');
    await expect(renew()).rejects.toThrow(/was revoked by the coordinator operator/);
  });
});

describe('participant init gets a client certificate', () => {
  const tmp = tempDir();
  let coord: Coordinator;

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await coord?.stop();
    tmp.cleanup();
  });

  it('writes its TLS key (0600) and certificate beside the config, and the node connects with them', async () => {
    const csv = join(tmp.dir, 'customers.csv');
    writeFileSync(csv, toCsv(shards(BREAST_CANCER, 2)[0]!));
    const r = await initParticipant({
      dir: join(tmp.dir, 'node'),
      coordinator: coord.address,
      token: await createEnrollmentToken(coord.options.dataDir, 'm1'),
      datasets: { customers: { type: 'csv', path: csv } },
      policy: false,
    });
    const config = loadParticipantConfig(r.configPath);
    expect(config.tlsKey).toBe(join(tmp.dir, 'node', 'tls.key'));
    expect(config.tlsCertificate).toBe(join(tmp.dir, 'node', 'tls.pem'));
    require0600(config.tlsKey!);
    const node = new ParticipantNode({ config, identity: loadSigningKeyPair(config.identityKey) });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    await node.stop();
  });
});

function require0600(path: string): void {
  if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
}
