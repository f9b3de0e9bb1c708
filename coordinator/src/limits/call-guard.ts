import * as grpc from '@grpc/grpc-js';
import { ANALYST_CALL_METADATA } from '@tessera/proto';
import { LimitExceeded } from './limit-exceeded.js';
import type { ResourceLimits } from './resource-limits.js';
import { StreamQuota } from './stream-quota.js';
import { TokenBuckets } from './token-bucket.js';

/**
 * Calls anyone may make before proving who they are: each costs the coordinator a signature check and a
 * database read, so they are rate-limited per peer address. (A Connect stream proves its identity with its
 * hello; until then it is unauthenticated, and the hello timeout bounds how long it may wait.)
 */
const UNAUTHENTICATED = new Set([
  '/tessera.v1.ParticipantService/Enroll',
  '/tessera.v1.ParticipantService/Connect',
  '/tessera.v1.ParticipantService/RenewCertificate',
  '/tessera.v1.AnalystService/Join',
]);

/**
 * Long-lived calls counted per identity. Connect streams are not: a participant has one live stream, a newer
 * hello replacing the older (SessionRegistry).
 */
const COUNTED_STREAMS = /^\/tessera\.v1\.AnalystService\//;

/** The address part of a peer, without the port: one host's calls share a bucket. */
function hostOf(call: grpc.ServerInterceptingCallInterface): string {
  const address = call.getConnectionInfo().remoteAddress;
  return address ?? call.getPeer().replace(/:\d+$/, '');
}

/**
 * Who holds a stream: the analyst its TLS client certificate names (Node's TLS layer checked it against the CA), or
 * the identity key a signed call names (plaintext coordinators; the service checks the signature), else the peer
 * address.
 */
function identityOf(call: grpc.ServerInterceptingCallInterface, metadata: grpc.Metadata): string {
  const names = call.getAuthContext().sslPeerCertificate?.subjectaltname ?? '';
  const certified = /URI:urn:tessera:analyst:([A-Za-z0-9._~-]+)/.exec(names)?.[1];
  if (certified) return `analyst ${certified}`;
  const signed = /^v1\.([0-9a-f]{12})/.exec(String(metadata.get(ANALYST_CALL_METADATA)[0] ?? ''))?.[1];
  if (signed) return `analyst key ${signed}`;
  return `peer ${hostOf(call)}`;
}

/**
 * The server interceptor that applies the per-call resource limits: the rate limit of unauthenticated calls
 * per peer address, and the number of concurrent streams per identity. A refused call ends at once with
 * RESOURCE_EXHAUSTED naming the limit; the service never sees it.
 */
export function callGuard(limits: ResourceLimits, now: () => number = () => performance.now()): grpc.ServerInterceptor {
  const buckets = new TokenBuckets(limits.unauthenticatedBurst, limits.unauthenticatedPerSecond, now);
  const streams = new StreamQuota(limits.maxStreamsPerIdentity);

  const admit = (
    method: grpc.ServerMethodDefinition<unknown, unknown>,
    call: grpc.ServerInterceptingCallInterface,
    metadata: grpc.Metadata,
  ): { refused: LimitExceeded } | { release?: () => void } => {
    if (UNAUTHENTICATED.has(method.path)) {
      const host = hostOf(call);
      const waitMs = buckets.take(host);
      if (waitMs === 0) return {};
      return {
        refused: new LimitExceeded(
          'rate-limit',
          `too many unauthenticated calls from ${host}: the rate limit is ${limits.unauthenticatedBurst} at once, ` +
            `then ${limits.unauthenticatedPerSecond} a second (limits unauthenticatedBurst, ` +
            `unauthenticatedPerSecond); retry in ${(waitMs / 1000).toFixed(1)} s`,
        ),
      };
    }
    if (method.responseStream && COUNTED_STREAMS.test(method.path)) {
      const identity = identityOf(call, metadata);
      const release = streams.acquire(identity);
      if (release) return { release };
      return {
        refused: new LimitExceeded(
          'streams-per-identity',
          `${identity} already has ${limits.maxStreamsPerIdentity} streams open, the most one identity may ` +
            'hold (limit maxStreamsPerIdentity); close one (a watch, an attached sealed job) first',
        ),
      };
    }
    return {};
  };

  return (method, call) => {
    let release: (() => void) | undefined;
    const end = () => {
      release?.();
      release = undefined;
    };
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            const verdict = admit(method, call, metadata);
            if ('refused' in verdict) return call.sendStatus(verdict.refused.status());
            release = verdict.release;
            pass(metadata);
          },
          onCancel: end,
        }),
      sendStatus: (status, next) => {
        end();
        next(status);
      },
    });
  };
}
