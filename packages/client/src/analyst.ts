import * as grpc from '@grpc/grpc-js';
import {
  ANALYST_CALL_METADATA,
  AnalystServiceDefinition,
  analystClient,
  columnProfileFromProto,
  fromModelConfig,
  type ChannelSecurity,
  type GenericClient,
  type tessera,
} from '@tessera/proto';
import { stampedSpec, type AnalystIdentity } from './analyst-identity.js';
import { isFinalStatus, jobView, type BudgetView, type JobResult, type JobView } from './job-view.js';
import type { AnalystKeys } from './sealed/analyst-keys.js';
import type { ProductValuation, ProductView, SaleView } from '@tessera/payouts';
import { productViewFromJson, saleViewFromJson } from './sales-views.js';

// The job views live in job-view.ts; re-exported so './analyst.js' stays the one import for the analyst API.
export {
  isFinalStatus,
  jobView,
  type BudgetView,
  type JobResult,
  type JobStatusName,
  type JobView,
  type PayoutsView,
  type RoundView,
} from './job-view.js';

/** Signs job specs with an analyst identity (AnalystIdentity does). */
export interface SpecSigner {
  readonly identity: Uint8Array;
  signSpec(specJson: string): Uint8Array;
  /** The signature over an encrypted-scoring setup and its spec (ScoringSetup.signature); see signScoringSetup. */
  signScoringSetup?(specJson: string, setup: tessera.v1.IScoringSetup): Uint8Array;
}

/** What an analyst client authenticates with: its identity signs specs (and, on a plaintext coordinator, calls). */
export type AnalystSigner = SpecSigner & Pick<AnalystIdentity, 'signCall'>;

/** An error from the coordinator, with the gRPC status name and the coordinator's reason. */
export class CoordinatorError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CoordinatorError';
  }
}

const wrap = (e: grpc.ServiceError): CoordinatorError =>
  new CoordinatorError(
    grpc.status[e.code] ?? String(e.code),
    e.code === grpc.status.UNAVAILABLE ? `coordinator unreachable: ${e.details}` : e.details || e.message,
  );

/** The spec with secure.mode "sealed" (added when absent; another explicit mode is an error). */
export function sealedSpec(spec: object): object {
  const s = spec as { secure?: unknown };
  const secure = s.secure === undefined ? {} : s.secure;
  // the coordinator names the bad field
  if (typeof secure !== 'object' || secure === null || Array.isArray(secure)) return spec;
  const mode = (secure as { mode?: unknown }).mode;
  if (mode !== undefined && mode !== 'sealed')
    throw new Error(
      `the job spec says secure.mode "${String(mode)}" but was submitted with sealed analyst keys; ` +
        'use secure.mode "sealed" or leave it out',
    );
  return { ...spec, secure: { ...secure, mode: 'sealed' } };
}

/**
 * The analyst's connection to a coordinator: submit, watch, list, cancel jobs and fetch results, of this analyst's own
 * jobs only (the coordinator refuses another analyst's with PERMISSION_DENIED).
 */
export class AnalystClient {
  private readonly client: GenericClient;
  private readonly plaintext: boolean;

  /**
   * `identity`: the analyst's identity (AnalystIdentity), which signs every job spec. `security`: TLS trusting only the
   * coordinator's pinned anchor, with the client certificate its CA issued to this analyst at join (see
   * joinCoordinator and securityOf), which authenticates every call; or plaintext to a coordinator on loopback started
   * with --insecure, where each call is signed by the identity instead.
   */
  constructor(
    readonly address: string,
    readonly identity: AnalystSigner,
    security: ChannelSecurity,
  ) {
    this.client = analystClient(address, security);
    this.plaintext = security.mode === 'insecure';
  }

  /** The metadata of a call of `method`: empty over TLS (the certificate authenticates), a signed call in plaintext. */
  private metadataFor(method: keyof typeof AnalystServiceDefinition): grpc.Metadata {
    const metadata = new grpc.Metadata();
    if (this.plaintext)
      metadata.set(ANALYST_CALL_METADATA, this.identity.signCall(AnalystServiceDefinition[method].path));
    return metadata;
  }

  /** A method of the generic gRPC client (bound to it); a name the service does not have is a programming error. */
  private rpc(name: string): (...args: unknown[]) => unknown {
    const method = this.client[name];
    if (!method) throw new Error(`the analyst service has no method ${name}`);
    return method.bind(this.client);
  }

  private unary<T>(method: keyof typeof AnalystServiceDefinition, request: object): Promise<T> {
    return new Promise((resolve, reject) => {
      this.rpc(method)(
        request,
        this.metadataFor(method),
        { deadline: Date.now() + 30_000 },
        (err: grpc.ServiceError | null, res: T) => (err ? reject(wrap(err)) : resolve(res)),
      );
    });
  }

  /**
   * Submits a job, its spec signed by this client's identity (the coordinator refuses a spec without a valid
   * signature by the analyst calling). With `sealed`, the job runs in sealed mode under these analyst keys: the public
   * key and its parameters travel with the submission (never the secret key), `secure.mode` is set to "sealed" when the
   * spec does not say it, and the analyst must then answer the job's aggregates (`attachSealed`). The keys must be
   * this analyst's: their identity signs the BFV key, and it must be the identity that signs the spec.
   */
  async submit(
    spec: object,
    opts: {
      sealed?: Pick<AnalystKeys, 'publicKey' | 'sealedParams' | 'identity' | 'keySignature'>;
      scoring?: tessera.v1.IScoringSetup;
    } = {},
  ): Promise<JobView> {
    // A fresh nonce in each submission: participants refuse the same signed spec under a second job id.
    const stamped = stampedSpec(opts.sealed ? sealedSpec(spec) : spec);
    const request: tessera.v1.ISubmitJobRequest = { specJson: JSON.stringify(stamped) };
    request.analystIdentity = this.identity.identity;
    request.specSignature = this.identity.signSpec(request.specJson!);
    if (opts.sealed) {
      if (!Buffer.from(opts.sealed.identity).equals(Buffer.from(this.identity.identity)))
        throw new CoordinatorError(
          'INVALID_ARGUMENT',
          "the sealed keys' identity is not the identity of this analyst client: connect with the analyst whose keys " +
            'they are (the key file you joined the coordinator with)',
        );
      request.analystKey = opts.sealed.publicKey;
      request.sealedParamsJson = JSON.stringify(opts.sealed.sealedParams);
      request.analystSignature = opts.sealed.keySignature();
    }
    if (opts.scoring) {
      if (!this.identity.signScoringSetup)
        throw new CoordinatorError(
          'INVALID_ARGUMENT',
          'an encrypted-scoring job needs an analyst identity that signs its scoring keys ' +
            '(participants refuse unsigned ones): connect with an AnalystIdentity or analyst keys',
        );
      request.scoring = {
        ...opts.scoring,
        signature: this.identity.signScoringSetup(request.specJson!, opts.scoring),
      };
    }
    return jobView(await this.unary<tessera.v1.Job>('submitJob', request));
  }

  /**
   * The coordinator's payout ledger as JSON Lines (one job's entries when `jobId` is given), its head and the key that
   * verifies it.
   */
  exportLedger(jobId = ''): Promise<{
    lines: string[];
    head: string;
    coordinatorKey: string;
    headSeq: number;
    headSignature: string;
    cosignatures: string[];
  }> {
    return new Promise((resolve, reject) => {
      const lines: string[] = [];
      const cosignatures: string[] = [];
      let head = '',
        key = '',
        headSeq = 0,
        headSignature = '';
      const call = this.rpc('exportLedger')(
        { jobId },
        this.metadataFor('exportLedger'),
      ) as grpc.ClientReadableStream<tessera.v1.LedgerLines>;
      call.on('data', (m: tessera.v1.LedgerLines) => {
        lines.push(...m.lines);
        if (m.head) head = m.head;
        cosignatures.push(...m.cosignatures);
        if (m.headSeq) headSeq = Number(m.headSeq);
        if (m.headSignature) headSignature = m.headSignature;
        if (m.coordinatorKey?.length) key = Buffer.from(m.coordinatorKey).toString('hex');
      });
      call.on('error', (e: grpc.ServiceError) => reject(wrap(e)));
      call.on('end', () => resolve({ lines, head, coordinatorKey: key, headSeq, headSignature, cosignatures }));
    });
  }

  /**
   * Lists finished jobs of this analyst as a product (docs/sales.md): the coordinator checks the jobs (this analyst's,
   * completed, valued or `valuation: 'equal'`), the name, the price (a whole number of minor units) and the currency,
   * naming the field it refuses.
   */
  async addProduct(o: {
    jobs: readonly string[];
    name: string;
    price: number;
    currency: string;
    valuation?: ProductValuation;
    description?: string;
  }): Promise<ProductView> {
    const request: tessera.v1.IAddProductRequest = {
      jobs: [...o.jobs],
      name: o.name,
      price: o.price,
      currency: o.currency,
      valuation: o.valuation ?? 'job',
      description: o.description ?? '',
    };
    return productViewFromJson((await this.unary<tessera.v1.Product>('addProduct', request)).json);
  }

  /** This analyst's products, with their members' shares and sales totals. */
  async listProducts(): Promise<ProductView[]> {
    const res = await this.unary<tessera.v1.ListProductsResponse>('listProducts', {});
    return res.products.map((p, i) => productViewFromJson(p.json ?? '', `products[${i}]`));
  }

  async getProduct(productId: string): Promise<ProductView> {
    return productViewFromJson((await this.unary<tessera.v1.Product>('getProduct', { productId })).json);
  }

  /**
   * Sells a product to `buyer`: the coordinator asks every member's node for consent (its `sales` policy), splits the
   * price (the list price unless `amount` is given, in minor units) exactly among the members that consent, and writes
   * the sale and their payouts to the ledger. The view lists the split and the refusals.
   */
  async sellProduct(o: {
    product: string;
    buyer: string;
    buyerClass?: string;
    amount?: number;
    currency?: string;
    note?: string;
  }): Promise<SaleView> {
    const request: tessera.v1.ISellProductRequest = {
      productId: o.product,
      buyer: o.buyer,
      buyerClass: o.buyerClass ?? '',
      amount: o.amount ?? 0,
      hasAmount: o.amount !== undefined,
      currency: o.currency ?? '',
      note: o.note ?? '',
    };
    return saleViewFromJson((await this.unary<tessera.v1.Sale>('sellProduct', request)).json);
  }

  /** Refunds `amount` (minor units, at most what is left of the sale): negative entries for the members paid. */
  async refundSale(o: { sale: string; amount: number; reason?: string }): Promise<SaleView> {
    const request: tessera.v1.IRefundSaleRequest = { saleId: o.sale, amount: o.amount, reason: o.reason ?? '' };
    return saleViewFromJson((await this.unary<tessera.v1.Sale>('refundSale', request)).json);
  }

  /** The sales of one product, or of all this analyst's products when `productId` is left out. */
  async listSales(productId = ''): Promise<SaleView[]> {
    const res = await this.unary<tessera.v1.ListSalesResponse>('listSales', { productId });
    return res.sales.map((s, i) => saleViewFromJson(s.json ?? '', `sales[${i}]`));
  }

  async get(jobId: string): Promise<JobView> {
    return jobView(await this.unary<tessera.v1.Job>('getJob', { jobId }));
  }

  async list(limit = 50): Promise<JobView[]> {
    return (await this.unary<tessera.v1.ListJobsResponse>('listJobs', { limit })).jobs.map(jobView);
  }

  async cancel(jobId: string): Promise<JobView> {
    return jobView(await this.unary<tessera.v1.Job>('cancelJob', { jobId }));
  }

  async participants(): Promise<
    { id: string; name: string; connected: boolean; datasets: string[]; budgets: BudgetView[] }[]
  > {
    const res = await this.unary<tessera.v1.ListParticipantsResponse>('listParticipants', {});
    return res.participants.map((p) => ({
      id: p.id ?? '',
      name: p.name ?? '',
      connected: !!p.connected,
      datasets: p.datasets ?? [],
      budgets: (p.budgets ?? []).map((b) => ({
        dataset: b.dataset ?? '',
        epsilon: Number(b.epsilon ?? 0),
        delta: Number(b.delta ?? 0),
        unit: b.unit ?? '',
        spentEpsilon: Number(b.spentEpsilon ?? 0),
      })),
    }));
  }

  /**
   * Follows a job until it ends, calling `onEvent` for each change; resolves with the final
   * view. A dropped connection (a coordinator restart) is retried until `reconnectForMs` passes.
   * Aborting `signal` stops watching (rejects with the signal's reason when it is an Error).
   */
  async watch(
    jobId: string,
    onEvent: (job: JobView, message: string) => void = () => undefined,
    reconnectForMs = 60_000,
    signal?: AbortSignal,
  ): Promise<JobView> {
    let lastError: Error | undefined;
    let deadline = Date.now() + reconnectForMs;
    const aborted = () =>
      signal?.reason instanceof Error
        ? signal.reason
        : new CoordinatorError('CANCELLED', `stopped watching job ${jobId}`);
    for (;;) {
      if (signal?.aborted) throw aborted();
      try {
        const final = await this.watchOnce(
          jobId,
          (j, m) => {
            deadline = Date.now() + reconnectForMs;
            onEvent(j, m);
          },
          signal,
        );
        if (final && isFinalStatus(final.status)) return final;
      } catch (e) {
        if (signal?.aborted) throw aborted();
        lastError = e as Error;
        if (
          e instanceof CoordinatorError &&
          e.code !== 'UNAVAILABLE' &&
          e.code !== 'CANCELLED' &&
          e.code !== 'INTERNAL'
        )
          throw e;
      }
      if (signal?.aborted) throw aborted();
      if (Date.now() > deadline)
        throw lastError ?? new CoordinatorError('UNAVAILABLE', `lost the watch on job ${jobId}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private watchOnce(
    jobId: string,
    onEvent: (job: JobView, message: string) => void,
    signal?: AbortSignal,
  ): Promise<JobView | undefined> {
    return new Promise((resolve, reject) => {
      let last: JobView | undefined;
      const call = this.rpc('watchJob')(
        { jobId },
        this.metadataFor('watchJob'),
      ) as grpc.ClientReadableStream<tessera.v1.JobEvent>;
      if (signal) {
        const onAbort = () => call.cancel();
        signal.addEventListener('abort', onAbort, { once: true });
        call.on('close', () => signal.removeEventListener('abort', onAbort));
      }
      call.on('data', (e: tessera.v1.JobEvent) => {
        last = jobView(e.job!);
        onEvent(last, e.message);
      });
      call.on('error', (e: grpc.ServiceError) => reject(wrap(e)));
      call.on('end', () => resolve(last));
    });
  }

  /** The latest model of a job, reassembled from its chunks. */
  result(jobId: string): Promise<JobResult> {
    return new Promise((resolve, reject) => {
      let header: tessera.v1.IResultHeader | undefined;
      let weights: Float64Array | undefined;
      let received = 0;
      const call = this.rpc('getResult')(
        { jobId },
        this.metadataFor('getResult'),
      ) as grpc.ClientReadableStream<tessera.v1.ResultPart>;
      call.on('data', (p: tessera.v1.ResultPart) => {
        if (p.header) header = p.header;
        else if (p.weights) {
          weights ??= new Float64Array(Number(p.weights.total));
          weights.set(p.weights.values ?? [], Number(p.weights.offset));
          received += (p.weights.values ?? []).length;
        }
      });
      call.on('error', (e: grpc.ServiceError) => reject(wrap(e)));
      call.on('end', () => {
        if (!header || !weights || received !== weights.length)
          return reject(new CoordinatorError('DATA_LOSS', `the result of job ${jobId} arrived incomplete`));
        let model: JobResult['model'];
        try {
          model = fromModelConfig(header.model);
        } catch (e) {
          return reject(new CoordinatorError('DATA_LOSS', `the result of job ${jobId}: ${(e as Error).message}`));
        }
        resolve({
          job: jobView(header.job!),
          round: header.round ?? 0,
          label: header.label ?? '',
          modelType: header.modelType ?? '',
          featureNames: header.featureNames ?? [],
          features: (header.features ?? []).map((f) => columnProfileFromProto(f)),
          mean: header.mean ?? [],
          std: header.std ?? [],
          // header.standardizedClip: generated from the proto field standardized_clip, a published wire name.
          standardisedClip: Number(header.standardizedClip ?? 0),
          weights,
          model,
        });
      });
    });
  }

  /**
   * The raw AttachSealed call (bidirectional stream, as this analyst): write a SealedReply {jobId, attach: true}
   * first, then one reply per SealedAggregate. `attachSealed` runs the whole loop.
   */
  attachSealedStream(): grpc.ClientDuplexStream<tessera.v1.ISealedReply, tessera.v1.SealedAggregate> {
    return this.rpc('attachSealed')(this.metadataFor('attachSealed')) as grpc.ClientDuplexStream<
      tessera.v1.ISealedReply,
      tessera.v1.SealedAggregate
    >;
  }

  /** A gRPC error of this client's calls as a CoordinatorError. */
  errorOf(e: grpc.ServiceError): CoordinatorError {
    return wrap(e);
  }

  close(): void {
    this.client.close();
  }
}
