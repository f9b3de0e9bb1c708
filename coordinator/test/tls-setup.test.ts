import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  fingerprintOf,
  issueServerCertificate,
  type CertificateAuthority,
} from '@tessera/transport';
import { Coordinator, createEnrollmentToken, tlsFiles } from '../src/index.js';
import { tempDir } from './helpers.js';
import { connectAnalystTo } from './grpc-helpers.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the coordinator sets up TLS', () => {
  const tmp = tempDir('tessera-tls-setup-');
  afterAll(() => tmp.cleanup());

  it('creates its CA and server certificate on first start (0700 directory, 0600 keys) and keeps them', async () => {
    const dataDir = join(tmp.dir, 'own');
    const first = await Coordinator.start({ dataDir, listen: '127.0.0.1:0' });
    const files = tlsFiles(dataDir);
    const fingerprint = fingerprintOf(readFileSync(files.caCert, 'utf8'));
    try {
      expect(first.tlsFingerprint).toBe(fingerprint);
      expect(fingerprintOf(readFileSync(files.anchor, 'utf8'))).toBe(fingerprint);
      expect(mode(files.dir)).toBe(0o700);
      expect(mode(files.caKey)).toBe(0o600);
      expect(mode(files.serverKey)).toBe(0o600);
      // The enrolment token carries the fingerprint the participant pins.
      expect(await createEnrollmentToken(dataDir, 'm1')).toMatch(new RegExp(`^tse1_[A-Za-z0-9_-]{43}_${fingerprint}$`));
      const analyst = await connectAnalystTo(first);
      expect(await analyst.list()).toEqual([]);
      analyst.close();
    } finally {
      await first.stop();
    }
    const again = await Coordinator.start({ dataDir, listen: '127.0.0.1:0' });
    await again.stop();
    expect(again.tlsFingerprint).toBe(fingerprint);
  });

  describe("with the operator's own certificate", async () => {
    const operatorCa = await createCertificateAuthority({ commonName: 'Operator root' });
    const leaf = await issueServerCertificate(operatorCa, { dns: ['coordinator.example.com'] });
    const files = (dir: string, ca: CertificateAuthority | undefined, keyMode = 0o600) => {
      const certFile = join(tmp.dir, `${dir}-cert.pem`);
      const keyFile = join(tmp.dir, `${dir}-key.pem`);
      writeFileSync(certFile, leaf.certPem);
      writeFileSync(keyFile, leaf.keyPem);
      chmodSync(keyFile, keyMode);
      const caFile = join(tmp.dir, `${dir}-ca.pem`);
      if (ca) writeFileSync(caFile, ca.certPem);
      return { certFile, keyFile, ...(ca ? { caFile } : {}) };
    };

    it('serves it and has clients pin the CA given with it', async () => {
      const dataDir = join(tmp.dir, 'operator');
      const c = await Coordinator.start({
        dataDir,
        listen: '127.0.0.1:0',
        tls: files('a', operatorCa),
      });
      try {
        expect(c.tlsFingerprint).toBe(fingerprintOf(operatorCa.certPem));
        expect(fingerprintOf(readFileSync(tlsFiles(dataDir).anchor, 'utf8'))).toBe(c.tlsFingerprint);
        const analyst = await connectAnalystTo(c);
        expect(await analyst.list()).toEqual([]);
        analyst.close();
      } finally {
        await c.stop();
      }
    });

    it('refuses files that do not fit together, naming the flag to change', async () => {
      const start = (tls: ReturnType<typeof files>) =>
        Coordinator.start({ dataDir: join(tmp.dir, 'refused'), listen: '127.0.0.1:0', tls });
      await expect(start(files('b', undefined))).rejects.toThrow(
        /is not self-signed: give the CA that issued it with --tls-ca/,
      );
      const other = await createCertificateAuthority({ commonName: 'Not the issuer' });
      await expect(start(files('c', other))).rejects.toThrow(
        /--tls-cert: certificate .* is not signed by the trust anchor/,
      );
      const wrongKey = { ...files('d', operatorCa), keyFile: tlsFiles(join(tmp.dir, 'own')).serverKey };
      await expect(start(wrongKey)).rejects.toThrow(/is not the key of the certificate in --tls-cert/);
      await expect(start(files('e', operatorCa, 0o644))).rejects.toThrow(/other users can access it .*chmod 600/);
    });
  });

  it('runs in plaintext only on loopback, with a warning', async () => {
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    await expect(
      Coordinator.start({ dataDir: join(tmp.dir, 'plain'), listen: '0.0.0.0:0', insecure: true, log }),
    ).rejects.toThrow('the coordinator refuses --insecure for 0.0.0.0:0: plaintext is allowed only on loopback');
    const c = await Coordinator.start({ dataDir: join(tmp.dir, 'plain'), listen: '127.0.0.1:0', insecure: true, log });
    await c.stop();
    expect(c.tlsFingerprint).toBeUndefined();
    expect(c.clientSecurity).toEqual({ mode: 'insecure' });
    expect(lines.some((l) => l.startsWith('warning: --insecure: traffic with 127.0.0.1:0 is plaintext'))).toBe(true);
  });
});
