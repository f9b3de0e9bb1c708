import * as grpc from '@grpc/grpc-js';
import { BfvEncryptor, loadSeal, validateBfvParameters } from '@tessera/he';
import type { tessera } from '@tessera/proto';
import type { SealedParams } from '../jobs/job-context.js';

const invalid = (details: string): grpc.ServiceError => Object.assign(new Error(details), { code: grpc.status.INVALID_ARGUMENT, details, metadata: new grpc.Metadata() });

/**
 * Checks a sealed job's analyst key before any work: the parameters must give 128-bit security
 * and batch a prime plaintext modulus below 2^32, and the public key must load under them.
 */
export async function sealedSetup(req: tessera.v1.ISubmitJobRequest): Promise<{ analystKey: string; params: SealedParams }> {
  const key = req.analystKey ?? new Uint8Array(0);
  if (key.length === 0) throw invalid('secure.mode sealed needs the analyst\'s BFV public key with the submission (tessera keys create; tessera job submit --sealed)');
  let params: SealedParams;
  try {
    const raw = JSON.parse(req.sealedParamsJson || 'null') as Partial<SealedParams> | null;
    if (!raw || !Number.isInteger(raw.polyModulusDegree) || !Array.isArray(raw.coeffModulusBits) || !Number.isInteger(raw.plainModulus)) throw new Error('expected {polyModulusDegree, coeffModulusBits, plainModulus}');
    params = { polyModulusDegree: raw.polyModulusDegree!, coeffModulusBits: raw.coeffModulusBits!.map(Number), plainModulus: raw.plainModulus! };
  } catch (e) {
    throw invalid(`sealed_params_json: ${(e as Error).message}`);
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
  return { analystKey: Buffer.from(key).toString('base64'), params };
}
