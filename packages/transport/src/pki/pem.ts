import { X509Certificate } from 'node:crypto';
import { TransportError } from '../transport-error.js';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** PEM text for DER bytes under a label such as CERTIFICATE or PRIVATE KEY (64-column base64, RFC 7468). */
export function toPem(der: Uint8Array | ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END ${label}-----\n`;
}

/** The DER bytes of every PEM block with this label, in order. */
export function pemBlocks(text: string, label: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(BLOCK)) if (m[1] === label) out.push(Buffer.from(m[2] ?? '', 'base64'));
  return out;
}

/** Every certificate in a PEM text (a chain file lists the leaf first); `source` names the text in errors. */
export function certificatesFromPem(text: string, source: string): X509Certificate[] {
  const blocks = pemBlocks(text, 'CERTIFICATE');
  if (blocks.length === 0)
    throw new TransportError('BAD_CERTIFICATE', `${source} has no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((der, i) => {
    try {
      return new X509Certificate(der);
    } catch (e) {
      throw new TransportError(
        'BAD_CERTIFICATE',
        `${source}: certificate ${i + 1} cannot be parsed: ${(e as Error).message}`,
      );
    }
  });
}

/** The PEM text of a certificate. */
export function certificatePem(certificate: X509Certificate): string {
  return toPem(certificate.raw, 'CERTIFICATE');
}
