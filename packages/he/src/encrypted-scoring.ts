import { HeError } from './errors.js';
import { CkksDecryptor, CkksEncryptor, CkksEvaluator, CkksKeyPair } from './ckks.js';
import { defaultCkksParameters, type CkksParameters } from './ckks-parameters.js';

/**
 * Encrypted scoring of a linear model (CKKS): the analyst's model goes out encrypted, each
 * participant evaluates it on the sum of its rows per segment without seeing it, the coordinator
 * adds the participants' ciphertexts, and only the analyst decrypts the totals. A linear score
 * w . ((x - mean) / std) + b is folded into effective weights w_j / std_j and bias
 * b - sum_j w_j mean_j / std_j, so the participant needs nothing but its encoded rows.
 */
export interface LinearModel {
  /** Per encoded feature, then the bias last. */
  weights: ArrayLike<number>;
  standardisation?: { mean: ArrayLike<number>; std: ArrayLike<number>; clip?: number };
}

/** [effective weights..., effective bias]: the vector the analyst encrypts. */
export function foldedModel(model: LinearModel): Float64Array {
  const d = model.weights.length - 1;
  if (d < 1)
    throw new HeError(
      'bad-input',
      `a linear model needs at least one weight and a bias, got ${model.weights.length} values`,
    );
  const s = model.standardisation;
  if (s?.clip)
    throw new HeError(
      'bad-input',
      `the model clamps standardised values at ${s.clip}: ` +
        'its score is not linear in the features and cannot be evaluated encrypted',
    );
  if (s && (s.mean.length !== d || s.std.length !== d))
    throw new HeError('bad-input', `standardisation has ${s.mean.length} features, the weights ${d}`);
  const out = new Float64Array(d + 1);
  // d = weights.length - 1, and mean and std hold d entries (checked above): every index below is in range.
  let bias = model.weights[d]!;
  for (let j = 0; j < d; j++) {
    const w = model.weights[j]!;
    const std = s ? s.std[j]! : 1;
    if (!(std > 0)) throw new HeError('bad-input', `standard deviation of feature ${j} is ${std}; it must be positive`);
    out[j] = w / std;
    bias -= s ? (w * s.mean[j]!) / std : 0;
  }
  out[d] = bias;
  return out;
}

/** What an analyst sends out for encrypted scoring: public parameters, keys and the encrypted model. */
export interface ScoringRequest {
  params: CkksParameters;
  /** Power of two covering features + 1: rotations (and Galois keys) only over that many slots. */
  span: number;
  publicKey: Uint8Array;
  galoisKeys: Uint8Array;
  encryptedModel: Uint8Array;
  features: number;
}

/** The analyst's side: keys (the secret one stays here), the encrypted model, and decryption of the totals. */
export class ScoringAnalyst {
  /** Opened at the first decryption and kept (opening one costs more than a decryption): free it with dispose(). */
  private decryptor: CkksDecryptor | undefined;

  private constructor(
    private readonly keys: CkksKeyPair,
    readonly request: ScoringRequest,
  ) {}

  static create(model: LinearModel, params: CkksParameters = defaultCkksParameters()): ScoringAnalyst {
    const folded = foldedModel(model);
    if (folded.length > params.slots)
      throw new HeError('bad-input', `${folded.length - 1} features do not fit ${params.slots} slots`);
    let span = 2;
    while (span < folded.length) span *= 2;
    const keys = CkksKeyPair.generate(params, { rotationSpan: span });
    const encryptor = new CkksEncryptor(params, keys.publicKey);
    try {
      return new ScoringAnalyst(keys, {
        params,
        span,
        publicKey: keys.publicKey,
        galoisKeys: keys.galoisKeys!,
        encryptedModel: encryptor.encrypt(folded),
        features: folded.length - 1,
      });
    } finally {
      encryptor.dispose();
    }
  }

  /**
   * Total score and row count of a segment from the summed ciphertexts; mean = total / count. `suppressedBy`: how
   * many participants sent 0 for the segment, below their owner's minimum (slot 1 of the count ciphertext, an integer
   * sum that CKKS returns within ~1e-6; 0 from participants that predate the slot).
   */
  decrypt(totals: SegmentCiphertexts): { total: number; count: number; mean: number; suppressedBy: number } {
    this.decryptor ??= new CkksDecryptor(this.request.params, this.keys.secretKeyBytes());
    // decrypt(ct, n) returns exactly n slots.
    const total = this.decryptor.decrypt(totals.score, 1)[0]!;
    const counts = this.decryptor.decrypt(totals.count, 2);
    const count = counts[0]!;
    const suppressed = counts[1]!;
    return {
      total,
      count,
      mean: count > 0.5 ? total / count : Number.NaN,
      suppressedBy: Math.max(0, Math.round(suppressed)),
    };
  }

  /** Frees the decryptor kept since the first decryption (a later decrypt opens a new one). */
  dispose(): void {
    this.decryptor?.dispose();
    this.decryptor = undefined;
  }
}

/**
 * One segment's encrypted contribution (or sum of contributions): its total score, and its row count in slot 0 of
 * `count` with the suppression indicator in slot 1 (1 when a participant sent 0 for the segment, below its owner's
 * minimum; summed, how many did). Only the analyst can read either: the coordinator adds the ciphertexts blind.
 */
export interface SegmentCiphertexts {
  score: Uint8Array;
  count: Uint8Array;
}

/** The participant's side: evaluates the encrypted model on a segment's summed rows, seeing only ciphertexts. */
export class ScoringParticipant {
  private readonly evaluator: CkksEvaluator;
  private readonly encryptor: CkksEncryptor;

  constructor(private readonly request: ScoringRequest) {
    this.evaluator = new CkksEvaluator(request.params, request.galoisKeys);
    this.encryptor = new CkksEncryptor(request.params, request.publicKey);
  }

  /**
   * `rowSum` is the sum of the segment's encoded feature rows (length = features); `count` its number of rows;
   * `suppressed`: this participant sends 0 for the segment in place of its rows (below its owner's minimum), which
   * goes into slot 1 of the count ciphertext, so that only the analyst learns it.
   */
  scoreSegment(rowSum: Float64Array, count: number, suppressed = false): SegmentCiphertexts {
    if (rowSum.length !== this.request.features)
      throw new HeError(
        'bad-input',
        `the model scores ${this.request.features} features, the rows have ${rowSum.length}`,
      );
    const f = new Float64Array(rowSum.length + 1);
    f.set(rowSum);
    f[rowSum.length] = count;
    return {
      score: this.evaluator.linearScore(this.request.encryptedModel, f, this.request.span),
      count: this.encryptor.encrypt(Float64Array.of(count, suppressed ? 1 : 0)),
    };
  }

  dispose(): void {
    this.evaluator.dispose();
    this.encryptor.dispose();
  }
}

/** The coordinator's side: adds segment ciphertexts from many participants (no key but the public ones). */
export class ScoreAccumulator {
  private readonly evaluator: CkksEvaluator;
  private total: SegmentCiphertexts | undefined;

  constructor(params: CkksParameters) {
    this.evaluator = new CkksEvaluator(params);
  }

  add(c: SegmentCiphertexts): void {
    this.total = this.total
      ? { score: this.evaluator.add(this.total.score, c.score), count: this.evaluator.add(this.total.count, c.count) }
      : c;
  }

  result(): SegmentCiphertexts {
    if (!this.total) throw new HeError('bad-state', 'no contribution was added');
    return this.total;
  }

  dispose(): void {
    this.evaluator.dispose();
  }
}
