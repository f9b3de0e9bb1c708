// Where a coordinator keeps its TLS material, and the trust anchor clients on this machine read from there.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The coordinator's TLS directory inside its data directory (0700). */
export const TLS_DIR = 'tls';

export const tlsFiles = (dataDir: string) => {
  const dir = join(dataDir, TLS_DIR);
  return {
    dir,
    /** The coordinator's own CA: signs its server certificate and, for mutual TLS, participants' certificates. */
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    /** The server certificate issued by the own CA (unused when the operator gives --tls-cert). */
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    /** The certificate clients pin (the own CA, the operator's CA or certificate), written at every TLS start. */
    anchor: join(dir, 'anchor.pem'),
  };
};

/** The trust anchor (PEM) a coordinator with this data directory serves; undefined before its first TLS start. */
export function readTrustAnchor(dataDir: string): string | undefined {
  const { anchor } = tlsFiles(dataDir);
  return existsSync(anchor) ? readFileSync(anchor, 'utf8') : undefined;
}
