export { TransportError, type TransportErrorCode } from './transport-error.js';
export { fingerprintOf, parseFingerprint, sameFingerprint, type Fingerprint } from './fingerprint.js';
export { grpcTarget, splitAddress, splitAddresses } from './address.js';
export { isLoopbackHost, isLoopbackAddress, assertInsecureAllowed, insecureWarning } from './loopback.js';
export { fetchPeerChain, pinAnchor, pinnedServerIdentity, explainPinFailure, type PinnedAnchor } from './pin.js';
export { channelCredentials, serverCredentials, type ChannelSecurity, type ServerTls } from './credentials.js';
export { MemoryCertificateProvider } from './certificate-provider.js';
export { createCertificateAuthority, type CertificateAuthority } from './pki/certificate-authority.js';
export {
  issueServerCertificate,
  issueClientCertificate,
  identityUri,
  SERVER_NAME,
  type IssuedCertificate,
} from './pki/issue.js';
export { generateKeyPair, privateKeyPem, signingKeyFromPem, subjectPublicKeyOf } from './pki/keys.js';
export { toPem, pemBlocks, certificatesFromPem, certificatePem } from './pki/pem.js';
export { verifyChain, isSelfSigned } from './pki/verify-chain.js';
export {
  certifiedIdentity,
  ed25519BindingUri,
  ed25519Sha256,
  verifyClientCertificate,
  type CertifiedIdentity,
  type ClientRole,
} from './client-identity.js';
export { LOG_LEVELS, lineLogger, loggerOf, silentLogger, type Logger, type LogLevel } from './logger.js';
