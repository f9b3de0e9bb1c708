import { lengthPrefixed, sign, u32be, verify } from '@tessera/crypto';

/**
 * Sealed mode's binding of the analyst's BFV public key to the analyst: the analyst signs the key
 * and its parameters with its Ed25519 identity, and every participant checks the signature (and,
 * if its owner lists trusted analysts, the identity) before encrypting anything under that key,
 * so a coordinator cannot slip in a key of its own.
 */
export const ANALYST_KEY_CONTEXT = 'tessera/v1/analyst-key';

export interface AnalystKeyParams {
  polyModulusDegree: number;
  coeffModulusBits: readonly number[];
  plainModulus: number;
}

export function analystKeyMessage(publicKey: Uint8Array, p: AnalystKeyParams): Uint8Array {
  return lengthPrefixed(
    publicKey,
    u32be(p.polyModulusDegree),
    u32be(p.plainModulus),
    Uint8Array.from(p.coeffModulusBits),
  );
}

export function signAnalystKey(publicKey: Uint8Array, p: AnalystKeyParams, identitySecretKey: Uint8Array): Uint8Array {
  return sign(ANALYST_KEY_CONTEXT, analystKeyMessage(publicKey, p), identitySecretKey);
}

export function verifyAnalystKey(
  publicKey: Uint8Array,
  p: AnalystKeyParams,
  signature: Uint8Array,
  identity: Uint8Array,
): boolean {
  return verify(ANALYST_KEY_CONTEXT, analystKeyMessage(publicKey, p), signature, identity);
}
