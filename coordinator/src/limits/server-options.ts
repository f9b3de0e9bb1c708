import type * as grpc from '@grpc/grpc-js';
import { SERVER_OPTIONS } from '@tessera/proto';
import { callGuard } from './call-guard.js';
import type { ResourceLimits } from './resource-limits.js';

/** The gRPC server's options under these limits: the message size limit, and the guard of every call. */
export function serverOptions(limits: ResourceLimits): grpc.ServerOptions {
  return {
    ...SERVER_OPTIONS,
    'grpc.max_receive_message_length': limits.maxMessageBytes,
    interceptors: [callGuard(limits)],
  };
}
