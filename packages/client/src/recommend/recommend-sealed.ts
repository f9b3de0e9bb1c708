// The analyst's side of a sealed recommend job: decrypt each round's summed item update, apply it to the item factors
// the coordinator sent, and answer with the next item model; for the evaluation, answer with its four counts.
import { decodeWideSum, WIDE_DIGITS } from '@tessera/fl';
import type { BfvDecryptor } from '@tessera/he';
import {
  evaluationCounts,
  RECOMMEND_FRACTION_BITS,
  recommendEvaluationLength,
  recommendUpdateLength,
  type RecommendJobSpec,
} from '@tessera/jobs';
import { algorithmFromSpec, itemModelVector, itemsFromModelVector } from '@tessera/recommend';
import type { AnalystKeys } from '../sealed/analyst-keys.js';
import type { tessera } from '@tessera/proto';
import { sealedReply } from '../sealed/sealed-reply.js';
import { checkSurvivors, ownDecoding, wideDecodingOf } from '../sealed/spec-decoding.js';

type SealedAggregateMessage = tessera.v1.ISealedAggregate;
type SealedReplyMessage = tessera.v1.ISealedReply;

/** The coordinator's stage of a training round's item update, and of the evaluation after the last round. */
export const RECOMMEND_STAGES = { train: 'recommend', evaluate: 'evaluate' } as const;

function decodeJsonOf(aggregate: SealedAggregateMessage): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(aggregate.decodeJson || '');
  } catch {
    throw new Error('decode_json is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('decode_json must be a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * Decrypts and decodes one sealed aggregate of a recommend job, as the analyst's own spec says (a coordinator whose
 * decode_json asks for another phase, algorithm, k, catalogue length or ring is refused): for stage 'recommend' the
 * next item model, itemModelVector(applyItemUpdate(items, sum), true) where items is the model the aggregate carries;
 * for stage 'evaluate' [customers, hits, NDCG sum, covered items]. A reply with `error` when it cannot be used.
 */
export function answerRecommendAggregate(
  aggregate: SealedAggregateMessage,
  keys: AnalystKeys,
  spec: RecommendJobSpec,
  jobId: string,
  session: { decryptor?: BfvDecryptor } = {},
): SealedReplyMessage {
  const round = aggregate.round ?? 0;
  const stage = aggregate.stage ?? '';
  return sealedReply(aggregate, keys, jobId, session, (decrypt) => {
    const phase =
      stage === RECOMMEND_STAGES.train ? 'train' : stage === RECOMMEND_STAGES.evaluate ? 'evaluate' : undefined;
    if (!phase) throw new Error(`unknown stage "${stage}" of a recommend job (expected recommend or evaluate)`);
    if (phase === 'train' && !(round >= 1 && round <= spec.rounds))
      throw new Error(`round ${round} is not one of the job's ${spec.rounds} rounds`);
    const survivors = aggregate.survivors ?? 0;
    checkSurvivors(survivors, { minParticipants: spec.minParticipants }, `${stage} aggregate`);
    const count = spec.catalogue.items.length;
    const { algorithm, k } = spec.model;
    const how = decodeJsonOf(aggregate);
    const plainModulus = keys.sealedParams.plainModulus;
    ownDecoding(
      { phase: how.phase, algorithm: how.algorithm, k: how.k, items: how.items },
      { phase, algorithm, k, items: count },
      'phase/algorithm/k/items',
    );
    const wide = ownDecoding(how.wide, wideDecodingOf(plainModulus, RECOMMEND_FRACTION_BITS), 'wide');
    const values = phase === 'train' ? recommendUpdateLength(algorithm, count, k) : recommendEvaluationLength(count);
    if ((aggregate.length ?? 0) !== values * WIDE_DIGITS)
      throw new Error(
        `the ${stage} aggregate has length ${aggregate.length}, not the ${values * WIDE_DIGITS} words of ` +
          `${values} values the job spec implies`,
      );
    // Before decrypting: the model the sum is applied to must be the job's shape.
    const items =
      phase === 'train' ? itemsFromModelVector(Float64Array.from(aggregate.model ?? []), count, k) : undefined;
    const sum = decodeWideSum(decrypt(values * WIDE_DIGITS), survivors, wide);
    if (items) {
      const next = itemModelVector(algorithmFromSpec(spec.model).applyItemUpdate(items, sum), true);
      for (let i = 0; i < next.length; i++)
        if (!Number.isFinite(next[i]!)) throw new Error(`the next item model has a non-finite value at index ${i}`);
      return next;
    }
    return evaluationCounts(sum, count);
  });
}
