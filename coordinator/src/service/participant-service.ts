import * as grpc from '@grpc/grpc-js';
import { isAcceptablePublicKey, randomId, sha256Hex, verify } from '@tessera/crypto';
import { ENROLL_CONTEXT, enrollmentMessage, tessera } from '@tessera/proto';
import type { Store } from '../store/store.js';
import { ParticipantSession } from './participant-session.js';
import type { SessionRegistry } from './registry.js';

type Callback<T> = grpc.sendUnaryData<T>;

/** Handlers of ParticipantService: enrolment and the signed work stream. */
export function participantHandlers(
  store: Store,
  registry: SessionRegistry,
  log: (line: string) => void,
  observe?: (participantId: string, message: tessera.v1.ParticipantMessage) => void,
): grpc.UntypedServiceImplementation {
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
      const result = store.redeemEnrollmentToken(sha256Hex(token), {
        id,
        name: name.trim().slice(0, 100),
        publicKey,
        enrolledAt: Date.now(),
      });
      if (!result.ok) return fail(grpc.status.PERMISSION_DENIED, result.reason);
      const stored = store.getParticipant(id)!;
      log(`enrolled participant ${stored.id} (${stored.name})`);
      callback(null, tessera.v1.EnrollResponse.create({ participantId: stored.id, name: stored.name || name }));
    },

    connect(call: grpc.ServerDuplexStream<tessera.v1.SignedMessage, tessera.v1.CoordinatorMessage>) {
      const session = new ParticipantSession(
        call,
        store,
        (s) => {
          registry.add(s);
          log(
            `participant ${s.participantId} (${s.name}) connected, serving ${s.datasets.join(', ') || 'no data sets'}`,
          );
          s.onClose(() => log(`participant ${s.participantId} (${s.name}) disconnected`));
        },
        log,
        observe,
      );
      void session.run();
    },
  };
}
