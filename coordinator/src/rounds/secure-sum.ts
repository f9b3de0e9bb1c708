import { randomBytes } from 'node:crypto';
import { stageName, tessera } from '@tessera/proto';
import {
  completeGraph,
  harary,
  SecAggError,
  ServerAdvertiseKeys,
  type ServerConsistencyCheck,
  type ServerUnmask,
} from '@tessera/secagg';
import type { ParticipantSession } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';
import type { UploadSlots } from '../service/upload-slots.js';
import { BfvAccumulator, ciphertextMaxBytes, bfvChunkCount, type BfvParameters } from '@tessera/he';
import {
  AdvertiseCollector,
  ConsistencyCollector,
  MaskedInputCollector,
  RejectionTally,
  SealedInputCollector,
  ShareKeysCollector,
  UnmaskCollector,
} from './secure-collectors.js';
import { runStage, type OwnersRefusal, type StageOutcome } from './stage.js';
import { PartialSums } from '../replicas/partial-sums.js';
import { uploadLink } from './upload-link.js';

const pb = tessera.v1;

export interface SecureSumRequest {
  jobId: string;
  round: number;
  attempt: number;
  /** What is summed: STATISTICS, FIT or EVALUATE. */
  computation: tessera.v1.Stage;
  sessions: readonly ParticipantSession[];
  identityKey: (participantId: string) => Uint8Array;
  /** Ring vector length every participant contributes. */
  dimension: number;
  threshold: number;
  /** Distributed DP: unmask only when at least this many masked inputs arrived (the survivor floor). */
  minSurvivors?: number;
  degree: number;
  complete: boolean;
  modulus: number;
  /** The computation's task for one participant (features, model length, standardisation...), without its ref. */
  task: (s: ParticipantSession) => tessera.v1.ITask;
  /** Quantisation of FIT updates. */
  codec?: { bits: number; clip: number; weightCap: number; noiseVariance?: number };
  /** Sent with the first step (the global model for FIT and EVALUATE). */
  model?: Float64Array;
  /**
   * Sealed mode: masked vectors arrive encrypted under the analyst's key and are summed as ciphertexts (modulus = plain
   * modulus).
   */
  sealed?: { params: BfvParameters; analystKey: Uint8Array; analystIdentity: Uint8Array; analystSignature: Uint8Array };
  deadlineMs: number;
  signal?: AbortSignal;
  /** Tells the job's watchers how far each step is (stageProgress), with the step's name. */
  progress?: (step: string) => ((settled: number, total: number) => void) | undefined;
  slots: UploadSlots;
}

export interface SecureSumOutcome {
  /** The unmasked sum of the survivors' vectors; absent when the round failed (and in sealed mode). */
  sum?: Uint32Array;
  /** Sealed mode: the encrypted sum of the survivors' vectors, masks removed; only the analyst can decrypt it. */
  sealedSum?: Uint8Array[];
  /** Participant ids whose inputs are in the sum. */
  survivors: string[];
  /** Participant ids that were asked but are not in the sum, with why. */
  failures: Map<string, string>;
  /** Of the failures, those that refused on their owners' terms (privacy, consent, query rules). */
  refusals: Map<string, OwnersRefusal>;
  /** Rejected messages by reason code. */
  rejected: Record<string, number>;
  /**
   * Seconds of each stage that ran, its server step included (the load harness reads them from the round's metrics):
   * secagg_advertise_seconds, secagg_share_keys_seconds, secagg_masked_input_seconds, secagg_consistency_seconds and
   * secagg_unmask_seconds (the unmask stage and the server's reconstruction of the sum).
   */
  stageSeconds?: Record<string, number>;
  reason?: string;
}

/**
 * One SecAgg+ round over the participant streams (Bonawitz et al. 2017; Bell et al. 2020):
 * AdvertiseKeys, ShareKeys, MaskedInput, ConsistencyCheck, Unmask, each a stage with its own deadline.
 * The coordinator holds only the server state: it sees masked vectors and learns only their sum.
 * Fewer than `threshold` participants at any step fails the round with no partial output.
 */
export async function runSecureSum(r: SecureSumRequest): Promise<SecureSumOutcome> {
  const accumulator = r.sealed
    ? new BfvAccumulator(r.sealed.params, bfvChunkCount(r.sealed.params, r.dimension))
    : undefined;
  try {
    return await secureSumRounds(r, accumulator);
  } finally {
    accumulator?.dispose();
  }
}

async function secureSumRounds(
  r: SecureSumRequest,
  accumulator: BfvAccumulator | undefined,
): Promise<SecureSumOutcome> {
  const sessions = [...r.sessions].sort((a, b) => a.participantId.localeCompare(b.participantId));
  const ids = sessions.map((s) => s.participantId);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const n = sessions.length;
  const roundId = new Uint8Array(randomBytes(32));
  const graphSeed = new Uint8Array(randomBytes(32));
  const graph = r.complete || r.degree >= n - 1 ? completeGraph(n) : harary(n, r.degree, graphSeed);
  const identityKeys = ids.map((id) => r.identityKey(id));
  // Each node's roster certificate as its hello carried it: nodes with a roster authority check them all.
  const rosterSignatures = sessions.map((s) => s.rosterSignature);
  const tally = new RejectionTally();
  const failures = new Map<string, string>();
  const refusals = new Map<string, OwnersRefusal>();
  const stageSeconds: Record<string, number> = {};
  let stageStart = performance.now();
  const timed = (name: string) => {
    const now = performance.now();
    stageSeconds[`secagg_${name}_seconds`] = (now - stageStart) / 1000;
    stageStart = now;
  };
  const fail = (reason: string): SecureSumOutcome => ({
    survivors: [],
    failures,
    refusals,
    rejected: tally.counts,
    stageSeconds,
    reason,
  });
  if (n < r.threshold) return fail(`${n} participants available, fewer than the threshold ${r.threshold}`);

  let advertise: ServerAdvertiseKeys;
  try {
    advertise = new ServerAdvertiseKeys({
      roundId,
      n,
      threshold: r.threshold,
      graph,
      modulus: r.modulus,
      dimension: r.dimension,
      identityKeys,
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  const key = (stage: tessera.v1.Stage): TaskKey => ({
    jobId: r.jobId,
    round: r.round,
    stage,
    computation: r.computation,
    attempt: r.attempt,
  });
  const index = (s: ParticipantSession) => indexOf.get(s.participantId)!;
  const stage = async <T>(
    sessionsIn: readonly ParticipantSession[],
    k: TaskKey,
    message: (s: ParticipantSession) => tessera.v1.ICoordinatorMessage,
    collector: Parameters<typeof runStage<T>>[0]['collector'],
    model?: Float64Array,
  ): Promise<StageOutcome<T>> => {
    const progress = r.progress?.(stageName(k.stage));
    const outcome = await runStage<T>({
      key: k,
      sessions: sessionsIn,
      deadlineMs: r.deadlineMs,
      ...(r.signal ? { signal: r.signal } : {}),
      ...(progress ? { onProgress: progress } : {}),
      request: (s) => ({ message: message(s), ...(model ? { model } : {}) }),
      collector,
    });
    for (const [id, why] of outcome.failures) {
      if (failures.has(id)) continue;
      failures.set(id, why);
      const kind = outcome.refusals.get(id);
      if (kind) refusals.set(id, kind);
    }
    return outcome;
  };
  const tooFew = (e: unknown) => (e instanceof SecAggError ? e.message : String(e));
  const bySession = (set: Iterable<number>) => {
    const keep = new Set(set);
    return sessions.filter((s) => keep.has(index(s)));
  };

  // 1. AdvertiseKeys: the task (and model) go out; each participant computes its contribution and advertises two keys.
  const k1 = key(pb.Stage.ADVERTISE_KEYS);
  await stage<true>(
    sessions,
    k1,
    (s) => ({
      task: {
        ...r.task(s),
        ref: k1,
        ...(r.sealed
          ? {
              analystKey: r.sealed.analystKey,
              analystIdentity: r.sealed.analystIdentity,
              analystSignature: r.sealed.analystSignature,
            }
          : {}),
        secure: {
          roundId,
          index: index(s),
          participantIds: ids,
          identityKeys,
          rosterSignatures,
          threshold: r.threshold,
          degree: graph.degree,
          graphSeed,
          modulus: r.modulus,
          computation: r.computation,
          ...(r.sealed
            ? {
                sealedDegree: r.sealed.params.polyModulusDegree,
                sealedCoeffBits: [...r.sealed.params.coeffModulusBits],
              }
            : {}),
          ...(r.codec
            ? {
                bits: r.codec.bits,
                clip: r.codec.clip,
                weightCap: r.codec.weightCap,
                noiseVariance: r.codec.noiseVariance ?? 0,
              }
            : {}),
        },
      },
    }),
    (s, settle) => new AdvertiseCollector(k1, settle, index(s), advertise, tally),
    r.model,
  );
  let shareKeys;
  try {
    shareKeys = advertise.close();
  } catch (e) {
    return fail(`advertise keys: ${tooFew(e)}`);
  }
  timed('advertise');

  // 2. ShareKeys: each advertiser gets its neighbours' keys and returns encrypted Shamir shares for them.
  const k2 = key(pb.Stage.SHARE_KEYS);
  await stage<true>(
    bySession(shareKeys.advertised),
    k2,
    (s) => {
      const keys = shareKeys.forwardedKeys(index(s));
      return {
        neighbourKeys: {
          task: k2,
          indices: keys.map((a) => a.index),
          keys: keys.map((a) => ({ encryptionKey: a.encryptionKey, maskingKey: a.maskingKey, signature: a.signature })),
        },
      };
    },
    (s, settle) => new ShareKeysCollector(k2, settle, index(s), shareKeys, tally),
  );
  let masked;
  try {
    masked = shareKeys.close();
  } catch (e) {
    return fail(`share keys: ${tooFew(e)}`);
  }
  timed('share_keys');

  // 3. MaskedInput: each sharer gets the shares addressed to it and uploads its masked vector, summed on arrival.
  const k3 = key(pb.Stage.MASKED_INPUT);
  // Participants whose streams other replicas hold: each such replica sums their masked vectors and sends one
  // partial sum (plaintext masked mode; sealed uploads are relayed whole). It sends what it has at 80% of
  // this stage's deadline (a wait, not a time of day: the replicas' clocks need not agree).
  const partials = accumulator
    ? undefined
    : new PartialSums(
        k3,
        bySession(masked.shared),
        index,
        { dimension: r.dimension, modulus: r.modulus, flushAfterMs: Math.floor(r.deadlineMs * 0.8) },
        masked,
      );
  await stage<true>(
    bySession(masked.shared),
    k3,
    (s) => ({
      shares: { task: k3, shares: masked.sharesFor(index(s)).map((x) => ({ peer: x.from, ciphertext: x.ciphertext })) },
    }),
    (s, settle) =>
      partials?.collectorFor(s, settle) ??
      (accumulator
        ? new SealedInputCollector(
            k3,
            settle,
            index(s),
            masked,
            {
              chunkCount: bfvChunkCount(r.sealed!.params, r.dimension),
              maxCiphertextBytes: ciphertextMaxBytes(r.sealed!.params),
            },
            (chunks) => accumulator.addVector(chunks),
            r.slots,
            uploadLink(s, k3),
            tally,
          )
        : new MaskedInputCollector(
            k3,
            settle,
            index(s),
            masked,
            r.dimension,
            r.modulus,
            r.slots,
            uploadLink(s, k3),
            tally,
          )),
  ).finally(() => partials?.close());
  let check: ServerConsistencyCheck;
  try {
    check = masked.close();
  } catch (e) {
    return fail(`masked input: ${tooFew(e)}`);
  }
  timed('masked_input');

  // 4. ConsistencyCheck: every survivor signs the survivor set it is shown (the same set for all).
  const request = check.consistencyRequest();
  if (request.survivors.length < (r.minSurvivors ?? 0)) {
    return fail(
      `${request.survivors.length} participants sent masked inputs, ` +
        `fewer than the survivor floor ${r.minSurvivors} the noise shares are sized for (privacy.survivorFloor); ` +
        'nothing was unmasked or released',
    );
  }
  const k4 = key(pb.Stage.CONSISTENCY_CHECK);
  await stage<true>(
    bySession(request.survivors),
    k4,
    () => ({ consistencyCheck: { task: k4, survivors: [...request.survivors], dropped: [...request.dropped] } }),
    (s, settle) => new ConsistencyCollector(k4, settle, index(s), check, tally),
  );
  let unmask: ServerUnmask;
  try {
    unmask = check.close();
  } catch (e) {
    return fail(`consistency check: ${tooFew(e)}`);
  }
  timed('consistency');

  // 5. Unmask: each signer gets its neighbours' signatures, checks them, and reveals self-mask shares of the
  // survivors and masking-key shares of the dropped.
  const k5 = key(pb.Stage.UNMASK);
  await stage<true>(
    bySession(unmask.signers),
    k5,
    (s) => ({
      unmaskRequest: {
        task: k5,
        signatures: unmask.unmaskRequest(index(s)).signatures.map((x) => ({ ...x })),
      },
    }),
    (s, settle) => new UnmaskCollector(k5, settle, index(s), unmask, tally),
  );
  let result: { sum: Uint32Array } | { sealedSum: Uint8Array[] };
  try {
    if (accumulator) {
      // Sealed: the server computes the masks' total and removes it from the ciphertext sum as a plaintext.
      accumulator.subtractPlainVector(unmask.maskCorrection());
      result = { sealedSum: accumulator.result() };
    } else {
      result = { sum: unmask.finish() };
    }
  } catch (e) {
    return fail(`unmask: ${tooFew(e)}`);
  }
  timed('unmask');

  const idAt = (i: number): string => {
    const id = ids[i];
    if (id === undefined)
      throw new Error(`secure aggregation: participant index ${i} is outside the round's ${ids.length}`);
    return id;
  };
  const survivors = request.survivors.map(idAt);
  for (const id of survivors) {
    failures.delete(id);
    refusals.delete(id);
  }
  for (const i of request.dropped)
    if (!failures.has(idAt(i))) failures.set(idAt(i), 'dropped before sending its masked input');
  return { ...result, survivors, failures, refusals, rejected: tally.counts, stageSeconds };
}
