// One X.509 v3 certificate built with PKI.js (never hand-written DER) and signed with node:crypto's WebCrypto.
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { TransportError } from '../transport-error.js';

/** ECDSA P-256 with SHA-256: every key and signature of the private PKI. */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const HASH = 'SHA-256';

// PKI.js takes the engine per call, so nothing global is set for other users of the library.
// (The casts bridge node:crypto's WebCrypto types and the DOM types PKI.js is declared with; they are the same API.)
type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
type EngineKey = Parameters<pkijs.Certificate['sign']>[0];
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as EngineCrypto });

const OID = {
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
} as const;

/** Extended key usages (RFC 5280 4.2.1.12). */
export const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** Key usage bits, numbered as in RFC 5280 4.2.1.3. */
export const KeyUsageBit = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

export interface AltNames {
  dns?: readonly string[];
  ip?: readonly string[];
  uri?: readonly string[];
}

export interface CertificateTemplate {
  commonName: string;
  /** The subject's public key, DER SubjectPublicKeyInfo. */
  subjectPublicKey: Uint8Array;
  /** The issuer's certificate (DER); absent for a self-signed certificate. */
  issuer?: Uint8Array;
  /** The issuer's private key (the subject's own for a self-signed certificate). */
  signingKey: webcrypto.CryptoKey;
  notBefore: Date;
  notAfter: Date;
  /** A CA that may sign end-entity certificates only (path length 0). */
  ca: boolean;
  keyUsage: readonly number[];
  extendedKeyUsage?: readonly string[];
  altNames?: AltNames;
}

/** Builds and signs a certificate; returns its DER encoding. */
export async function buildCertificate(t: CertificateTemplate): Promise<Uint8Array> {
  const spki = pkijs.PublicKeyInfo.fromBER(t.subjectPublicKey);
  const keyId = keyIdentifier(spki);
  const issuer = t.issuer ? pkijs.Certificate.fromBER(t.issuer) : undefined;
  const cert = new pkijs.Certificate();
  cert.version = 2; // v3
  cert.serialNumber = new asn1js.Integer({ valueHex: serialNumber() });
  cert.subject.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: t.commonName }) }),
  );
  // The issuer name is copied byte for byte from the issuer's subject, so chain building matches it exactly.
  cert.issuer = issuer ? issuer.subject : cert.subject;
  cert.notBefore = time(t.notBefore);
  cert.notAfter = time(t.notAfter);
  cert.subjectPublicKeyInfo = spki;
  const extensions = [
    extension(OID.basicConstraints, true, new pkijs.BasicConstraints(t.ca ? { cA: true, pathLenConstraint: 0 } : {})),
    extension(OID.keyUsage, true, keyUsage(t.keyUsage)),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId })),
    extension(
      OID.authorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: issuer ? issuerKeyIdentifier(issuer) : keyId }),
      }),
    ),
  ];
  if (t.extendedKeyUsage?.length)
    extensions.push(extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [...t.extendedKeyUsage] })));
  const names = altNames(t.altNames ?? {});
  if (names.length) extensions.push(extension(OID.subjectAltName, false, new pkijs.AltName({ altNames: names })));
  cert.extensions = extensions;
  await cert.sign(t.signingKey as unknown as EngineKey, HASH, engine);
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

/**
 * 16 random bytes, unique with overwhelming probability; the first byte is 0x40-0x7f, so the DER integer is positive
 * and needs no leading zero.
 */
function serialNumber(): Uint8Array {
  const b = new Uint8Array(randomBytes(16));
  b[0] = ((b[0] ?? 0) & 0x3f) | 0x40;
  return b;
}

// UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5).
const time = (d: Date) =>
  new pkijs.Time({
    type: d.getUTCFullYear() < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime,
    value: d,
  });

function extension(extnID: string, critical: boolean, value: { toSchema(): asn1js.BaseBlock } | asn1js.BaseBlock) {
  const schema = 'toBER' in value ? value : value.toSchema();
  return new pkijs.Extension({ extnID, critical, extnValue: schema.toBER(false) });
}

/** A KeyUsage BIT STRING with the given bits set (bit 0 is the most significant bit of the first byte). */
function keyUsage(bits: readonly number[]): asn1js.BitString {
  let value = 0;
  for (const b of bits) value |= 0x80 >> b;
  const last = Math.max(...bits);
  return new asn1js.BitString({ valueHex: new Uint8Array([value]), unusedBits: 7 - last });
}

/** RFC 7093 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey bits. */
function keyIdentifier(spki: pkijs.PublicKeyInfo): Uint8Array {
  const bits = spki.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash('sha256').update(bits).digest().subarray(0, 20));
}

function issuerKeyIdentifier(issuer: pkijs.Certificate): Uint8Array {
  const ext = issuer.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
  if (ext?.parsedValue instanceof asn1js.OctetString) return ext.parsedValue.valueBlock.valueHexView;
  return keyIdentifier(issuer.subjectPublicKeyInfo);
}

function altNames(n: AltNames): pkijs.GeneralName[] {
  return [
    ...(n.dns ?? []).map((value) => new pkijs.GeneralName({ type: 2, value })),
    ...(n.ip ?? []).map(
      (ip) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ipBytes(ip) }) }),
    ),
    ...(n.uri ?? []).map((value) => new pkijs.GeneralName({ type: 6, value })),
  ];
}

/** The 4 or 16 bytes of an IPv4 or IPv6 address, as an iPAddress SAN holds them. */
function ipBytes(ip: string): Uint8Array {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip)?.slice(1).map(Number);
  if (v4?.every((o) => o <= 255)) return new Uint8Array(v4);
  const halves = ip.split('::');
  if (halves.length <= 2 && /^[0-9a-fA-F:]+$/.test(ip)) {
    const groups = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
    const head = groups(halves[0]);
    const tail = groups(halves[1]);
    const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
    const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
    if (all.length === 8 && all.every((g) => g >= 0 && g <= 0xffff))
      return new Uint8Array(all.flatMap((g) => [g >> 8, g & 0xff]));
  }
  throw new TransportError('BAD_ADDRESS', `"${ip}" is not an IPv4 or IPv6 address for a certificate`);
}
