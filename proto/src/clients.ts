import * as grpc from '@grpc/grpc-js';
import { AnalystServiceDefinition, ParticipantServiceDefinition } from './gen/services.js';
import { CHANNEL_OPTIONS } from './limits.js';

const ParticipantClientCtor = grpc.makeGenericClientConstructor(ParticipantServiceDefinition, 'ParticipantService');
const AnalystClientCtor = grpc.makeGenericClientConstructor(AnalystServiceDefinition, 'AnalystService');

/** Typed enough for our callers; grpc-js generic clients are dynamically shaped. */
// biome-ignore lint/suspicious/noExplicitAny: grpc-js builds the methods of a generic client at run time; callers cast
// the results.
export type GenericClient = grpc.Client & Record<string, (...args: any[]) => any>;

export function participantClient(address: string): GenericClient {
  return new ParticipantClientCtor(
    address,
    grpc.credentials.createInsecure(),
    CHANNEL_OPTIONS,
  ) as unknown as GenericClient;
}

export function analystClient(address: string): GenericClient {
  return new AnalystClientCtor(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as GenericClient;
}
