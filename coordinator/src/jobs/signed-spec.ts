import type { tessera } from '@tessera/proto';

/** The spec as the analyst submitted it (exact text) and its signature, kept in the job context. */
export interface Submission {
  specJson: string;
  /** Base64 Ed25519 signature over specJson (context tessera/v1/job-spec); absent when unsigned. */
  signature?: string;
}

/**
 * The fields every task of a job carries so that a participant can check the task against the
 * spec the analyst signed: the submitted text, the signature and the analyst identity. Jobs
 * stored before submissions were kept fall back to the stored (normalised) spec, unsigned.
 */
export function signedSpecFields(
  context: { submission?: Submission; analystIdentity?: string },
  storedSpecJson: string,
): Pick<tessera.v1.ITask, 'specJson' | 'specSignature' | 'analystIdentity'> {
  const s = context.submission;
  return {
    specJson: s?.specJson ?? storedSpecJson,
    ...(s?.signature ? { specSignature: Buffer.from(s.signature, 'base64') } : {}),
    ...(context.analystIdentity ? { analystIdentity: Buffer.from(context.analystIdentity, 'hex') } : {}),
  };
}

/** What to keep of a submission request. */
export function submissionOf(req: { specJson?: string | null; specSignature?: Uint8Array | null }): Submission {
  const sig = req.specSignature ?? new Uint8Array(0);
  return { specJson: req.specJson ?? '', ...(sig.length ? { signature: Buffer.from(sig).toString('base64') } : {}) };
}
