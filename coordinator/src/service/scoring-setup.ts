import * as grpc from '@grpc/grpc-js';
import {
  ckksParametersFromJson,
  CkksEncryptor,
  CkksEvaluator,
  loadSeal,
  validateCkksParameters,
  type CkksParameters,
} from '@tessera/he';
import { verifyScoringSetup, type tessera } from '@tessera/proto';

/** The scoring setup as a job keeps it: public keys and the encrypted model, base64. */
export interface StoredScoringSetup {
  params: CkksParameters;
  publicKey: string;
  galoisKeys: string;
  encryptedModel: string;
  features: number;
  span: number;
  /** The analyst's signature over the spec and the setup (ScoringSetup.signature), base64; participants check it. */
  signature?: string;
}

const invalid = (details: string): grpc.ServiceError =>
  Object.assign(new Error(details), { code: grpc.status.INVALID_ARGUMENT, details, metadata: new grpc.Metadata() });
const b64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array(0)).toString('base64');

/**
 * Checks an encrypted-scoring submission before any work: 128-bit CKKS parameters, keys that load
 * under them, and an encrypted model that the participants' evaluation accepts (tried on ones).
 */
export async function scoringSetup(req: tessera.v1.ISubmitJobRequest, features: number): Promise<StoredScoringSetup> {
  const s = req.scoring;
  if (!s?.encryptedModel?.length || !s.publicKey?.length || !s.galoisKeys?.length) {
    throw invalid(
      'a score job needs the encrypted model, public key and Galois keys with the submission ' +
        '(tessera score --sealed builds them)',
    );
  }
  let params: CkksParameters;
  try {
    params = ckksParametersFromJson(s.paramsJson || 'null', 'scoring.params_json');
  } catch (e) {
    throw invalid((e as Error).message);
  }
  if (s.features !== features)
    throw invalid(`the encrypted model scores ${s.features} encoded features, the spec's features encode ${features}`);
  if (!verifyScoringSetup(req.specJson ?? '', s, req.analystIdentity ?? new Uint8Array(0))) {
    throw invalid(
      'scoring.signature: the scoring keys are not signed by the analyst identity that signs the spec ' +
        "(over that spec's exact text); participants refuse them. " +
        'Submit with an analyst client (tessera score --sealed signs them)',
    );
  }
  await loadSeal();
  try {
    validateCkksParameters(params);
  } catch (e) {
    throw invalid(`scoring parameters refused: ${(e as Error).message}`);
  }
  let evaluator: CkksEvaluator | undefined;
  let encryptor: CkksEncryptor | undefined;
  try {
    evaluator = new CkksEvaluator(params, s.galoisKeys);
    encryptor = new CkksEncryptor(params, s.publicKey);
    evaluator.linearScore(s.encryptedModel, new Float64Array(features + 1).fill(1), s.span ?? undefined);
  } catch (e) {
    throw invalid(
      `the scoring keys or encrypted model are not valid for the declared parameters: ${(e as Error).message}`,
    );
  } finally {
    evaluator?.dispose();
    encryptor?.dispose();
  }
  return {
    params,
    publicKey: b64(s.publicKey),
    galoisKeys: b64(s.galoisKeys),
    encryptedModel: b64(s.encryptedModel),
    features,
    span: s.span ?? 0,
    signature: b64(s.signature),
  };
}
