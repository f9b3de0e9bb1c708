/**
 * The analyst's side of sealed mode: attach to a job, decrypt each encrypted aggregate the
 * coordinator sends, decode it and answer with what the job needs to go on (the standardisation
 * after the statistics stage, the next global model after each fit round).
 */
import type * as grpc from '@grpc/grpc-js';
import { isRecommendSpec, parseJobSpec, parseRecommendSpec } from '@tessera/jobs';
import {
  createStrategy,
  decodeWideSum,
  WIDE_DIGITS,
  summedUpdatesFrom,
  type Strategy,
  type SumDecoding,
  wideCodecOf,
} from '@tessera/fl';
import type { BfvDecryptor } from '@tessera/he';
import { standardisationFrom } from '@tessera/ml';
import type { tessera } from '@tessera/proto';
import type { StrategySection } from '@tessera/jobs';
import { CoordinatorError, isFinalStatus, sealedSpec, type AnalystClient } from '../analyst.js';
import type { AnalystKeys } from './analyst-keys.js';
import { answerRecommendAggregate } from '../recommend/recommend-sealed.js';
import { sealedReply } from './sealed-reply.js';
import { checkSurvivors, fitDecodingOf, ownDecoding, wideDecodingOf, type DecodingSpec } from './spec-decoding.js';

/**
 * What of a job's (normalised) spec the analyst needs to aggregate as the coordinator would, and to decode only as
 * the spec says: with `secure` (a whole JobSpec has it), the decoding comes from the spec and a coordinator's
 * decode_json that differs is refused; a sum of fewer than minParticipants (or privacy.survivorFloor) is refused.
 */
export interface SealedJobSpec extends DecodingSpec {
  /** The strategy and its own options (serverMomentum, proximalMu, beta1, beta2, tau), as a JobSpec has them. */
  strategy: StrategySection;
  minParticipants: number;
  seed?: string | number;
}

/** The aggregate as it arrives (tessera.v1.SealedAggregate). */
export type SealedAggregateMessage = tessera.v1.ISealedAggregate;
/** The answer (tessera.v1.SealedReply). */
export type SealedReplyMessage = tessera.v1.ISealedReply;

/** The strategy the coordinator would use for the job, built exactly as the coordinator builds it. */
export function strategyForJob(spec: SealedJobSpec, jobId: string): Strategy {
  return createStrategy({
    ...spec.strategy,
    minFitParticipants: spec.minParticipants,
    ...(spec.seed !== undefined ? { seed: `${spec.seed}/${jobId}` } : {}),
  });
}

/**
 * Reusable state between aggregates of one job (a decryptor, the strategy); `answerAggregate` makes its own without it.
 */
export interface SealedSession {
  decryptor?: BfvDecryptor;
  strategy?: Strategy;
}

function decodeJsonOf(aggregate: SealedAggregateMessage): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(aggregate.decodeJson || '');
  } catch {
    throw new Error(`decode_json is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('decode_json must be a JSON object');
  return parsed as Record<string, unknown>;
}

function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i])) throw new Error(`${what} has a non-finite value at index ${i}`);
}

/** The wide codec of a statistics sum: the spec's (the default fraction bits, the analyst's ring) when it has one. */
function statisticsCodec(aggregate: SealedAggregateMessage, spec: SealedJobSpec, plainModulus: number) {
  const how = decodeJsonOf(aggregate);
  const wide = spec.secure
    ? ownDecoding(how.wide, wideDecodingOf(plainModulus), 'wide')
    : wideCodecOf(how.wide, 'decode_json.wide');
  const d = how.features;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1)
    throw new Error(`decode_json.features must be a positive integer, got ${JSON.stringify(d)}`);
  if ((aggregate.length ?? 0) !== (2 * d + 1) * WIDE_DIGITS)
    throw new Error(
      `the statistics aggregate has length ${aggregate.length}, not the ${(2 * d + 1) * WIDE_DIGITS} ` +
        `of ${d} features (decode_json.features)`,
    );
  return { wide, d };
}

function statisticsValues(sum: Uint32Array, codec: ReturnType<typeof statisticsCodec>, survivors: number): number[] {
  const { wide, d } = codec;
  const stats = decodeWideSum(sum, survivors, wide);
  if (stats.length !== 2 * d + 1)
    throw new Error(
      `the statistics aggregate decodes to ${stats.length} values, expected ${2 * d + 1} for ${d} features`,
    );
  const count = stats[0]!; // the length is 2d + 1 >= 1 (checked above)
  const s = standardisationFrom({ count, sum: stats.slice(1, d + 1), sumSquares: stats.slice(d + 1) });
  const values = [count, ...s.mean, ...s.std];
  checkFinite(values, 'the standardisation');
  return values;
}

/** The decoding of a fit sum: the spec's update codec in the analyst's ring when it has one, else decode_json's. */
function fitDecoding(aggregate: SealedAggregateMessage, spec: SealedJobSpec, plainModulus: number): SumDecoding {
  const how = decodeJsonOf(aggregate);
  const own = fitDecodingOf(spec, plainModulus);
  if (own) return ownDecoding(how.decoding, own, 'decoding');
  const decoding = how.decoding as SumDecoding | undefined;
  if (typeof decoding !== 'object' || decoding === null || (decoding.kind !== 'update' && decoding.kind !== 'record')) {
    throw new Error('decode_json.decoding must be a sum decoding {kind: "update" | "record", codec, ...}');
  }
  return decoding;
}

function fitValues(
  sum: Uint32Array,
  aggregate: SealedAggregateMessage,
  decoding: SumDecoding,
  survivors: number,
  strategy: Strategy,
): number[] {
  const global = Float64Array.from(aggregate.model ?? []);
  if (global.length === 0) throw new Error('the fit aggregate carries no model');
  const next = strategy.aggregateFit(aggregate.round ?? 0, global, summedUpdatesFrom(sum, decoding, global, survivors));
  if (next.length !== global.length)
    throw new Error(`the next model has ${next.length} values, the round's model ${global.length}`);
  checkFinite(next, 'the next model');
  return [...next];
}

/**
 * Decrypts and decodes one sealed aggregate and returns the reply: for 'statistics'
 * [count, mean_1..d, std_1..d], for 'fit' the next global model. When the aggregate cannot be
 * used (decryption refused, noise budget exhausted, a malformed decoding) the reply carries
 * `error` instead of values. Pure apart from SEAL: no network.
 */
export function answerAggregate(
  aggregate: SealedAggregateMessage,
  keys: AnalystKeys,
  spec: SealedJobSpec,
  jobId: string,
  session: SealedSession = {},
): SealedReplyMessage {
  return sealedReply(aggregate, keys, jobId, session, (decrypt) => {
    const stage = aggregate.stage ?? '';
    if (stage !== 'statistics' && stage !== 'fit')
      throw new Error(`unknown stage "${stage}" (expected statistics or fit)`);
    const survivors = aggregate.survivors ?? 0;
    if (!(survivors >= 1)) throw new Error('the aggregate has no survivors');
    // Before decrypting: enough survivors, and a decoding the spec implies (the coordinator directs neither).
    checkSurvivors(survivors, spec, `${stage} aggregate`);
    const length = aggregate.length ?? 0;
    if (!(length >= 1)) throw new Error('the aggregate has length 0');
    const plainModulus = keys.sealedParams.plainModulus;
    const how =
      stage === 'statistics'
        ? { stage, codec: statisticsCodec(aggregate, spec, plainModulus) }
        : { stage, decoding: fitDecoding(aggregate, spec, plainModulus) };
    const sum = decrypt(length);
    return how.stage === 'statistics'
      ? statisticsValues(sum, how.codec!, survivors)
      : fitValues(sum, aggregate, how.decoding!, survivors, session.strategy ?? strategyForJob(spec, jobId));
  });
}

export interface AttachSealedOptions {
  /**
   * The analyst's own copy of the job spec (as submitted: an object or its JSON text). The aggregates are checked and
   * decoded against it; without it, against the spec the coordinator shows for the job.
   */
  spec?: object | string;
  /** Called after each aggregate was answered (error: the reason the analyst refused it). */
  onAggregate?(round: number, stage: string, error?: string): void;
  /** Keep re-attaching after a lost connection for this long (default 60 s). */
  reconnectForMs?: number;
  /** Stops attaching (the coordinator then waits for another attach). */
  signal?: AbortSignal;
}

const RETRYABLE = new Set(['UNAVAILABLE', 'CANCELLED', 'INTERNAL', 'UNKNOWN']);

/**
 * Attaches to a sealed job and answers its aggregates until the job ends (completed, failed or
 * cancelled); resolves then. Re-attaches after a lost connection (the coordinator re-sends the
 * pending aggregate) until `reconnectForMs` passes without one.
 */
export async function attachSealed(
  client: AnalystClient,
  jobId: string,
  keys: AnalystKeys,
  opts: AttachSealedOptions = {},
): Promise<void> {
  const view = await client.get(jobId);
  if (isFinalStatus(view.status)) return;
  // The analyst's own copy, as submitted with sealed keys (secure.mode sealed added when it was left out).
  const own = typeof opts.spec === 'string' ? (JSON.parse(opts.spec) as object) : opts.spec;
  const raw = own === undefined ? view.spec : sealedSpec(own);
  // A recommend job's aggregates are its rounds' item updates and its evaluation (answerRecommendAggregate).
  const recommend = isRecommendSpec(raw) ? parseRecommendSpec(raw) : undefined;
  const spec = recommend ?? parseJobSpec(raw);
  if (spec.secure.mode !== 'sealed')
    throw new CoordinatorError(
      'FAILED_PRECONDITION',
      `job ${jobId} is not a sealed job (secure.mode is ${spec.secure.mode})`,
    );
  const session: SealedSession = {
    decryptor: keys.decryptor(),
    ...(recommend ? {} : { strategy: strategyForJob(spec as SealedJobSpec, jobId) }),
  };
  const answer = (a: SealedAggregateMessage) =>
    recommend
      ? answerRecommendAggregate(a, keys, recommend, jobId, session)
      : answerAggregate(a, keys, spec as SealedJobSpec, jobId, session);
  const reconnectForMs = opts.reconnectForMs ?? 60_000;
  let deadline = Date.now() + reconnectForMs;
  let lastError: Error | undefined;
  try {
    for (;;) {
      if (opts.signal?.aborted) return;
      try {
        await attachOnce(client, jobId, answer, opts, () => {
          deadline = Date.now() + reconnectForMs;
        });
      } catch (e) {
        lastError = e as Error;
        if (!(e instanceof CoordinatorError) || !RETRYABLE.has(e.code)) throw e;
      }
      if (opts.signal?.aborted) return;
      // The coordinator ends the stream when the job ends; anything else was a lost connection.
      try {
        if (isFinalStatus((await client.get(jobId)).status)) return;
      } catch (e) {
        lastError = e as Error;
        if (!(e instanceof CoordinatorError) || !RETRYABLE.has(e.code)) throw e;
      }
      if (Date.now() > deadline)
        throw lastError ?? new CoordinatorError('UNAVAILABLE', `lost the sealed attachment to job ${jobId}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    session.decryptor?.dispose();
  }
}

function attachOnce(
  client: AnalystClient,
  jobId: string,
  answer: (aggregate: SealedAggregateMessage) => SealedReplyMessage,
  opts: AttachSealedOptions,
  alive: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const call: grpc.ClientDuplexStream<SealedReplyMessage, tessera.v1.SealedAggregate> = client.attachSealedStream();
    const onAbort = () => call.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (f: () => void) => {
      opts.signal?.removeEventListener('abort', onAbort);
      f();
    };
    call.on('data', (aggregate: tessera.v1.SealedAggregate) => {
      alive();
      const reply = answer(aggregate);
      call.write(reply);
      opts.onAggregate?.(reply.round ?? 0, reply.stage ?? '', reply.error || undefined);
    });
    call.on('error', (e: grpc.ServiceError) =>
      done(() => (opts.signal?.aborted ? resolve() : reject(client.errorOf(e)))),
    );
    call.on('end', () =>
      done(() => {
        call.end();
        resolve();
      }),
    );
    call.write({ jobId, attach: true });
    alive();
  });
}
