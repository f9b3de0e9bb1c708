import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { LimitExceeded } from './limit-exceeded.js';
import type { ResourceLimits } from './resource-limits.js';
import { StreamQuota } from './stream-quota.js';
import { TokenBuckets } from './token-bucket.js';

/**
 * Calls anyone may make before proving who they are: each costs the coordinator a signature check and a
 * database read, so they are rate-limited per peer address. (A Connect stream proves its identity with its
 * hello; until then it is unauthenticated, and the hello timeout bounds how long it may wait.)
 */
const UNAUTHENTICATED = new Set(['/tessera.v1.ParticipantService/Enroll', '/tessera.v1.ParticipantService/Connect']);

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

/** Who holds a stream: the analyst token (never named: a short hash of it), else the peer address. */
function identityOf(call: grpc.ServerInterceptingCallInterface, metadata: grpc.Metadata): string {
  const token = String(metadata.get('authorization')[0] ?? '').replace(/^Bearer\s+/i, '');
  if (token) return `analyst token ${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
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
