import * as grpc from '@grpc/grpc-js';

/**
 * The coordinator's resource limits, by the code a refusal carries. Each refusal is a RESOURCE_EXHAUSTED status
 * (a rejection, on the Connect stream) whose text names the limit and the setting that raises it; the code
 * travels in the trailing metadata under RESOURCE_LIMIT_METADATA so that clients can tell which limit it was
 * without parsing the text.
 */
export const RESOURCE_LIMIT_CODES = [
  /** A message over the largest the coordinator accepts (gRPC refuses it before decoding it). */
  'message-size',
  /** More concurrent streams of one identity than allowed. */
  'streams-per-identity',
  /** Calls without authentication from one address, faster than the rate limit. */
  'rate-limit',
  /** A granted upload that stayed idle past its deadline: the slot was taken back. */
  'upload-idle',
  /** A sealed ciphertext larger than one under the round's parameters can be. */
  'ciphertext-size',
] as const;

export type ResourceLimitCode = (typeof RESOURCE_LIMIT_CODES)[number];

export const RESOURCE_LIMIT_METADATA = 'tessera-limit';

const isCode = (v: unknown): v is ResourceLimitCode => RESOURCE_LIMIT_CODES.includes(v as ResourceLimitCode);

/** gRPC's own text for a message over `grpc.max_receive_message_length` (it names the size and the maximum). */
const GRPC_SIZE_REFUSAL = /message (that decompresses to a size )?larger than/i;

/**
 * Which resource limit refused a call, or undefined if none did: the code in the status metadata, or gRPC's own
 * refusal of an oversized message (which carries no metadata).
 */
export function resourceLimitOf(error: Partial<grpc.StatusObject> | undefined | null): ResourceLimitCode | undefined {
  if (!error || error.code !== grpc.status.RESOURCE_EXHAUSTED) return undefined;
  const code = error.metadata?.get(RESOURCE_LIMIT_METADATA)[0];
  if (isCode(code)) return code;
  return GRPC_SIZE_REFUSAL.test(error.details ?? '') ? 'message-size' : undefined;
}
