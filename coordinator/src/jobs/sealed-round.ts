import type { BfvParameters } from '@tessera/he';
import type { JobContext } from './job-context.js';

/** Sealed mode's analyst key, parameters and the analyst's signature over them, as tasks carry them. */
export interface SealedRound {
  params: BfvParameters;
  analystKey: Uint8Array;
  analystIdentity: Uint8Array;
  analystSignature: Uint8Array;
}

/** The stored (base64) analyst key of a sealed job, as bytes and full BFV parameters. */
export function sealedRoundOf(s: NonNullable<JobContext['sealed']>): SealedRound {
  const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
  return {
    params: { ...s.params, slots: s.params.polyModulusDegree, securityLevel: 128 },
    analystKey: bytes(s.analystKey),
    analystIdentity: bytes(s.analystIdentity),
    analystSignature: bytes(s.analystSignature),
  };
}
