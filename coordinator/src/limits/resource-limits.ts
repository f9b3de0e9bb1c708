import { MAX_MESSAGE_BYTES } from '@tessera/proto';

/**
 * The coordinator's resource limits: what one client may hold or ask for, so that no participant or analyst
 * can starve the others. Each refusal names its limit (docs/security.md, "Resource limits").
 */
export interface ResourceLimits {
  /** Largest message the coordinator accepts, in bytes; gRPC refuses a larger one before decoding it. */
  maxMessageBytes: number;
  /**
   * Concurrent streaming calls (WatchJob, AttachSealed, GetResult, ExportLedger) of one identity: the analyst
   * token (or the peer address of a call without one).
   */
  maxStreamsPerIdentity: number;
  /** A granted upload with no chunk for this long is taken back, and the contribution fails for the round. */
  uploadIdleSeconds: number;
  /** Unauthenticated calls (Enroll, opening a Connect stream) one address may make at once... */
  unauthenticatedBurst: number;
  /** ... and then per second (a token bucket per peer address). */
  unauthenticatedPerSecond: number;
}

/** Generous defaults: far above what the demo, the tests and the benchmarks (100 participants on loopback) need. */
export const DEFAULT_RESOURCE_LIMITS: Readonly<ResourceLimits> = {
  maxMessageBytes: MAX_MESSAGE_BYTES,
  maxStreamsPerIdentity: 64,
  uploadIdleSeconds: 60,
  unauthenticatedBurst: 300,
  unauthenticatedPerSecond: 30,
};

/** A resource limit set to something it cannot be. */
export class ResourceLimitConfigError extends Error {
  readonly code = 'bad-limit';
  constructor(
    readonly limit: keyof ResourceLimits,
    message: string,
  ) {
    super(`resource limit ${limit}: ${message}`);
    this.name = 'ResourceLimitConfigError';
  }
}

/** The defaults with the given limits in their place, each checked. */
export function resourceLimits(overrides: Partial<ResourceLimits> = {}): ResourceLimits {
  const limits = { ...DEFAULT_RESOURCE_LIMITS, ...overrides };
  const positive = (key: keyof ResourceLimits, integer: boolean) => {
    const v = limits[key];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v)))
      throw new ResourceLimitConfigError(key, `must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  };
  positive('maxMessageBytes', true);
  positive('maxStreamsPerIdentity', true);
  positive('uploadIdleSeconds', false);
  positive('unauthenticatedBurst', true);
  positive('unauthenticatedPerSecond', false);
  return limits;
}
