import { loadSeal, ScoringAnalyst } from '@tessera/he';
import type { tessera } from '@tessera/proto';
import type { AnalystClient, JobView } from '../analyst.js';
import type { ModelFile } from '../model-file.js';

export interface EncryptedScoreOptions {
  dataset: string;
  /** Group rows by this column; `segments` lists the values to report (declared up front). */
  segmentBy?: string;
  segments?: string[];
  minParticipants?: number;
  roundTimeoutSeconds?: number;
  onProgress?: (message: string) => void;
}

export interface SegmentScore {
  segment: string;
  /** Rows scored (decrypted from the encrypted sum; a CKKS approximation of an integer). */
  count: number;
  total: number;
  /** Mean linear score (the model's log-odds before the sigmoid). */
  mean: number;
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
  };
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
        answer = names.map((segment, i) => ({
          segment,
          ...analyst.decrypt({ score: a.chunks[2 * i]!, count: a.chunks[2 * i + 1]! }),
        }));
        call.write({ jobId: job.id, round: a.round, stage: a.stage, values: [] });
      } catch (e) {
        call.write({ jobId: job.id, round: a.round, stage: a.stage, error: (e as Error).message });
      }
    });
    call.on('end', () => (answer ? resolve(answer) : reject(new Error(`job ${job.id} ended without scores`))));
    call.on('error', (e: Error & { code?: number }) => reject('code' in e ? client.errorOf(e as never) : e));
    call.write({ jobId: job.id, attach: true });
  });
  const finished = await client.watch(job.id);
  if (finished.status !== 'completed') throw new Error(`the score job ${finished.status}: ${finished.error}`);
  const count = segments.reduce((s, x) => s + x.count, 0);
  const total = segments.reduce((s, x) => s + x.total, 0);
  return { job: finished, segments, overall: { count, total, mean: count > 0.5 ? total / count : Number.NaN } };
}
