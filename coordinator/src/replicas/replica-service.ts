import type * as grpc from '@grpc/grpc-js';
import type { tessera } from '@tessera/proto';
import { type HolderDeps, LinkHolder } from './link-holder.js';

/** Handlers of ReplicaService: each Link another replica opens is served by a LinkHolder. */
export function replicaHandlers(deps: HolderDeps): grpc.UntypedServiceImplementation {
  return {
    link(call: grpc.ServerDuplexStream<tessera.v1.ReplicaDown, tessera.v1.ReplicaUp>) {
      void new LinkHolder(call, deps).run();
    },
  };
}
