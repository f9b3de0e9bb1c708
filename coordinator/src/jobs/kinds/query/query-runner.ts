import { decodeResult, type QueryPlan, type QueryResult } from '@tessera/analytics';
import {
  survivorFloor,
  decodeFixedPoint,
  decodeWideSum,
  DEFAULT_WIDE,
  fixedPointSensitivity,
  largestRecordLevel,
  WIDE_DIGITS,
} from '@tessera/fl';
import { chooseParameters } from '@tessera/secagg';
import { addDiscreteGaussianNoise } from '@tessera/dp';
import { systemRandom } from '@tessera/crypto';
import { declaredQueryToProto, privacyModes, privacyUnits, tessera } from '@tessera/proto';
import { runSecureSum } from '../../../rounds/secure-sum.js';
import type { SessionRegistry } from '../../../service/registry.js';
import type { UploadSlots } from '../../../service/upload-slots.js';
import type { JobRecord, Store } from '../../../store/store.js';
import { identityKeysOf } from '../../identity-keys.js';
import type { JobEvents } from '../../job-events.js';
import type { JobContext } from '../../job-context.js';
import type { SealedExchange } from '../../../service/sealed-exchange.js';
import { loadSeal } from '@tessera/he';
import { OneRoundRunner } from '../../one-round-runner.js';
import { sealedRoundOf, type SealedRound } from '../../sealed-round.js';
import { shareVarianceOf } from '../../job-privacy.js';
import {
  exactFractionBits,
  parseQuerySpec,
  QUERY_MAX_RECORDS,
  queryNoiseCalibration,
  type QueryCalibration,
  type QuerySpec,
  valuationPlan,
} from '@tessera/jobs';
import type { JobValuation } from '@tessera/payouts';
import { decodeValuation, resultValuationOf, type ResultValuation } from './query-valuation.js';

// Shared with participants and analysts, which derive the exact encoding from the signed spec.
export { exactFractionBits, QUERY_MAX_RECORDS };

const pb = tessera.v1;

/** The dropout and collusion assumptions of query rounds (QuerySpec.secure); they size the noise shares. */
const QUERY_SECURE = { dropoutRate: 0.1, corruptFraction: 0.1 };

/** Noise of a private query in raw units per coordinate, and the fixed-point level participants encode at. */
export interface QueryNoise {
  level: number;
  totalVariance: number;
  shareVariance: number;
  noiseMultiplier: number;
  /** Which calibration gave the noise multiplier (the smaller of the analytic Gaussian and the RDP conversion). */
  calibration: QueryCalibration['method'];
}

/** What a query result says about its privacy: the guarantee (epsilon, delta, mode) and the unit it covers. */
export interface QueryPrivacy {
  epsilon: number | null;
  delta: number | null;
  mode: string;
  noiseMultiplier?: number;
  /**
   * The unit the guarantee covers: one row, or one customer (at most maxRowsPerUser rows per userColumn value). Absent
   * without DP.
   */
  unit?: 'record' | 'customer';
  userColumn?: string;
  maxRowsPerUser?: number;
  /** How the noise was calibrated for this single release (epsilon is what it guarantees). */
  calibration?: QueryCalibration['method'];
}

/** The privacy statement of a result: what the spec asked for and the calibration delivered. */
export function queryPrivacyOf(privacy: QuerySpec['privacy'], noise: QueryNoise | undefined): QueryPrivacy {
  if (!noise || privacy.mode === 'none') return { epsilon: null, delta: null, mode: 'none' };
  return {
    epsilon: privacy.epsilon,
    delta: privacy.delta,
    mode: privacy.mode,
    noiseMultiplier: noise.noiseMultiplier,
    unit: privacy.unit ?? 'record',
    ...(privacy.unit === 'customer'
      ? { userColumn: privacy.userColumn!, maxRowsPerUser: privacy.maxRowsPerUser! }
      : {}),
    calibration: noise.calibration,
  };
}

/**
 * The noise of a private query: z for one release at (epsilon, delta) (the analytic Gaussian, or the
 * RDP conversion where smaller: queryNoiseCalibration), discrete Gaussian of standard deviation
 * z x (level x sensitivity + sqrt(length)) in fixed-point units on the sum, where the sensitivity
 * is the plan's unit's (a record's, or maxRowsPerUser records' for unit customer); added by the
 * coordinator (central), as threshold shares (distributed) or whole by each participant (local).
 */
export function queryNoise(
  plan: QueryPlan,
  privacy: Pick<QuerySpec['privacy'], 'mode' | 'epsilon' | 'delta'>,
  participants: number,
): QueryNoise | undefined {
  if (privacy.mode === 'none') return undefined;
  const calibration = queryNoiseCalibration(privacy);
  const z = calibration.noiseMultiplier;
  const spread = privacy.mode === 'local' ? Math.sqrt(participants) : 1;
  const S = plan.sensitivity,
    len = plan.length;
  const level = Math.min(
    2 ** 24,
    largestRecordLevel(participants * QUERY_MAX_RECORDS, 2 ** 32, {
      perLevel: spread * z * S,
      fixed: spread * z * Math.sqrt(len),
    }),
  );
  if (level < 1) throw new Error(`${participants} participants leave no room for the query's noise in the 32-bit ring`);
  const sigma = z * fixedPointSensitivity(level, S, len);
  const totalVariance = sigma * sigma;
  return {
    level,
    totalVariance,
    shareVariance:
      privacy.mode === 'central'
        ? 0
        : shareVarianceOf(privacy.mode, totalVariance, {
            n: participants,
            dropoutRate: QUERY_SECURE.dropoutRate,
            corruptFraction: QUERY_SECURE.corruptFraction,
          }),
    noiseMultiplier: z,
    calibration: calibration.method,
  };
}

/**
 * A noisy fixed-point sum back in raw units, with the noise standard deviation of every coordinate
 * (the survivors' shares, or the coordinator's whole noise in central mode; central noise is added here).
 */
export function decodeNoisySum(
  plan: QueryPlan,
  sum: Uint32Array,
  noise: QueryNoise,
  mode: QuerySpec['privacy']['mode'],
  survivors: number,
): { values: Float64Array; noiseStd: Float64Array } {
  if (mode === 'central')
    addDiscreteGaussianNoise(sum, BigInt(Math.ceil(noise.totalVariance)), 2 ** 32, systemRandom());
  const normalised = decodeFixedPoint(sum, noise.level, 2 ** 32);
  const variance = mode === 'central' ? noise.totalVariance : noise.shareVariance * survivors;
  const stdNormalised = Math.sqrt(variance) / noise.level;
  if (normalised.length !== plan.scale.length) {
    throw new Error(`the query sum has ${normalised.length} values, the plan ${plan.scale.length}`);
  }
  return { values: normalised.map((v, i) => v * plan.scale[i]!), noiseStd: plan.scale.map((sc) => stdNormalised * sc) };
}

/** A query's outcome: the decoded result (none when sealed), the survivors, and the valuation when the spec asks. */
interface QueryOutcome {
  result?: QueryResult & { privacy: QueryPrivacy; valuation?: ResultValuation };
  contributors: string[];
  valuation?: JobValuation;
}

/**
 * Runs an analytics job: every participant serving the query's table evaluates it locally into
 * a fixed-shape vector (exact wide fixed point without DP; normalised fixed point with its noise
 * share under DP), the vectors are summed by SecAgg+, and the sum is decoded into estimates with
 * their noise standard deviation and 95% intervals; small groups are suppressed.
 */
export class QueryRunner extends OneRoundRunner {
  private readonly spec: QuerySpec;
  private readonly plan: QueryPlan;
  private readonly sealedKey: SealedRound | undefined;

  constructor(
    job: JobRecord,
    store: Store,
    private readonly registry: SessionRegistry,
    private readonly slots: UploadSlots,
    events: JobEvents,
    private readonly exchange: SealedExchange,
  ) {
    super(job, store, events, exchange);
    ({ spec: this.spec, plan: this.plan } = parseQuerySpec(JSON.parse(job.specJson)));
    if (this.spec.secure.mode === 'sealed') {
      const sealed = job.contextJson ? (JSON.parse(job.contextJson) as JobContext).sealed : undefined;
      if (!sealed) throw new Error(`sealed query ${job.id} has no analyst key`);
      this.sealedKey = sealedRoundOf(sealed);
    }
  }

  protected async runRound(): Promise<{ message: string; context?: object }> {
    if (this.sealedKey) await loadSeal();
    const { result, contributors, valuation } = await this.query();
    if (!result)
      return {
        message: 'completed: the analyst decrypted the result (sealed: the coordinator kept none)',
        context: { contributors },
      };
    const suppressed = result.suppressed ? `, ${result.suppressed} suppressed` : '';
    return {
      message: `completed: ${result.rows.length} group(s)${suppressed}`,
      context: { result, contributors, ...(valuation ? { valuation } : {}) },
    };
  }

  /** The decoded result (none in sealed mode, where only the analyst decodes it), the survivors and the valuation. */
  private async query(): Promise<QueryOutcome> {
    const s = this.spec;
    const sessions = await this.servingParticipants(this.registry, s);
    const n = sessions.length;
    const keys = await identityKeysOf(
      this.store,
      sessions.map((x) => x.participantId),
    );
    // t for a malicious coordinator (2t - 1 > k + colluding neighbours), raised to minParticipants.
    const p = chooseParameters({
      n,
      dropoutRate: s.secure.dropoutRate,
      corruptFraction: s.secure.corruptFraction,
      minThreshold: Math.max(2, Math.min(s.minParticipants, n)),
    });
    const { threshold } = p;
    // With valuation: every member's row counts per group in slots of its own after the report, in one release.
    const cohort = sessions.map((x) => x.participantId);
    const extended = s.valuation === 'records' ? valuationPlan(this.plan, cohort.length) : undefined;
    const joint = extended ?? this.plan;
    const noise = queryNoise(joint, s.privacy, n);
    const dimension = noise ? joint.length : joint.length * WIDE_DIGITS;
    const started = performance.now();
    // Without DP the sums travel exactly in wide fixed point, with as many fraction bits as the largest possible total
    // leaves.
    const fractionBits = exactFractionBits(this.plan);
    // The plan's unit is the ledger's: a customer-level guarantee implies the record-level one at the same epsilon
    // (the query's own unit travels in QueryTask.unit).
    const privacyPlan: tessera.v1.IPrivacyPlan | undefined =
      noise && s.privacy.mode !== 'none'
        ? {
            mode: privacyModes.toProto(s.privacy.mode),
            unit: privacyUnits.toProto('record'),
            noiseMultiplier: noise.noiseMultiplier,
            sampleRate: 1,
            rounds: 0,
            fullReleases: 1,
            epsilon: s.privacy.epsilon,
            delta: s.privacy.delta,
          }
        : undefined;
    const query: tessera.v1.IQueryTask = {
      ...declaredQueryToProto({ sql: s.sql, options: s.options, unit: this.plan.unit }),
      ...(noise ? { dpLevel: noise.level } : { wideFractionBits: fractionBits }),
      maxRecords: QUERY_MAX_RECORDS,
      ...(extended ? { valuationSlots: cohort } : {}),
    };
    const modulus = this.sealedKey ? Number(this.sealedKey.params.plainModulus) : 2 ** 32;
    const outcome = await runSecureSum({
      jobId: this.jobId,
      round: 1,
      attempt: 1,
      computation: pb.Stage.QUERY,
      sessions,
      dimension,
      threshold,
      degree: p.degree,
      complete: p.complete,
      modulus,
      ...(s.privacy.mode === 'distributed' ? { minSurvivors: survivorFloor({ n, ...QUERY_SECURE }) } : {}),
      ...(this.sealedKey ? { sealed: this.sealedKey } : {}),
      task: () => ({
        ...this.analystField(),
        dataset: s.dataset,
        deadlineUnixMs: Date.now() + s.roundTimeoutSeconds * 1000,
        query,
        ...(privacyPlan ? { privacyPlan } : {}),
      }),
      identityKey: (id) => keys.get(id)!,
      codec: {
        bits: 0,
        clip: 0,
        weightCap: 0,
        ...(noise && noise.shareVariance > 0 ? { noiseVariance: noise.shareVariance } : {}),
      },
      deadlineMs: s.roundTimeoutSeconds * 1000,
      signal: this.abort.signal,
      slots: this.slots,
    });
    const seconds = (performance.now() - started) / 1000;
    const dropped = [...outcome.failures.keys()];
    await this.noteRefusals('query', outcome);
    if ((!outcome.sum && !outcome.sealedSum) || outcome.survivors.length < Math.min(s.minParticipants, n)) {
      const why =
        outcome.reason ?? `${outcome.survivors.length} survivors, fewer than minParticipants = ${s.minParticipants}`;
      const reason =
        `secure aggregation failed: ${why}` +
        (dropped.length ? ` (${[...outcome.failures].map(([id, why]) => `${id}: ${why}`).join('; ')})` : '');
      await this.store.addRound({
        jobId: this.jobId,
        round: 1,
        stage: 'query',
        attempt: 1,
        status: 'failed',
        contributors: outcome.survivors.length,
        dropped,
        metrics: {},
        seconds,
        error: reason,
        finishedAt: Date.now(),
      });
      throw new Error(reason);
    }
    if (outcome.sealedSum) {
      await this.store.addRound({
        jobId: this.jobId,
        round: 1,
        stage: 'query',
        attempt: 1,
        status: 'completed',
        contributors: outcome.survivors.length,
        dropped,
        metrics: { threshold, degree: p.degree },
        seconds,
        error: '',
        finishedAt: Date.now(),
      });
      await this.exchange.request(
        {
          jobId: this.jobId,
          round: 1,
          stage: 'query',
          length: dimension,
          chunks: outcome.sealedSum,
          survivors: outcome.survivors.length,
          decodeJson: JSON.stringify({ wide: { ...DEFAULT_WIDE, fractionBits, modulus } }),
        },
        this.abort.signal,
        { what: 'the result', publish: (m) => this.events.publish(this.jobId, m) },
      );
      return { contributors: outcome.survivors };
    }
    const sum = outcome.sum!;
    const { values, noiseStd } = noise
      ? decodeNoisySum(joint, sum, noise, s.privacy.mode, outcome.survivors.length)
      : { values: decodeWideSum(sum, outcome.survivors.length, { ...DEFAULT_WIDE, fractionBits }), noiseStd: 0 };
    const L = this.plan.length;
    const result = decodeResult(
      this.plan,
      values.subarray(0, L),
      typeof noiseStd === 'number' ? noiseStd : noiseStd.subarray(0, L),
    );
    const valuation = extended
      ? decodeValuation(
          extended,
          values,
          typeof noiseStd === 'number' ? noiseStd : (noiseStd[L] ?? 0),
          cohort,
          outcome.survivors,
          s.privacy,
        )
      : undefined;
    await this.store.addRound({
      jobId: this.jobId,
      round: 1,
      stage: 'query',
      attempt: 1,
      status: 'completed',
      contributors: outcome.survivors.length,
      dropped,
      metrics: {
        threshold,
        degree: p.degree,
        ...(noise ? { epsilon: s.privacy.epsilon, noise_multiplier: noise.noiseMultiplier } : {}),
      },
      seconds,
      error: '',
      finishedAt: Date.now(),
    });
    return {
      result: {
        ...result,
        privacy: queryPrivacyOf(s.privacy, noise),
        ...(valuation ? { valuation: resultValuationOf(valuation) } : {}),
      },
      contributors: outcome.survivors,
      ...(valuation ? { valuation } : {}),
    };
  }
}
