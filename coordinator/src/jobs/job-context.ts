import type { AgreedSchema } from '@tessera/data';

export interface SealedParams {
  polyModulusDegree: number;
  coeffModulusBits: number[];
  plainModulus: number;
}

/** What a job's setup stages agreed on, persisted so that a restarted coordinator resumes after them. */
export interface JobContext {
  schema?: AgreedSchema;
  featureNames?: string[];
  standardization?: { mean: number[]; std: number[]; count: number; contributors?: number; clip?: number };
  privacy?: { noiseMultiplier: number };
  /** Sealed mode: the analyst's BFV public key (base64) and the parameters it was made for. Never a secret key. */
  sealed?: { analystKey: string; params: SealedParams; analystIdentity: string; analystSignature: string };
  /** The clip adaptive clipping has reached (after the last completed round). */
  adaptiveClip?: { clip: number; round: number };
  /** Noisy releases each participant was asked to contribute to (each is charged to its budget). */
  privacySpend?: Record<string, { rounds: number; statistics: number }>;
  /** Participants that refused work on privacy grounds, with their reasons. */
  refusals?: { participantId: string; stage: string; round: number; reason: string }[];
}

export const parseContext = (json: string): JobContext => (json ? (JSON.parse(json) as JobContext) : {});
