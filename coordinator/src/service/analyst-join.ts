// AnalystService.Join: an analyst redeems the operator's invitation with its Ed25519 identity, or (registered already,
// by invitation or by the operator with the public key) asks for a new certificate; either way it gets a client
// certificate for its TLS key from the coordinator's CA. The one analyst call made without a certificate.
import type { Logger } from '@tessera/transport';
import * as grpc from '@grpc/grpc-js';
import { isAcceptablePublicKey, sha256Hex } from '@tessera/crypto';
import { tessera, verifyTlsKey } from '@tessera/proto';
import { analystRefusal } from '../analysts/analyst-rules.js';
import { ClientCertificateError } from '../identity/client-certificate-error.js';
import { checkTlsKey, type ClientCertificates } from '../identity/client-certificates.js';
import type { AnalystRecord, Store } from '../store/store.js';

const grpcError = (code: grpc.status, details: string): grpc.ServiceError =>
  Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });

/** The Join handler; `certificates` is undefined on a plaintext coordinator (then no certificate is issued). */
export function joinHandler(
  store: Store,
  certificates: ClientCertificates | undefined,
  logger: Logger,
): grpc.handleUnaryCall<tessera.v1.JoinRequest, tessera.v1.JoinResponse> {
  const join = async (req: tessera.v1.JoinRequest): Promise<tessera.v1.JoinResponse> => {
    const { invitation, identity, tlsPublicKey, signature } = req;
    if (!isAcceptablePublicKey(identity))
      throw grpcError(grpc.status.INVALID_ARGUMENT, 'identity must be a valid 32-byte Ed25519 public key');
    if (certificates) {
      if (tlsPublicKey.length === 0)
        throw grpcError(grpc.status.INVALID_ARGUMENT, 'tls_public_key is missing: a TLS coordinator certifies it');
      try {
        checkTlsKey(tlsPublicKey); // before the invitation is used up
      } catch (e) {
        if (e instanceof ClientCertificateError) throw grpcError(grpc.status.INVALID_ARGUMENT, e.message);
        throw e;
      }
    }
    if (!verifyTlsKey('analyst', invitation, tlsPublicKey, signature, identity))
      throw grpcError(grpc.status.UNAUTHENTICATED, 'the signature does not verify with the identity sent');
    const analyst = invitation ? await redeem(invitation, identity) : await registered(identity);
    const clientCertificate = certificates
      ? await certificates.issue('analyst', analyst.name, identity, tlsPublicKey)
      : '';
    logger.info(
      { analystId: analyst.name },
      `analyst ${analyst.name} ${invitation ? 'joined' : 'renewed its certificate'}`,
    );
    return tessera.v1.JoinResponse.create({ name: analyst.name, clientCertificate });
  };

  const redeem = async (invitation: string, identity: Uint8Array): Promise<AnalystRecord> => {
    const r = await store.redeemAnalystInvitation(sha256Hex(invitation), identity);
    if (!r.ok) throw grpcError(grpc.status.PERMISSION_DENIED, r.reason);
    return r.analyst;
  };

  const registered = async (identity: Uint8Array): Promise<AnalystRecord> => {
    const analyst = await store.analystByKey(identity);
    if (!analyst)
      throw grpcError(
        grpc.status.UNAUTHENTICATED,
        'this identity is not a registered analyst: join with the invitation the coordinator operator gives you ' +
          '(tessera coordinator analysts add NAME prints one), or ask the operator to register your public key ' +
          '(tessera coordinator analysts add NAME --public-key HEX)',
      );
    const refusal = analystRefusal(analyst);
    if (refusal) throw grpcError(grpc.status.PERMISSION_DENIED, refusal);
    return analyst;
  };

  return (call, callback) => {
    join(call.request).then(
      (res) => callback(null, res),
      (e: unknown) =>
        callback(
          e instanceof Error && 'code' in e ? (e as grpc.ServiceError) : grpcError(grpc.status.INTERNAL, String(e)),
        ),
    );
  };
}
