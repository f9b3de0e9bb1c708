import type { AgreedSchema } from '@tessera/data';

/** What a job's setup stages agreed on, persisted so that a restarted coordinator resumes after them. */
export interface JobContext {
  schema?: AgreedSchema;
  featureNames?: string[];
  standardization?: { mean: number[]; std: number[]; count: number; contributors?: number };
  privacy?: { noiseMultiplier: number };
}

export const parseContext = (json: string): JobContext => (json ? (JSON.parse(json) as JobContext) : {});
