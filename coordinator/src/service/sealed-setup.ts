import * as grpc from '@grpc/grpc-js';
import { BfvEncryptor, loadSeal, validateBfvParameters } from '@tessera/he';
import { verifyAnalystKey, type tessera } from '@tessera/proto';
import type { SealedParams } from '../jobs/job-context.js';

const invalid = (details: string): grpc.ServiceError =>
  Object.assign(new Error(details), { code: grpc.status.INVALID_ARGUMENT, details, metadata: new grpc.Metadata() });

/**
 * Checks a sealed job's analyst key before any work: the parameters must give 128-bit security
 * and batch a prime plaintext modulus below 2^32, and the public key must load under them.
 */
export async function sealedSetup(
  req: tessera.v1.ISubmitJobRequest,
): Promise<{ analystKey: string; params: SealedParams; analystIdentity: string; analystSignature: string }> {
  const key = req.analystKey ?? new Uint8Array(0);
  if (key.length === 0)
    throw invalid(
      "secure.mode sealed needs the analyst's BFV public key with the submission (tessera keys create; " +
        'tessera job submit --sealed)',
    );
  let params: SealedParams;
  try {
    const raw = JSON.parse(req.sealedParamsJson || 'null') as Partial<SealedParams> | null;
    if (
      !raw ||
      !Number.isInteger(raw.polyModulusDegree) ||
      !Array.isArray(raw.coeffModulusBits) ||
      !Number.isInteger(raw.plainModulus)
    )
      throw new Error('expected {polyModulusDegree, coeffModulusBits, plainModulus}');
    params = {
      polyModulusDegree: raw.polyModulusDegree!,
      coeffModulusBits: raw.coeffModulusBits!.map(Number),
      plainModulus: raw.plainModulus!,
    };
  } catch (e) {
    throw invalid(`sealed_params_json: ${(e as Error).message}`);
  }
  const identity = req.analystIdentity ?? new Uint8Array(0);
  const signature = req.analystSignature ?? new Uint8Array(0);
  if (identity.length !== 32 || !verifyAnalystKey(key, params, signature, identity)) {
    throw invalid(
      'the analyst key is not signed by the analyst identity sent with it (analyst_identity, analyst_signature): ' +
        'participants would refuse it; submit with keys from tessera keys create',
    );
  }
  await loadSeal();
  try {
    validateBfvParameters({ ...params, slots: params.polyModulusDegree, securityLevel: 128 });
  } catch (e) {
    throw invalid(`sealed parameters refused: ${(e as Error).message}`);
  }
  try {
    new BfvEncryptor({ ...params, slots: params.polyModulusDegree, securityLevel: 128 }, key).dispose();
  } catch (e) {
    throw invalid(`the analyst's public key is not valid for the declared parameters: ${(e as Error).message}`);
  }
  return {
    analystKey: Buffer.from(key).toString('base64'),
    params,
    analystIdentity: Buffer.from(identity).toString('base64'),
    analystSignature: Buffer.from(signature).toString('base64'),
  };
}
