import { submissionOf } from '../jobs/signed-spec.js';
import { JOB_SPEC_CONTEXT, JobSpecError } from '@tessera/jobs';
import { jobKindOf } from '../jobs/kinds/registry.js';
import { SubmissionRefused } from '../jobs/kinds/job-kind.js';
import * as grpc from '@grpc/grpc-js';
import { constantTimeEqual, randomId, verify } from '@tessera/crypto';
import type { PayoutLedger } from '../payouts/payout-ledger.js';
import { CHUNK_VALUES, columnProfileToProto, tessera } from '@tessera/proto';
import { parseContext } from '../jobs/job-context.js';
import type { JobEvents } from '../jobs/job-events.js';
import type { SealedExchange } from './sealed-exchange.js';
import type { Store } from '../store/store.js';
import { isFinished, jobMessage } from './job-view.js';
import type { SessionRegistry } from './registry.js';

export interface AnalystServiceDeps {
  store: Store;
  registry: SessionRegistry;
  events: JobEvents;
  analystToken: string;
  /** Sealed mode: where runners post encrypted aggregates and analysts answer. */
  sealed: SealedExchange;
  /** The payout ledger ExportLedger reads. */
  ledger?: PayoutLedger;
  startJob(jobId: string): void;
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
 * The analyst identity (hex) a submission proves: its signature over the spec, or the identity that
 * signed a sealed job's key. A signature that does not verify is refused.
 */
function analystIdentityOf(req: tessera.v1.ISubmitJobRequest): string | undefined {
  const identity = req.analystIdentity ?? new Uint8Array(0);
  const signature = req.specSignature ?? new Uint8Array(0);
  if (signature.length > 0) {
    if (!verify(JOB_SPEC_CONTEXT, new TextEncoder().encode(req.specJson ?? ''), signature, identity)) {
      throw grpcError(
        grpc.status.INVALID_ARGUMENT,
        'spec_signature does not verify with analyst_identity over spec_json; ' +
          'sign the exact spec you send (tessera job submit --keys does)',
      );
    }
    return Buffer.from(identity).toString('hex');
  }
  return (req.analystSignature?.length ?? 0) > 0 && identity.length === 32
    ? Buffer.from(identity).toString('hex')
    : undefined;
}

const withAnalyst = (context: object, analyst: string | undefined, req?: tessera.v1.ISubmitJobRequest): string => {
  const c = {
    ...context,
    ...(analyst ? { analystIdentity: analyst } : {}),
    ...(req ? { submission: submissionOf(req) } : {}),
  };
  return Object.keys(c).length ? JSON.stringify(c) : '';
};

/** Handlers of AnalystService. Every call must carry `authorization: Bearer <analyst token>`. */
export function analystHandlers(deps: AnalystServiceDeps): grpc.UntypedServiceImplementation {
  const { store, registry, events } = deps;
  const expected = Buffer.from(deps.analystToken);

  const authorize = (metadata: grpc.Metadata): grpc.ServiceError | undefined => {
    const header = String(metadata.get('authorization')[0] ?? '');
    const token = Buffer.from(header.replace(/^Bearer\s+/i, ''));
    if (!header || !constantTimeEqual(token, expected)) {
      return grpcError(
        grpc.status.UNAUTHENTICATED,
        "missing or wrong analyst token (see the coordinator's data directory, file analyst-token, or pass --token)",
      );
    }
    return undefined;
  };

  const findJob = (id: string) => {
    const job = store.getJob(id);
    return job ?? grpcError(grpc.status.NOT_FOUND, `no job "${id}" (tessera job list shows the jobs)`);
  };

  const unary =
    <Req, Res>(fn: (req: Req) => Res) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      const denied = authorize(call.metadata);
      if (denied) return callback(denied);
      try {
        callback(null, fn(call.request));
      } catch (e) {
        callback(
          e instanceof Error && 'code' in e ? (e as grpc.ServiceError) : grpcError(grpc.status.INTERNAL, String(e)),
        );
      }
    };

  const unaryAsync =
    <Req, Res>(fn: (req: Req) => Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      const denied = authorize(call.metadata);
      if (denied) return callback(denied);
      fn(call.request).then(
        (res) => callback(null, res),
        (e: unknown) =>
          callback(
            e instanceof Error && 'code' in e ? (e as grpc.ServiceError) : grpcError(grpc.status.INTERNAL, String(e)),
          ),
      );
    };

  return {
    submitJob: unaryAsync(async (req: tessera.v1.SubmitJobRequest) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.specJson);
      } catch (e) {
        throw grpcError(grpc.status.INVALID_ARGUMENT, `job spec is not valid JSON: ${(e as Error).message}`);
      }
      const analyst = analystIdentityOf(req);
      let accepted;
      try {
        accepted = await jobKindOf(parsed).submit({ parsed, req, registry, store });
      } catch (e) {
        if (e instanceof JobSpecError) throw grpcError(grpc.status.INVALID_ARGUMENT, e.message);
        if (e instanceof SubmissionRefused)
          throw grpcError(
            e.code === 'invalid-spec' ? grpc.status.INVALID_ARGUMENT : grpc.status.FAILED_PRECONDITION,
            e.message,
          );
        throw e;
      }
      const now = Date.now();
      const id = randomId('job-', 6);
      store.createJob({
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
      });
      deps.startJob(id);
      return jobMessage(store, store.getJob(id)!);
    }),

    async exportLedger(call: grpc.ServerWritableStream<tessera.v1.ExportLedgerRequest, tessera.v1.LedgerLines>) {
      const denied = authorize(call.metadata);
      if (denied) return failStream(call, denied);
      if (!deps.ledger)
        return failStream(call, grpcError(grpc.status.UNIMPLEMENTED, 'this coordinator keeps no payout ledger'));
      const jobId = call.request.jobId || undefined;
      if (jobId) {
        const job = findJob(jobId);
        if (job instanceof Error) return failStream(call, job);
      }
      const { lines, head } = deps.ledger.export(jobId);
      const write = (m: tessera.v1.ILedgerLines) =>
        new Promise<void>((resolve) => {
          if (call.write(tessera.v1.LedgerLines.create(m))) resolve();
          else call.once('drain', resolve);
        });
      await write({ coordinatorKey: deps.ledger.publicKey, head, lines: lines.slice(0, 1000) });
      for (let i = 1000; i < lines.length; i += 1000) await write({ lines: lines.slice(i, i + 1000) });
      call.end();
    },

    getJob: unary((req: tessera.v1.JobRef) => {
      const job = findJob(req.jobId);
      if (job instanceof Error) throw job;
      return jobMessage(store, job);
    }),

    listJobs: unary((req: tessera.v1.ListJobsRequest) =>
      tessera.v1.ListJobsResponse.create({ jobs: store.listJobs(req.limit || 50).map((j) => jobMessage(store, j)) }),
    ),

    cancelJob: unary((req: tessera.v1.JobRef) => {
      const job = findJob(req.jobId);
      if (job instanceof Error) throw job;
      if (isFinished(job.status))
        throw grpcError(grpc.status.FAILED_PRECONDITION, `job ${job.id} already ${job.status}`);
      if (!deps.cancelJob(job.id, 'cancelled by the analyst'))
        store.updateJob(job.id, { status: 'cancelled', error: 'cancelled by the analyst' });
      return jobMessage(store, store.getJob(job.id)!);
    }),

    listParticipants: unary(() => {
      const online = new Map(registry.connected().map((s) => [s.participantId, s]));
      return tessera.v1.ListParticipantsResponse.create({
        participants: store.listParticipants().map((p) => ({
          id: p.id,
          name: p.name,
          connected: online.has(p.id),
          datasets: online.get(p.id)?.datasets ?? [],
          enrolledUnixMs: p.enrolledAt,
          budgets: online.get(p.id)?.budgets ?? [],
        })),
      });
    }),

    watchJob(call: grpc.ServerWritableStream<tessera.v1.JobRef, tessera.v1.JobEvent>) {
      const denied = authorize(call.metadata);
      if (denied) return failStream(call, denied);
      const first = findJob(call.request.jobId);
      if (first instanceof Error) return failStream(call, first);
      const jobId = first.id;
      const push = (message: string) => {
        const job = store.getJob(jobId)!;
        call.write(tessera.v1.JobEvent.create({ job: jobMessage(store, job), message }));
        if (isFinished(job.status)) finish();
      };
      const finish = () => {
        events.off(jobId, push);
        call.end();
      };
      events.on(jobId, push);
      call.on('cancelled', () => events.off(jobId, push));
      push(`job ${jobId} is ${first.status}`);
    },

    attachSealed(call: grpc.ServerDuplexStream<tessera.v1.SealedReply, tessera.v1.SealedAggregate>) {
      const denied = authorize(call.metadata);
      if (denied) return failStream(call, denied);
      let jobId = '';
      const stream = {
        write: (m: tessera.v1.ISealedAggregate) => call.write(tessera.v1.SealedAggregate.create(m)),
        end: () => call.end(),
      };
      call.on('data', (m: tessera.v1.SealedReply) => {
        if (!jobId) {
          const job = m.attach
            ? findJob(m.jobId)
            : grpcError(grpc.status.INVALID_ARGUMENT, 'the first message must attach to a job: {jobId, attach: true}');
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
          if (isFinished(job.status)) return call.end();
          jobId = job.id;
          deps.sealed.attach(jobId, stream);
          return;
        }
        const problem =
          m.jobId === jobId ? deps.sealed.reply(m) : `this stream is attached to job ${jobId}, not ${m.jobId}`;
        if (problem) failStream(call, grpcError(grpc.status.FAILED_PRECONDITION, problem));
      });
      const leave = () => {
        if (jobId) deps.sealed.detach(jobId, stream);
      };
      call.on('end', () => {
        leave();
        call.end();
      });
      call.on('cancelled', leave);
      call.on('error', leave);
    },

    async getResult(call: grpc.ServerWritableStream<tessera.v1.JobRef, tessera.v1.ResultPart>) {
      const denied = authorize(call.metadata);
      if (denied) return failStream(call, denied);
      const job = findJob(call.request.jobId);
      if (job instanceof Error) return failStream(call, job);
      const latest = store.latestModel(job.id);
      if (!latest) {
        return failStream(
          call,
          grpcError(grpc.status.FAILED_PRECONDITION, `job ${job.id} is ${job.status} and has no completed round yet`),
        );
      }
      const ctx = parseContext(job.contextJson);
      const spec = JSON.parse(job.specJson) as { label: string; model: { type: string } };
      const write = (part: tessera.v1.IResultPart) =>
        new Promise<void>((resolve) => {
          if (call.write(tessera.v1.ResultPart.create(part))) resolve();
          else call.once('drain', resolve);
        });
      await write({
        header: {
          job: jobMessage(store, job),
          featureNames: ctx.featureNames ?? [],
          label: spec.label,
          modelType: spec.model.type,
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
  };
}
