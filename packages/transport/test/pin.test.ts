import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  channelCredentials,
  createCertificateAuthority,
  explainPinFailure,
  fingerprintOf,
  generateKeyPair,
  identityUri,
  issueClientCertificate,
  issueServerCertificate,
  pinAnchor,
  privateKeyPem,
  serverCredentials,
  subjectPublicKeyOf,
  TransportError,
  type ChannelSecurity,
} from '@tessera/transport';
import { createPublicKey } from 'node:crypto';

// A one-method service answering with what TLS told the server about the client.
const identity = (b: Buffer) => b;
const service = {
  whoAmI: {
    path: '/test.Echo/WhoAmI',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} satisfies grpc.ServiceDefinition;
const Client = grpc.makeGenericClientConstructor(service, 'Echo');

function call(address: string, security: ChannelSecurity): Promise<string> {
  const { credentials, options } = channelCredentials(address, security);
  const client = new Client(address, credentials, options) as unknown as grpc.Client & {
    whoAmI: (r: Buffer, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Buffer) => void) => void;
  };
  return new Promise((resolve, reject) =>
    client.whoAmI(Buffer.alloc(0), { deadline: Date.now() + 5000 }, (e, r) => {
      client.close();
      e ? reject(e) : resolve(String(r));
    }),
  );
}

describe('TLS with a pinned anchor, over real sockets on 127.0.0.1', async () => {
  const ca = await createCertificateAuthority();
  const fingerprint = fingerprintOf(ca.certPem);
  const other = await createCertificateAuthority({ commonName: 'Someone else' });
  const server = new grpc.Server();
  let address = '';

  beforeAll(async () => {
    const leaf = await issueServerCertificate(ca, { dns: ['localhost'], ip: ['127.0.0.1'] });
    server.addService(service, {
      whoAmI: (c: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const peer = c.getAuthContext()?.sslPeerCertificate;
        cb(null, Buffer.from(peer?.subjectaltname ?? 'no certificate'));
      },
    });
    const { credentials } = serverCredentials({
      certChainPem: leaf.certPem + ca.certPem,
      keyPem: leaf.keyPem,
      clientCaPem: ca.certPem,
    });
    const port = await new Promise<number>((res, rej) =>
      server.bindAsync('127.0.0.1:0', credentials, (e, p) => (e ? rej(e) : res(p))),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  it('pins the right anchor and talks TLS through it, with or without a client certificate', async () => {
    const pinned = await pinAnchor(address, fingerprint.toUpperCase());
    expect(pinned).toEqual({ fingerprint, anchorPem: expect.stringContaining('BEGIN CERTIFICATE') });
    expect(fingerprintOf(pinned.anchorPem)).toBe(fingerprint);
    expect(await call(address, { mode: 'tls', anchorPem: pinned.anchorPem })).toBe('no certificate');

    const keys = await generateKeyPair();
    const certPem = await issueClientCertificate(ca, {
      publicKey: subjectPublicKeyOf(createPublicKey(await privateKeyPem(keys.privateKey))),
      identity: identityUri('participant', 'p-1'),
    });
    const clientCertificate = { certPem, keyPem: await privateKeyPem(keys.privateKey) };
    expect(await call(address, { mode: 'tls', anchorPem: pinned.anchorPem, clientCertificate })).toBe(
      'URI:urn:tessera:participant:p-1',
    );
  });

  it('refuses another anchor at first contact, naming both fingerprints', async () => {
    const wrong = fingerprintOf(other.certPem);
    const e = await pinAnchor(address, wrong).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).code).toBe('PIN_MISMATCH');
    expect((e as Error).message).toContain(`presented TLS certificate fingerprint ${fingerprint}`);
    expect((e as Error).message).toContain(`the pinned fingerprint is ${wrong}`);
    expect((await explainPinFailure(address, wrong))?.code).toBe('PIN_MISMATCH');
    expect(await explainPinFailure(address, fingerprint)).toBeUndefined();
  });

  it('refuses a channel whose pinned root did not issue the server certificate', async () => {
    const e = (await call(address, { mode: 'tls', anchorPem: other.certPem }).catch(
      (x: unknown) => x,
    )) as grpc.ServiceError;
    expect(e.code).toBe(grpc.status.UNAVAILABLE);
    expect(e.details).toMatch(/certificate/);
  });

  it('refuses a peer that does not speak TLS, saying so', async () => {
    const plain = new grpc.Server();
    const port = await new Promise<number>((res, rej) =>
      plain.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
    );
    const e = await pinAnchor(`127.0.0.1:${port}`, fingerprint).catch((x: unknown) => x);
    plain.forceShutdown();
    expect((e as TransportError).code).toBe('UNREACHABLE');
    expect((e as Error).message).toContain('--insecure');
  });

  it('allows plaintext channels on loopback only', () => {
    expect(() => channelCredentials('127.0.0.1:7070', { mode: 'insecure' })).not.toThrow();
    expect(() => channelCredentials('192.0.2.7:7070', { mode: 'insecure' })).toThrow(
      expect.objectContaining({ code: 'INSECURE_NOT_LOOPBACK' }),
    );
  });
});
