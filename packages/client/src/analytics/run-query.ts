import { decodeResult, parseQuery, planQuery } from '@tessera/analytics';
import { decodeWideSum } from '@tessera/fl';
import { exactFractionBits } from '@tessera/jobs';
import { queryResultOf, type QueryJobResult } from './query-result.js';
import type { tessera } from '@tessera/proto';
import type { AnalystClient, JobView } from '../analyst.js';
import type { AnalystKeys } from '../sealed/analyst-keys.js';
import { checkSurvivors, ownDecoding, wideDecodingOf } from '../sealed/spec-decoding.js';

export interface QueryRequest {
  sql: string;
  bounds?: Record<string, [number, number]>;
  domains?: Record<string, string[]>;
  bins?: Record<string, number[]>;
  minCount?: number;
  /**
   * unit record (default) protects one row; unit customer protects all of one customer's rows: each
   * participant keeps at most maxRowsPerUser (default 1) rows per value of userColumn.
   */
  privacy?: {
    mode: 'none' | 'distributed' | 'central' | 'local';
    epsilon?: number;
    delta?: number;
    unit?: 'record' | 'customer';
    userColumn?: string;
    maxRowsPerUser?: number;
  };
  /**
   * 'records': each member's row count per group is released with the query (its noise under DP), the job's
   * valuation for data-trust products; the result's `valuation` lists them. Not with sealed keys.
   */
  valuation?: 'records';
  minParticipants?: number;
  roundTimeoutSeconds?: number;
  waitForParticipantsSeconds?: number;
}

export type { QueryJobResult } from './query-result.js';

/**
 * Runs an aggregate query over the participants' data (one secure-aggregation round) and returns
 * the decoded result. With `sealed` keys the sum comes back encrypted under them and is decoded
 * here: the coordinator never holds the result.
 */
export async function runQuery(
  client: AnalystClient,
  q: QueryRequest,
  opts: { sealed?: AnalystKeys; onEvent?: (job: JobView, message: string) => void } = {},
): Promise<{ job: JobView; result: QueryJobResult }> {
  const submitted = await client.submit({ kind: 'query', ...q }, opts.sealed ? { sealed: opts.sealed } : {});
  if (!opts.sealed) {
    const job = await client.watch(submitted.id, opts.onEvent);
    if (job.status !== 'completed' || !job.result)
      throw new Error(`the query job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
    return { job, result: queryResultOf(job.result, `job ${job.id} result`) };
  }
  const plan = planQuery(parseQuery(q.sql), {
    bounds: q.bounds ?? {},
    domains: q.domains ?? {},
    ...(q.bins ? { bins: q.bins } : {}),
    minCount: q.minCount ?? 0,
  });
  const keys = opts.sealed;
  // Decoded as this request says (the spec the analyst signed), never as the coordinator's decode_json directs.
  const wide = wideDecodingOf(keys.sealedParams.plainModulus, exactFractionBits(plan));
  const spec = { minParticipants: q.minParticipants ?? 2 };
  const [result, job] = await Promise.all([
    new Promise<QueryJobResult>((resolve, reject) => {
      const call = client.attachSealedStream();
      let answer: QueryJobResult | undefined;
      call.on('data', (a: tessera.v1.SealedAggregate) => {
        const decryptor = keys.decryptor();
        try {
          if (a.stage !== 'query') throw new Error(`expected the query's encrypted sum, got a ${a.stage} aggregate`);
          checkSurvivors(a.survivors, spec, 'query result');
          const how = JSON.parse(a.decodeJson) as { wide?: unknown } | null;
          ownDecoding(how?.wide, wide, 'wide');
          const values = decodeWideSum(decryptor.decrypt(a.chunks, a.length), a.survivors, wide);
          answer = { ...decodeResult(plan, values, 0), privacy: { epsilon: null, delta: null, mode: 'none' } };
          call.write({ jobId: submitted.id, round: a.round, stage: a.stage, values: [] });
        } catch (e) {
          call.write({ jobId: submitted.id, round: a.round, stage: a.stage, error: (e as Error).message });
        } finally {
          decryptor.dispose();
        }
      });
      call.on('end', () =>
        answer ? resolve(answer) : reject(new Error(`the sealed query ${submitted.id} ended without a result`)),
      );
      call.on('error', (e: Error) => reject('code' in e ? client.errorOf(e as never) : e));
      call.write({ jobId: submitted.id, attach: true });
    }),
    client.watch(submitted.id, opts.onEvent),
  ]);
  if (job.status !== 'completed')
    throw new Error(`the query job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
  return { job, result };
}
