import type { Logger } from '@tessera/transport';
import * as grpc from '@grpc/grpc-js';
import { isAcceptablePublicKey, randomId, sha256Hex, verify } from '@tessera/crypto';
import { ENROLL_CONTEXT, enrollmentMessage, tessera, verifyTlsKey } from '@tessera/proto';
import type { CertifiedIdentity } from '@tessera/transport';
import { participantRefusal } from '../enrolment/enrolment-rules.js';
import { ClientCertificateError } from '../identity/client-certificate-error.js';
import type { ClientCertificates } from '../identity/client-certificates.js';
import type { Store } from '../store/store.js';
import { certificateRefusal, uncertifiedStreamRefusal } from './participant-certificate-check.js';
import { StreamSession } from './participant-session.js';
import type { SessionRegistry } from './registry.js';
import type { CoordinatorMetrics } from '../metrics/coordinator-metrics.js';
import type { RejectReason } from '../metrics/metric-labels.js';

type Callback<T> = grpc.sendUnaryData<T>;

const serviceError = (code: grpc.status, details: string): grpc.ServiceError =>
  Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });

/** A thrown ServiceError as is; anything else (a store failure) as INTERNAL. */
const asServiceError = (e: unknown): grpc.ServiceError =>
  e instanceof Error && 'code' in e ? (e as grpc.ServiceError) : serviceError(grpc.status.INTERNAL, String(e));

/**
 * Handlers of ParticipantService: enrolment, certificate renewal and the signed work stream. With `certificates` (a
 * TLS coordinator), enrolment issues the node a client certificate, and a Connect stream must present one.
 */
export function participantHandlers(
  store: Store,
  registry: SessionRegistry,
  logger: Logger,
  observe?: (participantId: string, message: tessera.v1.ParticipantMessage) => void,
  certificates?: ClientCertificates,
  /** Counts refused streams and messages by reason, and participants' refusals by kind. */
  metrics?: Pick<CoordinatorMetrics, 'rejected' | 'participantRefusal'>,
): grpc.UntypedServiceImplementation {
  /** A certificate for the node's TLS key, once its identity key's signature over it checks; '' in plaintext. */
  const certify = async (
    id: string,
    publicKey: Uint8Array,
    tlsPublicKey: Uint8Array,
    signature: Uint8Array,
  ): Promise<string> => {
    if (!certificates || tlsPublicKey.length === 0) return '';
    if (!verifyTlsKey('participant', '', tlsPublicKey, signature, publicKey))
      throw serviceError(
        grpc.status.UNAUTHENTICATED,
        "the signature over the TLS key does not match the participant's identity key",
      );
    try {
      return await certificates.issue('participant', id, publicKey, tlsPublicKey);
    } catch (e) {
      if (e instanceof ClientCertificateError) throw serviceError(grpc.status.INVALID_ARGUMENT, e.message);
      throw e;
    }
  };

  return {
    enroll(
      call: grpc.ServerUnaryCall<tessera.v1.EnrollRequest, tessera.v1.EnrollResponse>,
      callback: Callback<tessera.v1.EnrollResponse>,
    ) {
      const { token, name, publicKey, signature } = call.request;
      const fail = (code: grpc.status, details: string) =>
        callback({ code, details, name: 'EnrollError', message: details });
      if (!token)
        return fail(
          grpc.status.INVALID_ARGUMENT,
          'enrolment needs a token (tessera coordinator enroll <name> prints one)',
        );
      if (!isAcceptablePublicKey(publicKey))
        return fail(grpc.status.INVALID_ARGUMENT, 'public_key must be a valid 32-byte Ed25519 key');
      if (!verify(ENROLL_CONTEXT, enrollmentMessage(token, publicKey), signature, publicKey)) {
        return fail(grpc.status.UNAUTHENTICATED, 'the enrolment signature does not match the public key');
      }
      const id = randomId('p-');
      // The certificate comes first: a bad TLS key is refused before the token is used up.
      const enroll = async (): Promise<tessera.v1.EnrollResponse | undefined> => {
        const clientCertificate = await certify(
          id,
          publicKey,
          call.request.tlsPublicKey ?? new Uint8Array(0),
          call.request.tlsKeySignature,
        );
        const result = await store.redeemEnrollmentToken(sha256Hex(token), {
          id,
          name: name.trim().slice(0, 100),
          publicKey,
          enrolledAt: Date.now(),
        });
        if (!result.ok) {
          fail(grpc.status.PERMISSION_DENIED, result.reason);
          return undefined;
        }
        const stored = result.participant;
        logger.info({ participantId: stored.id }, `enrolled participant ${stored.id} (${stored.name})`);
        return tessera.v1.EnrollResponse.create({
          participantId: stored.id,
          name: stored.name || name,
          clientCertificate,
        });
      };
      enroll().then(
        (res) => res && callback(null, res),
        (e: unknown) => callback(asServiceError(e)),
      );
    },

    renewCertificate(
      call: grpc.ServerUnaryCall<tessera.v1.RenewCertificateRequest, tessera.v1.RenewCertificateResponse>,
      callback: Callback<tessera.v1.RenewCertificateResponse>,
    ) {
      const { participantId, tlsPublicKey, signature } = call.request;
      if (!certificates)
        return callback(
          serviceError(
            grpc.status.FAILED_PRECONDITION,
            'this coordinator runs in plaintext (--insecure): participants connect without a certificate',
          ),
        );
      const renew = async (): Promise<tessera.v1.RenewCertificateResponse> => {
        const record = await store.getParticipant(participantId);
        if (!record)
          throw serviceError(
            grpc.status.NOT_FOUND,
            `unknown participant "${participantId}": enrol first (tessera participant init --token ...)`,
          );
        const refusal = participantRefusal(record);
        if (refusal) throw serviceError(grpc.status.PERMISSION_DENIED, refusal);
        if ((tlsPublicKey?.length ?? 0) === 0)
          throw serviceError(grpc.status.INVALID_ARGUMENT, 'tls_public_key is missing');
        const clientCertificate = await certify(record.id, record.publicKey, tlsPublicKey, signature);
        logger.info(
          { participantId: record.id },
          `issued a new client certificate to participant ${record.id} (${record.name})`,
        );
        return tessera.v1.RenewCertificateResponse.create({ clientCertificate });
      };
      renew().then(
        (res) => callback(null, res),
        (e: unknown) => callback(asServiceError(e)),
      );
    },

    connect(call: grpc.ServerDuplexStream<tessera.v1.SignedMessage, tessera.v1.CoordinatorMessage>) {
      const refuse = (
        code: grpc.status,
        label: RejectReason,
        problem: string,
        details = uncertifiedStreamRefusal(problem),
      ) => {
        metrics?.rejected(label);
        logger.warn(
          { peer: call.getPeer(), reason: label },
          `refused a participant stream from ${call.getPeer()}: ${problem}`,
        );
        // grpc-js sends the status from an 'error' event (nothing reads the stream yet)
        call.emit('error', serviceError(code, details));
      };
      const certifiedPeer = async (): Promise<CertifiedIdentity | 'refused' | undefined> => {
        if (!certificates) return undefined;
        const peer = certificates.peerOf(call, 'participant');
        if ('problem' in peer) {
          refuse(grpc.status.UNAUTHENTICATED, 'bad_certificate', peer.problem);
          return 'refused';
        }
        const record = await store.getParticipant(peer.identity.id);
        const refusal = certificateRefusal(peer.identity, record);
        if (refusal) {
          refuse(grpc.status.PERMISSION_DENIED, record ? 'bad_certificate' : 'not_enrolled', refusal);
          return 'refused';
        }
        return peer.identity;
      };
      certifiedPeer().then(
        (certified) => {
          if (certified !== 'refused') serve(call, certified);
        },
        (e: unknown) => {
          const problem = `could not read the participant its certificate names: ${String(e)}`;
          refuse(grpc.status.INTERNAL, 'error', problem, `${problem}; connect again`);
        },
      );
    },
  };

  /** Runs the Connect stream of a participant (its certificate checked, when the coordinator serves TLS). */
  function serve(
    call: grpc.ServerDuplexStream<tessera.v1.SignedMessage, tessera.v1.CoordinatorMessage>,
    certified: CertifiedIdentity | undefined,
  ): void {
    const session = new StreamSession(
      call,
      store,
      (s) => {
        registry.add(s);
        const participant = { participantId: s.participantId };
        logger.info(
          { ...participant, datasets: s.datasets.length },
          `participant ${s.participantId} (${s.name}) connected, serving ${s.datasets.join(', ') || 'no data sets'}`,
        );
        s.onClose(() => logger.info(participant, `participant ${s.participantId} (${s.name}) disconnected`));
      },
      logger,
      observe,
      certified,
      metrics,
    );
    void session.run();
  }
}
