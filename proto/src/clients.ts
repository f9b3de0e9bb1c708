import * as grpc from '@grpc/grpc-js';
import { channelCredentials, grpcTarget, type ChannelSecurity } from '@tessera/transport';
import { AnalystServiceDefinition, ParticipantServiceDefinition, ReplicaServiceDefinition } from './gen/services.js';
import { CHANNEL_OPTIONS } from './limits.js';

export type { ChannelSecurity } from '@tessera/transport';

const ParticipantClientCtor = grpc.makeGenericClientConstructor(ParticipantServiceDefinition, 'ParticipantService');
const AnalystClientCtor = grpc.makeGenericClientConstructor(AnalystServiceDefinition, 'AnalystService');
const ReplicaClientCtor = grpc.makeGenericClientConstructor(ReplicaServiceDefinition, 'ReplicaService');

/** A participant client class whose response decoding also reports each message's size. */
function meteredParticipantClient(onReceived: (bytes: number) => void): typeof ParticipantClientCtor {
  const metered = Object.fromEntries(
    Object.entries(ParticipantServiceDefinition).map(([name, method]) => {
      const m = method as grpc.MethodDefinition<unknown, unknown>;
      const responseDeserialize = (buffer: Buffer) => {
        onReceived(buffer.length);
        return m.responseDeserialize(buffer);
      };
      return [name, { ...m, responseDeserialize }];
    }),
  ) as grpc.ServiceDefinition;
  return grpc.makeGenericClientConstructor(metered, 'ParticipantService');
}

/** Typed enough for our callers; grpc-js generic clients are dynamically shaped. */
// biome-ignore lint/suspicious/noExplicitAny: grpc-js builds a generic client's methods at run time; callers cast
export type GenericClient = grpc.Client & Record<string, (...args: any[]) => any>;

/** Plaintext, for a coordinator on loopback started with --insecure. */
export const INSECURE: ChannelSecurity = { mode: 'insecure' };

/**
 * A participant's channel to the coordinator: TLS trusting only the pinned anchor (with the node's client certificate
 * when it has one), or plaintext on loopback.
 */
export function participantClient(
  address: string,
  security: ChannelSecurity,
  /** Told the wire size of each message the coordinator sends (counted as it is decoded, never re-encoded). */
  onReceived?: (bytes: number) => void,
): GenericClient {
  const { credentials, options } = channelCredentials(address, security);
  const Ctor = onReceived ? meteredParticipantClient(onReceived) : ParticipantClientCtor;
  return new Ctor(grpcTarget(address), credentials, {
    ...CHANNEL_OPTIONS,
    ...REPLICA_SPREAD,
    ...options,
  }) as unknown as GenericClient;
}

/**
 * With several coordinator replicas (a list of addresses, or a name that resolves to several), each client starts
 * at a random one, so that participants spread over the replicas; when it goes away the channel moves to another.
 */
const REPLICA_SPREAD = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ pick_first: { shuffleAddressList: true } }] }),
};

/** An analyst's channel to the coordinator, secured as `security` says. */
export function analystClient(address: string, security: ChannelSecurity): GenericClient {
  const { credentials, options } = channelCredentials(address, security);
  return new AnalystClientCtor(grpcTarget(address), credentials, {
    ...REPLICA_SPREAD,
    ...CHANNEL_OPTIONS,
    ...options,
  }) as unknown as GenericClient;
}

/** A coordinator replica's channel to another replica of the same federation (same trust anchor as participants). */
export function replicaClient(address: string, security: ChannelSecurity): GenericClient {
  const { credentials, options } = channelCredentials(address, security);
  return new ReplicaClientCtor(address, credentials, {
    ...CHANNEL_OPTIONS,
    ...options,
  }) as unknown as GenericClient;
}
