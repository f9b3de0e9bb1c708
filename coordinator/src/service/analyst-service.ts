import { silentLogger, type Logger } from '@tessera/transport';
import { submissionOf } from '../jobs/signed-spec.js';
import { JOB_SPEC_CONTEXT, JobSpecError } from '@tessera/jobs';
import { jobKindOf } from '../jobs/kinds/registry.js';
import { SubmissionRefused } from '../jobs/kinds/job-kind.js';
import * as grpc from '@grpc/grpc-js';
import { randomId, verify } from '@tessera/crypto';
import type { PayoutLedger } from '../payouts/payout-ledger.js';
import type { CoordinatorMetrics } from '../metrics/coordinator-metrics.js';
import { BudgetRefused } from '../jobs/privacy-precheck.js';
import {
  AnalystServiceDefinition,
  CHUNK_VALUES,
  columnProfileToProto,
  tessera,
  toModelConfig,
  type WireModel,
} from '@tessera/proto';
import type { JobEvents } from '../jobs/job-events.js';
import type { SealedExchange } from './sealed-exchange.js';
import type { AnalystRecord, JobRecord, Store } from '../store/store.js';
import type { ClientCertificates } from '../identity/client-certificates.js';
import { AnalystAuth, type AnalystCall } from './analyst-auth.js';
import { joinHandler } from './analyst-join.js';
import { isFinished, jobMessage } from './job-view.js';
import { cancelForAnalyst } from '../jobs/cancel-job.js';
import { resultModel } from '../jobs/result-model.js';
import type { SessionRegistry } from './registry.js';
import { salesHandlers } from '../sales/sales-rpc.js';

export interface AnalystServiceDeps {
  store: Store;
  registry: SessionRegistry;
  events: JobEvents;
  /** The coordinator's CA (TLS): it authenticates analysts by their client certificates. Undefined in plaintext. */
  certificates: ClientCertificates | undefined;
  logger?: Logger;
  /** Sealed mode: where runners post encrypted aggregates and analysts answer. */
  sealed: SealedExchange;
  /** The payout ledger ExportLedger reads. */
  ledger?: PayoutLedger;
  /** Counts budget prechecks that refused a submission (tessera_privacy_refusals_total{kind="precheck"}). */
  metrics?: Pick<CoordinatorMetrics, 'privacyRefusal'>;
  /** A job was just stored: a replica (this one, if it can) takes its lease and runs it. */
  startJob(job: JobRecord): void | Promise<void>;
  cancelJob(jobId: string, reason: string): boolean;
}

const grpcError = (code: grpc.status, details: string): grpc.ServiceError =>
  Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });

/**
 * Ends a server-streaming call with an error status. (grpc-js sends the status from an 'error'
 * event; `call.destroy(err)` would tear the stream down without ever sending it, and the client
 * would wait forever.)
 */
const failStream = (
  call: { emit(event: 'error', error: grpc.ServiceError): boolean },
  error: grpc.ServiceError,
): void => {
  call.emit('error', error);
};

export { JOB_SPEC_CONTEXT };

/**
 * The analyst identity (hex) of a submission: every spec carries the submitting analyst's signature, by the identity
 * the analyst is registered with (a sealed job's key is checked against the same identity in sealedSetup). A spec
 * without a signature, with one that does not verify, or signed by another identity is refused.
 */
function analystIdentityOf(req: tessera.v1.ISubmitJobRequest, analyst: AnalystRecord): string {
  const identity = req.analystIdentity ?? new Uint8Array(0);
  const signature = req.specSignature ?? new Uint8Array(0);
  if (signature.length === 0)
    throw grpcError(
      grpc.status.INVALID_ARGUMENT,
      "the job spec is not signed: every submission carries the analyst's signature over spec_json " +
        '(spec_signature, by analyst_identity; tessera job submit and AnalystClient sign it)',
    );
  if (!Buffer.from(identity).equals(Buffer.from(analyst.publicKey ?? [])))
    throw grpcError(
      grpc.status.PERMISSION_DENIED,
      `analyst_identity is not the identity analyst ${analyst.name} is registered with: sign with your own key file`,
    );
  if (!verify(JOB_SPEC_CONTEXT, new TextEncoder().encode(req.specJson ?? ''), signature, identity))
    throw grpcError(
      grpc.status.INVALID_ARGUMENT,
      'spec_signature does not verify with analyst_identity over spec_json; ' +
        'sign the exact spec you send (tessera job submit --keys does)',
    );
  return Buffer.from(identity).toString('hex');
}

const withAnalyst = (context: object, analyst: string, req?: tessera.v1.ISubmitJobRequest): string =>
  JSON.stringify({ ...context, analystIdentity: analyst, ...(req ? { submission: submissionOf(req) } : {}) });

/** A thrown ServiceError as is; anything else (a store failure) as INTERNAL. */
const asServiceError = (e: unknown): grpc.ServiceError =>
  e instanceof Error && 'code' in e ? (e as grpc.ServiceError) : grpcError(grpc.status.INTERNAL, String(e));

const path = (method: keyof typeof AnalystServiceDefinition) => AnalystServiceDefinition[method].path;

/**
 * Handlers of AnalystService. Every call but Join is made by one analyst (AnalystAuth: its client certificate, or a
 * signed call in plaintext), who sees and acts on its own jobs only: another analyst's job is PERMISSION_DENIED.
 */
export function analystHandlers(deps: AnalystServiceDeps): grpc.UntypedServiceImplementation {
  const { store, registry, events } = deps;
  const auth = new AnalystAuth(store, deps.certificates);
  const authorize = (call: AnalystCall, method: keyof typeof AnalystServiceDefinition) =>
    auth.authenticate(call, path(method));

  /** The caller's own job, or NOT_FOUND / PERMISSION_DENIED. */
  const findJob = async (id: string, analyst: AnalystRecord): Promise<JobRecord | grpc.ServiceError> => {
    const job = await store.getJob(id);
    if (!job) return grpcError(grpc.status.NOT_FOUND, `no job "${id}" (tessera job list shows your jobs)`);
    if (job.owner !== analyst.name)
      return grpcError(
        grpc.status.PERMISSION_DENIED,
        `job ${id} belongs to ${job.owner ? 'another analyst' : 'no analyst (it predates analyst identities)'}: ` +
          `analyst ${analyst.name} sees and acts on its own jobs only`,
      );
    return job;
  };

  /** A unary call of an authenticated analyst: `fn`'s answer, or the error it throws (a store failure: INTERNAL). */
  const unary =
    <Req, Res>(
      method: keyof typeof AnalystServiceDefinition,
      fn: (req: Req, analyst: AnalystRecord, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
    ) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      const answer = async (): Promise<Res> => {
        const analyst = await authorize(call, method);
        if (analyst instanceof Error) throw analyst;
        return fn(call.request, analyst, call);
      };
      answer().then(
        (res) => callback(null, res),
        (e: unknown) => callback(asServiceError(e)),
      );
    };

  /**
   * A streaming call of an authenticated analyst: `fn` runs once the caller is known; an error it throws (or a store
   * failure) ends the stream with its status.
   */
  const stream =
    <Call extends AnalystCall & { emit(event: 'error', error: grpc.ServiceError): boolean }>(
      method: keyof typeof AnalystServiceDefinition,
      fn: (call: Call, analyst: AnalystRecord) => void | Promise<void>,
    ) =>
    (call: Call) => {
      const run = async () => {
        const analyst = await authorize(call, method);
        if (analyst instanceof Error) return failStream(call, analyst);
        await fn(call, analyst);
      };
      run().catch((e: unknown) => failStream(call, asServiceError(e)));
    };

  const sales = salesHandlers({ store, registry, ...(deps.ledger ? { ledger: deps.ledger } : {}) });

  return {
    join: joinHandler(store, deps.certificates, deps.logger ?? silentLogger),

    submitJob: unary('submitJob', async (req: tessera.v1.SubmitJobRequest, caller) => {
      const analyst = analystIdentityOf(req, caller);
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.specJson);
      } catch (e) {
        throw grpcError(grpc.status.INVALID_ARGUMENT, `job spec is not valid JSON: ${(e as Error).message}`);
      }
      let accepted;
      try {
        accepted = await jobKindOf(parsed).submit({ parsed, req, registry, store });
      } catch (e) {
        if (e instanceof JobSpecError) throw grpcError(grpc.status.INVALID_ARGUMENT, e.message);
        if (e instanceof BudgetRefused) deps.metrics?.privacyRefusal('precheck', e.participants);
        if (e instanceof SubmissionRefused)
          throw grpcError(
            e.code === 'invalid-spec' ? grpc.status.INVALID_ARGUMENT : grpc.status.FAILED_PRECONDITION,
            e.message,
          );
        throw e;
      }
      const now = Date.now();
      const id = randomId('job-', 6);
      const job: JobRecord = {
        id,
        name: accepted.name,
        specJson: accepted.specJson,
        status: 'pending',
        roundsCompleted: 0,
        roundsTotal: accepted.roundsTotal,
        createdAt: now,
        updatedAt: now,
        error: '',
        contextJson: withAnalyst(accepted.context, analyst, req),
        owner: caller.name,
      };
      await store.createJob(job);
      await deps.startJob(job);
      return jobMessage(store, (await store.getJob(id)) ?? job);
    }),

    exportLedger: stream(
      'exportLedger',
      async (call: grpc.ServerWritableStream<tessera.v1.ExportLedgerRequest, tessera.v1.LedgerLines>, analyst) => {
        if (!deps.ledger)
          return failStream(call, grpcError(grpc.status.UNIMPLEMENTED, 'this coordinator keeps no payout ledger'));
        const jobId = call.request.jobId || undefined;
        if (jobId) {
          const job = await findJob(jobId, analyst);
          if (job instanceof Error) return failStream(call, job);
        }
        const { lines, head, headSeq, headSignature, cosignatures } = await deps.ledger.export(jobId);
        const write = (m: tessera.v1.ILedgerLines) =>
          new Promise<void>((resolve) => {
            if (call.write(tessera.v1.LedgerLines.create(m))) resolve();
            else call.once('drain', resolve);
          });
        await write({
          coordinatorKey: deps.ledger.publicKey,
          head,
          headSeq,
          headSignature,
          lines: lines.slice(0, 1000),
        });
        for (let i = 1000; i < lines.length; i += 1000) await write({ lines: lines.slice(i, i + 1000) });
        for (let i = 0; i < cosignatures.length; i += 1000)
          await write({ cosignatures: cosignatures.slice(i, i + 1000) });
        call.end();
      },
    ),

    addProduct: unary('addProduct', sales.addProduct),
    listProducts: unary('listProducts', sales.listProducts),
    getProduct: unary('getProduct', sales.getProduct),
    sellProduct: unary('sellProduct', sales.sellProduct),
    refundSale: unary('refundSale', sales.refundSale),
    listSales: unary('listSales', sales.listSales),

    getJob: unary('getJob', async (req: tessera.v1.JobRef, analyst) => {
      const job = await findJob(req.jobId, analyst);
      if (job instanceof Error) throw job;
      return jobMessage(store, job);
    }),

    listJobs: unary('listJobs', async (req: tessera.v1.ListJobsRequest, analyst) => {
      const jobs = await store.listJobs(req.limit || 50, analyst.name);
      return tessera.v1.ListJobsResponse.create({ jobs: await Promise.all(jobs.map((j) => jobMessage(store, j))) });
    }),

    cancelJob: unary('cancelJob', async (req: tessera.v1.JobRef, analyst) => {
      const job = await findJob(req.jobId, analyst);
      if (job instanceof Error) throw job;
      if (isFinished(job.status))
        throw grpcError(grpc.status.FAILED_PRECONDITION, `job ${job.id} already ${job.status}`);
      await cancelForAnalyst(store, deps.cancelJob, job.id);
      return jobMessage(store, (await store.getJob(job.id)) ?? job);
    }),

    listParticipants: unary('listParticipants', async () => {
      const enrolled = await store.listParticipants();
      const online = new Map(registry.connected().map((s) => [s.participantId, s]));
      return tessera.v1.ListParticipantsResponse.create({
        participants: enrolled.map((p) => ({
          id: p.id,
          name: p.name,
          connected: online.has(p.id),
          datasets: online.get(p.id)?.datasets ?? [],
          enrolledUnixMs: p.enrolledAt,
          budgets: online.get(p.id)?.budgets ?? [],
        })),
      });
    }),

    watchJob: stream(
      'watchJob',
      async (call: grpc.ServerWritableStream<tessera.v1.JobRef, tessera.v1.JobEvent>, analyst) => {
        const first = await findJob(call.request.jobId, analyst);
        if (first instanceof Error) return failStream(call, first);
        const jobId = first.id;
        let ended = false;
        // Each event reads the job from the store: they are written one after another, in the order they came.
        let queue = Promise.resolve();
        const send = async (message: string) => {
          if (ended) return;
          const job = await store.getJob(jobId);
          if (!job) throw new Error(`job ${jobId} is no longer in the store`);
          const view = await jobMessage(store, job);
          if (ended) return;
          call.write(tessera.v1.JobEvent.create({ job: view, message }));
          if (isFinished(job.status)) finish();
        };
        const push = (message: string) => {
          queue = queue.then(() => send(message)).catch((e: unknown) => fail(e));
        };
        const stop = () => {
          ended = true;
          events.off(jobId, push);
        };
        const finish = () => {
          stop();
          call.end();
        };
        const fail = (e: unknown) => {
          if (ended) return;
          stop();
          failStream(call, asServiceError(e));
        };
        events.on(jobId, push);
        call.on('cancelled', stop);
        push(`job ${jobId} is ${first.status}`);
        const standing = events.standingOf(jobId);
        if (standing && !isFinished(first.status)) push(standing);
      },
    ),

    attachSealed: stream(
      'attachSealed',
      (call: grpc.ServerDuplexStream<tessera.v1.SealedReply, tessera.v1.SealedAggregate>, analyst) => {
        let jobId = '';
        let left = false;
        const stream = {
          write: (m: tessera.v1.ISealedAggregate) => call.write(tessera.v1.SealedAggregate.create(m)),
          end: () => call.end(),
        };
        const receive = async (m: tessera.v1.SealedReply) => {
          if (left) return;
          if (!jobId) {
            const job = m.attach
              ? await findJob(m.jobId, analyst)
              : grpcError(
                  grpc.status.INVALID_ARGUMENT,
                  'the first message must attach to a job: {jobId, attach: true}',
                );
            if (left) return;
            if (job instanceof Error) return failStream(call, job as grpc.ServiceError);
            const attachable = JSON.parse(job.specJson) as { kind?: string; secure?: { mode?: string } };
            if (attachable.kind !== 'score' && attachable.secure?.mode !== 'sealed') {
              return failStream(
                call,
                grpcError(
                  grpc.status.FAILED_PRECONDITION,
                  `job ${job.id} is not sealed (secure.mode is not "sealed", and it is not an encrypted score job)`,
                ),
              );
            }
            if (isFinished(job.status)) {
              call.end();
              return;
            }
            jobId = job.id;
            deps.sealed.attach(jobId, stream);
            return;
          }
          const problem =
            m.jobId === jobId ? deps.sealed.reply(m) : `this stream is attached to job ${jobId}, not ${m.jobId}`;
          if (problem) failStream(call, grpcError(grpc.status.FAILED_PRECONDITION, problem));
        };
        // The attach reads the store: messages are handled one after another, so no reply overtakes it.
        let queue = Promise.resolve();
        const inOrder = (step: () => void | Promise<void>) => {
          queue = queue.then(step).catch((e: unknown) => failStream(call, asServiceError(e)));
        };
        const leave = () => {
          left = true;
          if (jobId) deps.sealed.detach(jobId, stream);
        };
        call.on('data', (m: tessera.v1.SealedReply) => inOrder(() => receive(m)));
        call.on('end', () =>
          inOrder(() => {
            leave();
            call.end();
          }),
        );
        call.on('cancelled', leave);
        call.on('error', leave);
      },
    ),

    getResult: stream(
      'getResult',
      async (call: grpc.ServerWritableStream<tessera.v1.JobRef, tessera.v1.ResultPart>, analyst) => {
        const job = await findJob(call.request.jobId, analyst);
        if (job instanceof Error) return failStream(call, job);
        const latest = await resultModel(store, job);
        if (!latest) {
          return failStream(
            call,
            grpcError(grpc.status.FAILED_PRECONDITION, `job ${job.id} is ${job.status} and has no completed round yet`),
          );
        }
        const ctx = latest.context;
        const spec = JSON.parse(job.specJson) as {
          kind?: string;
          label: string;
          model: WireModel;
          local?: { optimiser?: string };
        };
        // A recommend job's result is its item model (itemModelVector); its spec, not a model config, says the rest.
        const recommend = spec.kind === 'recommend';
        const write = (part: tessera.v1.IResultPart) =>
          new Promise<void>((resolve) => {
            if (call.write(tessera.v1.ResultPart.create(part))) resolve();
            else call.once('drain', resolve);
          });
        await write({
          header: {
            job: await jobMessage(store, job),
            featureNames: ctx.featureNames ?? [],
            label: recommend ? '' : spec.label,
            modelType: recommend ? 'recommend' : spec.model.type,
            ...(recommend ? {} : { model: toModelConfig(spec.model, spec.local?.optimiser ?? 'sgd') }),
            round: latest.round,
            mean: ctx.standardisation?.mean ?? [],
            std: ctx.standardisation?.std ?? [],
            // The proto field standardized_clip keeps its published name (the generated JSON and TS names follow it).
            standardizedClip: ctx.standardisation?.clip ?? 0,
            features: (ctx.schema?.features ?? []).map((f) => columnProfileToProto(f)),
          },
        });
        for (let offset = 0; offset < latest.weights.length; offset += CHUNK_VALUES) {
          const values = latest.weights.subarray(offset, offset + CHUNK_VALUES);
          await write({ weights: { offset, total: latest.weights.length, values: values as unknown as number[] } });
        }
        call.end();
      },
    ),
  };
}
