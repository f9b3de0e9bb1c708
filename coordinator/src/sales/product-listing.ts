/**
 * Listing a product: finished jobs of one analyst whose contributors a sale can be split among, checked field by
 * field (nothing is stored unless every check passes), and the product's view with its members' weights.
 */
import { randomId } from '@tessera/crypto';
import { parseQuerySpec, valuationNoiseFactor } from '@tessera/jobs';
import {
  PayoutInputError,
  productMembers,
  type JobValuation,
  type ProductRelease,
  type ProductValuation,
  type ProductView,
} from '@tessera/payouts';
import { parseContext } from '../jobs/job-context.js';
import type { JobRecord, Store } from '../store/store.js';
import { currencyCode, minorUnits, SalesError, textField } from './sales-error.js';

/** The job kinds whose results are sold: reports (query jobs, the report queries included), models, recommenders. */
export const SELLABLE_KINDS: readonly string[] = ['query', 'train', 'recommend'];

/** At most this many jobs in one product. */
export const MAX_PRODUCT_JOBS = 100;

export interface ProductRequest {
  jobs: readonly string[];
  name: string;
  price: number;
  currency: string;
  /** "job" (also when empty) or "equal". */
  valuation: string;
  description: string;
}

const kindOf = (job: JobRecord): string =>
  ((JSON.parse(job.specJson || '{}') as { kind?: unknown }).kind as string | undefined) ?? 'train';

/** The valuation a product splits by: `job` (the default) or `equal`; else a SalesError on `valuation`. */
function productValuation(value: string): ProductValuation {
  if (value === '' || value === 'job') return 'job';
  if (value === 'equal') return 'equal';
  throw new SalesError(
    'invalid-argument',
    'valuation',
    `valuation must be "job" (the jobs' own valuation) or "equal" (equal shares), got ${JSON.stringify(value)}`,
  );
}

/**
 * A job's valuation as the product uses it. `job`: its context's valuation (a report's noisy row counts, a DP training
 * job's records, an exact training job's Shapley values). `equal`: its contributors (context.contributors, or the
 * members of its valuation), each worth 1, which releases nothing. A job with neither is refused naming `jobs`.
 */
function valuationOf(job: JobRecord, valuation: ProductValuation): JobValuation {
  const context = parseContext(job.contextJson);
  if (valuation === 'job') {
    if (context.valuation) return context.valuation;
    throw new SalesError(
      'failed-precondition',
      'jobs',
      `jobs: job ${job.id} has no valuation to split a sale by (a query needs "valuation: records" in its spec, a ` +
        'training job a payout); list the product with valuation "equal" (--valuation equal) to split equally',
    );
  }
  const contributors = context.contributors ?? context.valuation?.members.map((m) => m.participant) ?? [];
  if (contributors.length === 0)
    throw new SalesError(
      'failed-precondition',
      'jobs',
      `jobs: job ${job.id} records no contributors to share a sale equally among (it was run before jobs ` +
        'recorded them, or no round completed); leave it out',
    );
  return {
    method: 'equal',
    members: contributors.map((participant) => ({ participant, value: 1 })),
    epsilon: 0,
    delta: null,
    noiseStd: 0,
    note: 'equal shares: releases nothing',
  };
}

/**
 * What a job's valuation released and cost, for the analyst: its own epsilon, its noise, and for a private report
 * valued by records the factor the report's own noise grew by (the counts share its release).
 */
export function releaseOf(job: JobRecord, v: JobValuation): ProductRelease {
  const release: ProductRelease = {
    job: job.id,
    method: v.method,
    epsilon: v.epsilon,
    delta: v.delta,
    noiseStd: v.noiseStd,
    note: v.note,
  };
  if (v.method !== 'records' || kindOf(job) !== 'query') return release;
  try {
    const { spec, plan } = parseQuerySpec(JSON.parse(job.specJson));
    if (spec.privacy.mode !== 'none') release.reportNoiseFactor = valuationNoiseFactor(plan);
  } catch {
    // A spec this coordinator can no longer parse: the view goes without the factor rather than failing.
  }
  return release;
}

/** The caller's finished, sellable job `id`, or a SalesError naming `jobs`. */
async function sellableJob(store: Store, id: string, owner: string): Promise<JobRecord> {
  const job = await store.getJob(id);
  // Another analyst's job is as unknown as a missing one: its id says nothing about it.
  if (!job || job.owner !== owner)
    throw new SalesError(
      'not-found',
      'jobs',
      `jobs: no job "${id}" of analyst ${owner} (tessera job list shows your jobs)`,
    );
  if (job.status !== 'completed')
    throw new SalesError(
      'failed-precondition',
      'jobs',
      `jobs: job ${id} is ${job.status}; only a completed job can be sold (wait for it to finish)`,
    );
  const kind = kindOf(job);
  if (!SELLABLE_KINDS.includes(kind))
    throw new SalesError(
      'failed-precondition',
      'jobs',
      `jobs: job ${id} is a ${kind} job; a product is made of ${SELLABLE_KINDS.join(', ')} jobs`,
    );
  return job;
}

/**
 * Checks a product request and builds its view (not stored): the jobs (the caller's, completed, sellable, each
 * with a valuation or `equal`), the name, the list price, the currency; the members' weights (productMembers).
 */
export async function buildProduct(
  store: Store,
  owner: string,
  request: ProductRequest,
  now = Date.now(),
): Promise<ProductView> {
  const name = textField('name', request.name, 200, true);
  const description = textField('description', request.description, 2000, false);
  const price = minorUnits('price', request.price, 0);
  const currency = currencyCode('currency', request.currency);
  const valuation = productValuation(request.valuation);
  const ids = request.jobs.map((j) => j.trim());
  if (ids.length === 0 || ids.some((j) => j === ''))
    throw new SalesError('invalid-argument', 'jobs', 'jobs must list one or more job ids (tessera job list)');
  if (ids.length > MAX_PRODUCT_JOBS)
    throw new SalesError('invalid-argument', 'jobs', `jobs lists ${ids.length} jobs, more than ${MAX_PRODUCT_JOBS}`);
  const repeated = ids.find((j, i) => ids.indexOf(j) !== i);
  if (repeated) throw new SalesError('invalid-argument', 'jobs', `jobs lists job ${repeated} twice; give it once`);
  const jobs: JobRecord[] = [];
  for (const id of ids) jobs.push(await sellableJob(store, id, owner));
  const valuations = jobs.map((job) => ({ job: job.id, valuation: valuationOf(job, valuation) }));
  let members;
  try {
    members = productMembers(valuations, valuation);
  } catch (e) {
    if (e instanceof PayoutInputError) throw new SalesError('failed-precondition', 'jobs', e.message);
    throw e;
  }
  const spent = valuations.map((v) => v.valuation).filter((v) => v.epsilon > 0);
  return {
    id: randomId('prod-', 8),
    name,
    description,
    jobs: ids,
    kinds: jobs.map(kindOf),
    price,
    currency,
    valuation,
    methods: [...new Set(valuations.map((v) => v.valuation.method))],
    members,
    // Each job's valuation is its own release: over several jobs they add up (basic composition).
    valuationEpsilon: spent.reduce((a, v) => a + v.epsilon, 0),
    valuationDelta: spent.some((v) => v.delta !== null) ? spent.reduce((a, v) => a + (v.delta ?? 0), 0) : null,
    releases: jobs.map((job, i) => releaseOf(job, valuations[i]!.valuation)),
    owner,
    createdAt: new Date(now).toISOString(),
    sales: { count: 0, gross: 0, refunded: 0, net: 0 },
  };
}

/** Checks, builds and stores a product; returns its view. */
export async function addProduct(store: Store, owner: string, request: ProductRequest): Promise<ProductView> {
  const view = await buildProduct(store, owner, request);
  await store.addProduct({
    id: view.id,
    owner,
    name: view.name,
    createdAt: Date.parse(view.createdAt),
    json: JSON.stringify(view),
  });
  return view;
}
