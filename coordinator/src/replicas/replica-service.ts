import type * as grpc from '@grpc/grpc-js';
import type { tessera } from '@tessera/proto';
import { type HolderDeps, LinkHolder, REPLICA_HELLO_TIMEOUT_MS } from './link-holder.js';

/** Refused links are logged at most once per this long: anyone may dial the port ReplicaService shares. */
const REFUSAL_LOG_MS = 10_000;

/**
 * Handlers of ReplicaService: each Link another replica opens is served by a LinkHolder. The federation's secret is
 * read from the database once (again only after a failed read), not at every hello, and refusals are logged at most
 * once per 10 s with a count of those not logged.
 */
export function replicaHandlers(
  deps: HolderDeps,
  { helloTimeoutMs = REPLICA_HELLO_TIMEOUT_MS } = {},
): grpc.UntypedServiceImplementation {
  let secret: Promise<Uint8Array> | undefined;
  const cached: HolderDeps = {
    ...deps,
    secret: () => {
      secret ??= deps.secret().catch((e: unknown) => {
        secret = undefined;
        throw e;
      });
      return secret;
    },
  };
  let loggedAt = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  const refused = (why: string) => {
    const now = Date.now();
    if (now - loggedAt < REFUSAL_LOG_MS) {
      unlogged++;
      return;
    }
    const more = unlogged ? ` (and ${unlogged} more refused since the last such line)` : '';
    deps.logger.warn({ reason: why, unlogged }, `refused a replica link: ${why}${more}`);
    loggedAt = now;
    unlogged = 0;
  };
  return {
    link(call: grpc.ServerDuplexStream<tessera.v1.ReplicaDown, tessera.v1.ReplicaUp>) {
      void new LinkHolder(call, cached, refused, helloTimeoutMs).run();
    },
  };
}
