import { foldedModel, loadSeal, ScoringAnalyst } from '@tessera/he';
import { encodedFeaturesOf, parseScoreSpec, scoreNoise, type ScorePrivacy } from '@tessera/jobs';
import type { tessera } from '@tessera/proto';
import type { AnalystClient, JobView } from '../analyst.js';
import { modelOfFile, type ModelFile } from '../model-file-format.js';

export interface EncryptedScoreOptions {
  dataset: string;
  /** Group rows by this column; `segments` lists the values to report (declared up front). */
  segmentBy?: string;
  segments?: string[];
  minParticipants?: number;
  roundTimeoutSeconds?: number;
  /**
   * Noised totals (differential privacy): every participant clips its rows to L2 norm `clip` and adds
   * integer noise to its segment sums before scoring them. Required on data sets with a privacy budget.
   */
  privacy?: Partial<ScorePrivacy> & { clip: number };
  onProgress?: (message: string) => void;
}

export interface SegmentScore {
  segment: string;
  /** Rows scored (decrypted from the encrypted sum; a CKKS approximation of an integer). */
  count: number;
  total: number;
  /** Mean linear score (the model's log-odds before the sigmoid). */
  mean: number;
  /**
   * ok; suppressed: at least one participant had fewer rows in it than its owner's minimum and sent 0
   * for its part (exact totals only; `suppressedBy` says how many, decrypted from the count ciphertext, so only
   * the analyst knows); empty: no rows (decrypted count below one half, exact totals only).
   */
  status: 'ok' | 'suppressed' | 'empty';
  suppressedBy: number;
  /** Noised totals: the standard deviation of the noise on `count` (rows) and on `total` (score units). */
  noise?: { countStd: number; totalStd: number };
}

export interface EncryptedScoreResult {
  job: JobView;
  segments: SegmentScore[];
  overall: { count: number; total: number; mean: number };
}

/**
 * Scores a model on the participants' data without showing it to them: the model goes out
 * encrypted (CKKS, standardisation folded in), each participant evaluates it on its rows per
 * segment, the coordinator adds the ciphertexts, and only this process decrypts the totals.
 */
export async function scoreEncrypted(
  client: AnalystClient,
  model: ModelFile,
  o: EncryptedScoreOptions,
): Promise<EncryptedScoreResult> {
  const { kind } = modelOfFile(model);
  if (kind !== 'logistic')
    throw new Error(
      `encrypted scoring evaluates a logistic model's linear score; this model file is kind ${kind}: ` +
        'score it in plaintext with tessera model score, or train a logistic model',
    );
  await loadSeal();
  const analyst = ScoringAnalyst.create({ weights: model.weights, standardisation: model.standardization });
  const r = analyst.request;
  const spec = {
    kind: 'score',
    dataset: o.dataset,
    label: model.label,
    features: model.features,
    ...(o.segmentBy ? { segmentBy: o.segmentBy, segments: o.segments } : {}),
    ...(o.minParticipants ? { minParticipants: o.minParticipants } : {}),
    ...(o.roundTimeoutSeconds ? { roundTimeoutSeconds: o.roundTimeoutSeconds } : {}),
    ...(o.privacy ? { privacy: o.privacy } : {}),
  };
  const parsed = parseScoreSpec(spec);
  const noise = parsed.privacy
    ? scoreNoise(parsed.privacy, parsed.minParticipants, encodedFeaturesOf(parsed))
    : undefined;
  // Each feature sum's noise enters the total weighted by its folded weight, the count's by the bias.
  const folded = foldedModel({ weights: model.weights, standardisation: model.standardization });
  const featureNorm = Math.hypot(...folded.subarray(0, folded.length - 1));
  const bias = Math.abs(folded[folded.length - 1]!);
  const job = await client.submit(spec, {
    scoring: {
      paramsJson: JSON.stringify(r.params),
      publicKey: r.publicKey,
      galoisKeys: r.galoisKeys,
      encryptedModel: r.encryptedModel,
      features: r.features,
      span: r.span,
    },
  });
  o.onProgress?.(`job ${job.id} submitted; waiting for the participants' encrypted scores`);
  const names = o.segmentBy ? (o.segments ?? []) : ['all'];
  const segments = await new Promise<SegmentScore[]>((resolve, reject) => {
    const call = client.attachSealedStream();
    let answer: SegmentScore[] | undefined;
    call.on('data', (a: tessera.v1.SealedAggregate) => {
      if (a.stage !== 'score') {
        call.write({
          jobId: job.id,
          round: a.round,
          stage: a.stage,
          error: `expected the encrypted scores, got a ${a.stage} aggregate`,
        });
        return;
      }
      try {
        if (a.chunks.length !== 2 * names.length) {
          throw new Error(
            `the scores arrived as ${a.chunks.length} ciphertexts, expected 2 per segment for ${names.length} segments`,
          );
        }
        answer = names.map((segment, i): SegmentScore => {
          // How many participants suppressed the segment is decrypted here with its count: the coordinator never
          // learns it (its decode no longer carries a plaintext `suppressed`).
          const { suppressedBy, ...d } = analyst.decrypt({ score: a.chunks[2 * i]!, count: a.chunks[2 * i + 1]! });
          const countStd = noise?.countStd(a.survivors);
          const featureStd = noise?.featureStd(a.survivors) ?? 0;
          return {
            segment,
            ...d,
            status: suppressedBy > 0 ? 'suppressed' : !noise && d.count < 0.5 ? 'empty' : 'ok',
            suppressedBy,
            ...(countStd !== undefined
              ? { noise: { countStd, totalStd: Math.hypot(featureStd * featureNorm, countStd * bias) } }
              : {}),
          };
        });
        call.write({ jobId: job.id, round: a.round, stage: a.stage, values: [] });
      } catch (e) {
        call.write({ jobId: job.id, round: a.round, stage: a.stage, error: (e as Error).message });
      }
    });
    call.on('end', () => (answer ? resolve(answer) : reject(new Error(`job ${job.id} ended without scores`))));
    call.on('error', (e: Error & { code?: number }) => reject('code' in e ? client.errorOf(e as never) : e));
    call.write({ jobId: job.id, attach: true });
  }).finally(() => analyst.dispose());
  const finished = await client.watch(job.id);
  if (finished.status !== 'completed') throw new Error(`the score job ${finished.status}: ${finished.error}`);
  const count = segments.reduce((s, x) => s + x.count, 0);
  const total = segments.reduce((s, x) => s + x.total, 0);
  return { job: finished, segments, overall: { count, total, mean: count > 0.5 ? total / count : Number.NaN } };
}
