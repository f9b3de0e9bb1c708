import { beforeAll, describe, expect, it } from 'vitest';
import { BfvAccumulator, BfvEncryptor, bfvChunkCount } from '@tessera/he';
import { DEFAULT_WIDE, encodeUpdate, encodeWide, type SumDecoding } from '@tessera/fl';
import { parseJobSpec } from '@tessera/jobs';
import { seededRandom } from '@tessera/ml';
import { createAnalystKeys, type AnalystKeys } from '../../client/src/sealed/analyst-keys.js';
import { answerAggregate } from '../../client/src/sealed/sealed-analyst.js';
import { minimumSurvivors } from '../../client/src/sealed/spec-decoding.js';

let keys: AnalystKeys;
beforeAll(async () => {
  keys = await createAnalystKeys();
});

/** Encrypts each participant's words under the analyst key and adds them, as honest participants and coordinator do. */
function sealedSum(vectors: Uint32Array[]): Uint8Array[] {
  const enc = new BfvEncryptor(keys.params, keys.publicKey);
  const acc = new BfvAccumulator(keys.params, bfvChunkCount(keys.params, vectors[0]!.length));
  try {
    for (const v of vectors) acc.addVector(enc.encrypt(v));
    return acc.result();
  } finally {
    enc.dispose();
    acc.dispose();
  }
}

/** The analyst's own copy of the job it signed: sealed, minParticipants 3, 16-bit updates clipped at 5. */
const spec = parseJobSpec({
  dataset: 'patients',
  label: 'benign',
  minParticipants: 3,
  secure: { mode: 'sealed', bits: 16, clip: 5 },
});

/**
 * The analyst's client decrypts only what its signed spec allows: a sum of at least minParticipants (or the
 * survivor floor), decoded with the spec's codec in its own ring. A coordinator that claims fewer survivors, or
 * directs another decoding (a clip that scales the model, other bits, another ring), is refused before decryption.
 */
describe('the analyst decodes sealed aggregates only as its own spec says', () => {
  const dim = 40;
  const rng = seededRandom('spec-decoding');
  const global = Float64Array.from({ length: dim }, () => rng.float() - 0.5);
  const own = (): SumDecoding => ({
    kind: 'update',
    codec: { bits: 16, clip: 5, modulus: keys.sealedParams.plainModulus },
    uniformWeights: false,
  });
  const fitAggregate = (survivors: number, decoding: SumDecoding) => {
    const codec = { bits: 16, clip: 5, modulus: keys.sealedParams.plainModulus };
    const deltas = Array.from({ length: survivors }, () =>
      Float64Array.from({ length: dim }, () => (rng.float() - 0.5) * 0.1),
    );
    const words = deltas.map((d) => encodeUpdate(d, 1, codec, rng).words);
    return {
      aggregate: {
        jobId: 'job-s',
        round: 1,
        stage: 'fit',
        length: dim + 1,
        chunks: sealedSum(words),
        model: [...global],
        survivors,
        decodeJson: JSON.stringify({ decoding }),
      },
      deltas,
    };
  };

  it('answers an honest aggregate: enough survivors, the decoding its spec implies', () => {
    const { aggregate, deltas } = fitAggregate(3, own());
    const reply = answerAggregate(aggregate, keys, spec, 'job-s');
    expect(reply.error ?? '').toBe('');
    for (let i = 0; i < dim; i += 7) {
      const mean = deltas.reduce((s, d) => s + d[i]!, 0) / deltas.length;
      expect(reply.values![i]! - global[i]!).toBeCloseTo(mean, 3);
    }
  });

  it('refuses to decrypt a sum of fewer survivors than minParticipants', () => {
    const { aggregate } = fitAggregate(2, own());
    const reply = answerAggregate(aggregate, keys, spec, 'job-s');
    expect(reply.values).toBeUndefined();
    expect(reply.error).toMatch(
      /sums 2 participant\(s\), fewer than the 3 the job spec requires \(minParticipants 3\)/,
    );
    // A single contribution would be one participant's update in the clear: refused too.
    const one = answerAggregate({ ...aggregate, survivors: 1 }, keys, spec, 'job-s');
    expect(one.error).toMatch(/sums 1 participant\(s\), fewer than the 3/);
  });

  it('refuses a decoding the coordinator directs that differs from its spec: clip, bits, ring, weights', () => {
    const changes: [string, SumDecoding][] = [
      ['clip', { ...own(), codec: { ...own().codec, clip: 500 } } as SumDecoding],
      ['bits', { ...own(), codec: { ...own().codec, bits: 12 } } as SumDecoding],
      ['ring', { ...own(), codec: { ...own().codec, modulus: 2 ** 32 } } as SumDecoding],
      ['weights', { ...own(), uniformWeights: true } as SumDecoding],
    ];
    for (const [what, decoding] of changes) {
      const { aggregate } = fitAggregate(3, decoding);
      const reply = answerAggregate(aggregate, keys, spec, 'job-s');
      expect(reply.values, what).toBeUndefined();
      expect(reply.error, what).toMatch(
        /decode_json\.decoding .* differs from what the job spec implies, .*: the analyst decodes only as its own spec/,
      );
    }
  });

  it("refuses a statistics sum whose wide codec is not its spec's", () => {
    const d = 2;
    const wide = { ...DEFAULT_WIDE, fractionBits: 8, modulus: keys.sealedParams.plainModulus };
    const rows = [1, 2, 3].map(() => encodeWide(Float64Array.from([10, 1, 2, 3, 4]), wide));
    const reply = answerAggregate(
      {
        jobId: 'job-s',
        round: 0,
        stage: 'statistics',
        length: (2 * d + 1) * 4,
        chunks: sealedSum(rows),
        survivors: 3,
        decodeJson: JSON.stringify({ wide, features: d }),
      },
      keys,
      spec,
      'job-s',
    );
    expect(reply.error).toMatch(/decode_json\.wide .*"fractionBits":8.* differs from what the job spec implies/);
  });

  it("takes the survivor floor when the spec's is larger than minParticipants", () => {
    expect(minimumSurvivors({ minParticipants: 3 })).toBe(3);
    expect(minimumSurvivors({ minParticipants: 3, privacy: { survivorFloor: 8 } })).toBe(8);
  });
});
