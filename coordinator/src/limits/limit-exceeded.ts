import * as grpc from '@grpc/grpc-js';
import { RESOURCE_LIMIT_METADATA, type ResourceLimitCode } from '@tessera/proto';

/** A call refused by a resource limit: RESOURCE_EXHAUSTED, the limit's code in the metadata, the text naming it. */
export class LimitExceeded extends Error {
  constructor(
    readonly code: ResourceLimitCode,
    message: string,
  ) {
    super(message);
    this.name = 'LimitExceeded';
  }

  /** The status that ends the refused call. */
  status(): grpc.StatusObject {
    const metadata = new grpc.Metadata();
    metadata.set(RESOURCE_LIMIT_METADATA, this.code);
    return { code: grpc.status.RESOURCE_EXHAUSTED, details: this.message, metadata };
  }
}
