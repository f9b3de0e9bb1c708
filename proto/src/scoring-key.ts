// Encrypted scoring's binding of the analyst's CKKS keys and encrypted model to the analyst and its signed spec.
import { lengthPrefixed, sha256, sign, u32be, verify } from '@tessera/crypto';
import type { tessera } from './gen/tessera.js';

/**
 * The analyst signs, with the Ed25519 identity that signs the job spec, the spec text and every
 * field of the scoring setup (parameters, span, feature count, public key, Galois keys, encrypted
 * model); a participant checks the signature against the task's analyst identity before it
 * encrypts anything, so a coordinator can neither slip in a CKKS key of its own nor move the
 * analyst's keys to a job the analyst did not sign.
 */
export const SCORING_KEY_CONTEXT = 'tessera/v1/scoring-key';

type SetupFields = Pick<
  tessera.v1.IScoringSetup,
  'paramsJson' | 'publicKey' | 'galoisKeys' | 'encryptedModel' | 'features' | 'span'
>;

/** The signed message: hashes of the spec and of each byte field, the parameters' JSON and the two counts. */
export function scoringSetupMessage(specJson: string, s: SetupFields): Uint8Array {
  const bytes = (b: Uint8Array | null | undefined) => sha256(b ?? new Uint8Array(0));
  return lengthPrefixed(
    sha256(specJson),
    new TextEncoder().encode(s.paramsJson ?? ''),
    u32be(Number(s.span ?? 0)),
    u32be(Number(s.features ?? 0)),
    bytes(s.publicKey),
    bytes(s.galoisKeys),
    bytes(s.encryptedModel),
  );
}

export function signScoringSetup(specJson: string, s: SetupFields, identitySecretKey: Uint8Array): Uint8Array {
  return sign(SCORING_KEY_CONTEXT, scoringSetupMessage(specJson, s), identitySecretKey);
}

/** True when `s.signature` is `identity`'s signature over the spec text and the setup. */
export function verifyScoringSetup(
  specJson: string,
  s: SetupFields & Pick<tessera.v1.IScoringSetup, 'signature'>,
  identity: Uint8Array,
): boolean {
  const signature = s.signature ?? new Uint8Array(0);
  if (identity.length !== 32 || signature.length === 0) return false;
  return verify(SCORING_KEY_CONTEXT, scoringSetupMessage(specJson, s), signature, identity);
}
