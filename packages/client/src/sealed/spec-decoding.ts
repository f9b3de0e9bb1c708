// What a sealed aggregate may be decrypted and decoded as: the analyst's own job spec decides, not the coordinator.
import { DEFAULT_WIDE, type SumDecoding, type WideCodec } from '@tessera/fl';

/** The parts of a job spec that fix how a sealed sum decodes and how few survivors it may have. */
export interface DecodingSpec {
  minParticipants: number;
  /** The spec's quantisation of model updates; absent: the caller passed no secure section (decode_json is used). */
  secure?: { bits: number; clip: number };
  /** Distributed DP: the survivor floor, when the spec sets one. */
  privacy?: { survivorFloor?: number | undefined };
}

/**
 * The fewest survivors a sum may have for the analyst to decrypt it: minParticipants, or the survivor floor if
 * larger.
 */
export function minimumSurvivors(spec: DecodingSpec): number {
  return Math.max(1, spec.minParticipants, spec.privacy?.survivorFloor ?? 0);
}

/** Refuses a sum of fewer survivors than the spec requires, before anything is decrypted. */
export function checkSurvivors(survivors: number, spec: DecodingSpec, what: string): void {
  const floor = minimumSurvivors(spec);
  if (!(Number.isInteger(survivors) && survivors >= floor)) {
    const why =
      floor > spec.minParticipants ? `privacy.survivorFloor ${floor}` : `minParticipants ${spec.minParticipants}`;
    throw new Error(
      `the ${what} sums ${survivors} participant(s), fewer than the ${floor} the job spec requires (${why}); ` +
        'the analyst does not decrypt a sum of so few contributions',
    );
  }
}

/** JSON with sorted keys, to compare a decoding the coordinator sent with the one the spec implies. */
function canonical(v: unknown): string {
  const norm = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(norm)
      : x && typeof x === 'object'
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
              .map((k) => [k, norm((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(norm(v)) ?? 'absent';
}

/**
 * The decoding the analyst uses: the one its spec implies (`own`), after checking that what the coordinator sent
 * (`sent`, from decode_json) is the same; a coordinator that asks for another decoding (other bits, clip, modulus,
 * weights) is refused, naming both.
 */
export function ownDecoding<T>(sent: unknown, own: T, field: string): T {
  if (canonical(sent) !== canonical(own))
    throw new Error(
      `decode_json.${field} ${canonical(sent)} differs from what the job spec implies, ${canonical(own)}: ` +
        'the analyst decodes only as its own spec says, not as the coordinator directs',
    );
  return own;
}

/** A sealed FIT sum: the spec's update codec in the analyst's plaintext ring (sealed jobs have no DP). */
export function fitDecodingOf(spec: DecodingSpec, plainModulus: number): SumDecoding | undefined {
  if (!spec.secure) return undefined;
  return {
    kind: 'update',
    codec: { bits: spec.secure.bits, clip: spec.secure.clip, modulus: plainModulus },
    uniformWeights: false,
  };
}

/** A sealed statistics or exact query sum: the wide codec in the analyst's plaintext ring. */
export function wideDecodingOf(plainModulus: number, fractionBits = DEFAULT_WIDE.fractionBits): WideCodec {
  return { ...DEFAULT_WIDE, fractionBits, modulus: plainModulus };
}
