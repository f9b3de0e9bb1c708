import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analystClient, parseAnalystInvitation, type tessera } from '@tessera/proto';
import {
  AnalystClient,
  AnalystIdentity,
  joinCoordinator,
  newTlsKey,
  securityOf,
  type CoordinatorError,
} from '@tessera/sdk';
import { createCertificateAuthority, ed25519Sha256, fingerprintOf, verifyClientCertificate } from '@tessera/transport';
import {
  AnalystError,
  Coordinator,
  inviteAnalyst,
  listAnalysts,
  registerAnalystKey,
  revokeAnalyst,
} from '../src/index.js';
import { tempDir } from './helpers.js';
import { startedCoordinator } from './started-coordinator.js';

// Issue 14, one identity per analyst: the operator invites an analyst (or registers their public key), the analyst
// joins with the identity from tessera keys create, and the coordinator's CA certifies the analyst's TLS key.

const joinError = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the join to be refused');
    },
    (e: unknown) => e as CoordinatorError,
  );

describe('analysts join with an invitation or a registered key', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  const dataDir = () => coord.options.dataDir;

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await coord?.stop();
    tmp.cleanup();
  });

  it('redeems an invitation once: the credentials carry a certificate for the analyst and its identity', async () => {
    const issued = await inviteAnalyst(dataDir(), 'alice', { address: coord.address });
    expect(issued).toMatchObject({ name: 'alice', tlsFingerprint: coord.tlsFingerprint, address: coord.address });
    expect(parseAnalystInvitation(issued.invitation).tlsFingerprint).toBe(coord.tlsFingerprint);
    const identity = AnalystIdentity.generate();
    const credentials = await joinCoordinator({ identity, invitation: issued.invitation });
    expect(credentials).toMatchObject({ name: 'alice', coordinator: coord.address });
    const cert = new X509Certificate(credentials.tls!.certPem);
    expect(verifyClientCertificate(cert.raw, new X509Certificate(credentials.tls!.anchorPem))).toEqual({
      role: 'analyst',
      id: 'alice',
      ed25519Sha256: ed25519Sha256(identity.identity),
    });
    const client = new AnalystClient(credentials.coordinator, identity, securityOf(credentials));
    expect(await client.list()).toEqual([]);
    client.close();
    expect((await listAnalysts(dataDir())).find((a) => a.name === 'alice')).toMatchObject({
      status: 'active',
      publicKey: identity.identityHex,
    });
    const again = await joinError(
      joinCoordinator({ identity: AnalystIdentity.generate(), invitation: issued.invitation }),
    );
    expect(again).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(again.message).toMatch(/unknown or already used analyst invitation/);
  });

  it('refuses a join whose signature is not by the identity sent, and leaves the invitation usable', async () => {
    const { invitation } = await inviteAnalyst(dataDir(), 'bob', { address: coord.address });
    const { secret } = parseAnalystInvitation(invitation);
    const identity = AnalystIdentity.generate();
    const tls = await newTlsKey();
    const raw = analystClient(coord.address, coord.clientSecurity);
    const request: tessera.v1.IJoinRequest = {
      invitation: secret,
      identity: identity.identity,
      tlsPublicKey: tls.publicKey,
      signature: AnalystIdentity.generate().signTlsKey(secret, tls.publicKey),
    };
    const e = await new Promise<grpc.ServiceError>((resolve) =>
      raw.join(request, (err: grpc.ServiceError) => resolve(err)),
    );
    raw.close();
    expect(e.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(e.details).toBe('the signature does not verify with the identity sent');
    expect((await joinCoordinator({ identity, invitation })).name).toBe('bob');
  });

  it('refuses an expired invitation, naming when it expired and what to do', async () => {
    const { invitation } = await inviteAnalyst(dataDir(), 'carol', {
      address: coord.address,
      now: Date.now() - 2 * 86_400_000,
    });
    const e = await joinError(joinCoordinator({ identity: AnalystIdentity.generate(), invitation }));
    expect(e.code).toBe('PERMISSION_DENIED');
    expect(e.message).toMatch(/^this invitation for analyst carol expired at .*tessera coordinator analysts add carol/);
  });

  it('certifies an analyst registered by public key without an invitation, and renews a certificate', async () => {
    const identity = AnalystIdentity.generate();
    await registerAnalystKey(dataDir(), 'dave', identity.identityHex);
    const pinned = { identity, coordinator: coord.address, tlsFingerprint: coord.tlsFingerprint! };
    const first = await joinCoordinator(pinned);
    expect(first.name).toBe('dave');
    const renewed = await joinCoordinator(pinned);
    expect(renewed.tls!.certPem).not.toBe(first.tls!.certPem);
    const client = new AnalystClient(coord.address, identity, securityOf(renewed));
    await client.list();
    client.close();
    const stranger = await joinError(joinCoordinator({ ...pinned, identity: AnalystIdentity.generate() }));
    expect(stranger.code).toBe('UNAUTHENTICATED');
    expect(stranger.message).toMatch(/not a registered analyst: join with the invitation/);
    await revokeAnalyst(dataDir(), 'dave');
    const revoked = await joinError(joinCoordinator(pinned));
    expect(revoked.code).toBe('PERMISSION_DENIED');
    expect(revoked.message).toMatch(/^analyst dave was revoked/);
  });

  it('refuses a coordinator presenting another certificate than the invitation pins, naming both', async () => {
    const other = fingerprintOf((await createCertificateAuthority()).certPem);
    const e = await joinError(
      joinCoordinator({ identity: AnalystIdentity.generate(), coordinator: coord.address, tlsFingerprint: other }),
    );
    expect((e as Error).message).toContain(`presented TLS certificate fingerprint ${coord.tlsFingerprint}`);
    expect((e as Error).message).toContain(`the pinned fingerprint is ${other}`);
  });

  it('refuses bad names and keys at the operator, naming the fix', async () => {
    await expect(inviteAnalyst(dataDir(), 'a b')).rejects.toThrow(AnalystError);
    await expect(inviteAnalyst(dataDir(), 'a b')).rejects.toThrow(/letters, digits and \. _ ~ - only/);
    await expect(registerAnalystKey(dataDir(), 'eve', 'abc')).rejects.toThrow(/64 hex characters/);
    await expect(inviteAnalyst(join(tmp.dir, 'typo'), 'eve')).rejects.toThrow(/no coordinator data in/);
  });
});

describe('analysts join a plaintext coordinator', () => {
  const started = startedCoordinator({ insecure: true });

  it('registers the identity and issues no certificate; the calls are then signed', async () => {
    const { invitation, tlsFingerprint } = await inviteAnalyst(started.coord.options.dataDir, 'alice', {
      address: started.coord.address,
    });
    expect(tlsFingerprint).toBeNull();
    const identity = AnalystIdentity.generate();
    await expect(joinCoordinator({ identity, invitation })).rejects.toThrow(/the invitation carries none/);
    const credentials = await joinCoordinator({ identity, invitation, insecure: true });
    expect(credentials.tls).toBeUndefined();
    const client = new AnalystClient(started.coord.address, identity, securityOf(credentials));
    const job = await client.submit({ dataset: 'nobody', label: 'y', waitForParticipantsSeconds: 30 });
    expect(job.owner).toBe('alice');
    await client.cancel(job.id);
    client.close();
  });
});
