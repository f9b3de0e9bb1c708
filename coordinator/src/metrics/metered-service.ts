import type * as grpc from '@grpc/grpc-js';

/**
 * A gRPC service definition whose (de)serialisers also count the bytes of every message: `received` the size of each
 * request as it came off the wire, `sent` that of each response as it goes on it. The counts are exact and cost one
 * addition per message (no message is encoded twice).
 */
export function meteredService<S extends grpc.ServiceDefinition>(
  definition: S,
  received: (bytes: number) => void,
  sent: (bytes: number) => void,
): S {
  const metered = Object.entries(definition).map(([name, method]) => {
    const m = method as grpc.MethodDefinition<unknown, unknown>;
    const wrapped: grpc.MethodDefinition<unknown, unknown> = {
      ...m,
      requestDeserialize: (buffer: Buffer) => {
        received(buffer.length);
        return m.requestDeserialize(buffer);
      },
      responseSerialize: (value: unknown) => {
        const buffer = m.responseSerialize(value);
        sent(buffer.length);
        return buffer;
      },
    };
    return [name, wrapped];
  });
  return Object.fromEntries(metered) as S;
}
