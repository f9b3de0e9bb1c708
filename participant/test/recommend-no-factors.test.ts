// Issue 22: no message a participant sends the coordinator in a recommend job holds a customer factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { tessera } from '@tessera/proto';
import {
  alsAlgorithm,
  interactionsFrom,
  itemsFromModelVector,
  leaveLastOut,
  seededRandom,
  syntheticRecommendation,
  type CustomerFactors,
  type Interactions,
} from '@tessera/recommend';
import { LocalFederation, runRecommend } from '@tessera/sdk';
import { tempDir } from '../../coordinator/test/helpers.js';

const pb = tessera.v1;

const synthetic = syntheticRecommendation(
  { merchants: 3, customers: 120, items: 30, minCustomers: 30, interactionsPerCustomer: 8 },
  seededRandom('recommend-no-factors'),
);
const shards: RawTable[] = synthetic.rows.map((rows, m) => ({
  source: `merchant-${m}`,
  columns: ['customer_id', 'item_id', 'timestamp'],
  rows: rows.map((r) => [r.customer, r.item, String(r.timestamp)]),
  lineOf: (i) => i + 2,
}));
const K = 4;
const LAMBDA = { none: 0.1, dp: 200 };
const ROUNDS = 3;
const spec = (name: string, privacy: { mode: string } = { mode: 'none' }) => ({
  name,
  kind: 'recommend',
  dataset: 'orders',
  columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
  catalogue: { items: [...synthetic.catalogue.ids] },
  // The noise added to ALS's summed normal equations needs a larger lambda to keep them positive definite.
  model: { algorithm: 'als', k: K, lambda: LAMBDA[privacy.mode === 'none' ? 'none' : 'dp'], alpha: 10 },
  rounds: ROUNDS,
  evaluation: { holdOut: 'last' },
  minParticipants: 3,
  roundTimeoutSeconds: 60,
  privacy,
});

/** Each merchant's training table, as its node reads its CSV back (leave-last-out). */
const trainTables: Interactions[] = synthetic.rows.map(
  (rows, m) => leaveLastOut(interactionsFrom(rows, synthetic.catalogue, { source: `merchant-${m}` })).train,
);

type Decoder = { decode: (r: Uint8Array, length?: number) => unknown };

/**
 * Every message any participant sends the coordinator (what the coordinator decodes, payload bytes and message) and
 * every model chunk the coordinator sends: the seam is the two generated decoders every stream passes through.
 */
class WireTap {
  readonly toCoordinator: { payload: Uint8Array; message: tessera.v1.ParticipantMessage }[] = [];
  readonly models = new Map<string, Float64Array>();
  private readonly up = pb.ParticipantMessage as unknown as Decoder;
  private readonly down = pb.CoordinatorMessage as unknown as Decoder;
  private readonly originals = { up: this.up.decode, down: this.down.decode };

  install(): void {
    const { up, down } = this.originals;
    this.up.decode = (r, length) => {
      const message = up.call(this.up, r, length) as tessera.v1.ParticipantMessage;
      if (r instanceof Uint8Array) this.toCoordinator.push({ payload: Uint8Array.from(r), message });
      return message;
    };
    this.down.decode = (r, length) => {
      const m = down.call(this.down, r, length) as tessera.v1.CoordinatorMessage;
      if (m.body === 'model') this.keepChunk(m.model!);
      return m;
    };
  }

  uninstall(): void {
    this.up.decode = this.originals.up;
    this.down.decode = this.originals.down;
  }

  private keepChunk(m: tessera.v1.IModelChunk): void {
    const key = `${m.task?.jobId}/${m.task?.round}`;
    const total = Number(m.chunk?.total ?? 0);
    let model = this.models.get(key);
    if (!model) {
      model = new Float64Array(total);
      this.models.set(key, model);
    }
    model.set(m.chunk?.values ?? [], Number(m.chunk?.offset ?? 0));
  }
}

/**
 * The customers' factors and biases every merchant held during the job: ALS's customer step is a deterministic
 * function of the round's item model (as the coordinator sent it) and the merchant's table, so the library
 * reproduces, bit for bit, what each node computed in every round and for the evaluation.
 */
function heldFactors(tap: WireTap, jobId: string, exact: boolean): CustomerFactors[] {
  const als = alsAlgorithm({ k: K, lambda: LAMBDA[exact ? 'none' : 'dp'], alpha: 10 });
  const rng = seededRandom('unused');
  const held: CustomerFactors[] = [];
  const itemsOf = (round: number) => {
    const vector = tap.models.get(`${jobId}/${round}`);
    expect(vector, `the item model of round ${round}`).toBeDefined();
    return itemsFromModelVector(vector!, synthetic.catalogue.ids.length, K);
  };
  for (let round = 1; round <= ROUNDS + 1; round++) {
    const items = itemsOf(round);
    const customers = trainTables.map((table) => als.localCustomerStep(items, table, undefined, rng));
    held.push(...customers);
    if (!exact || round > ROUNDS) continue;
    // These are the factors the nodes used: their summed item updates give the next round's model.
    const sum = new Float64Array(als.updateLength(items.count));
    trainTables.forEach((table, m) => {
      const update = als.localItemUpdate(items, customers[m]!, table, rng);
      for (let i = 0; i < sum.length; i++) sum[i]! += update[i]!;
    });
    const next = als.applyItemUpdate(items, sum);
    const sent = itemsOf(round + 1);
    for (let i = 0; i < next.factors.length; i++)
      expect(Math.abs(next.factors[i]! - sent.factors[i]!)).toBeLessThan(1e-6);
  }
  return held;
}

/** The values to look for: every factor and bias, away from 0 (where 8 zero bytes of any message would sit). */
function sortedValues(factors: readonly CustomerFactors[]): Float64Array {
  const all = factors.flatMap((f) => [...f.factors, ...f.biases]).filter((v) => Math.abs(v) > 1e-6);
  return Float64Array.from(all).sort();
}

/** Whether `x` is within `tolerance` of a value of `sorted`. */
function near(sorted: Float64Array, x: number, tolerance = 1e-9): boolean {
  if (!Number.isFinite(x)) return false;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return (
    (lo < sorted.length && Math.abs(sorted[lo]! - x) <= tolerance) ||
    (lo > 0 && Math.abs(sorted[lo - 1]! - x) <= tolerance)
  );
}

/** Every number a decoded message holds (fields, repeated fields, nested messages). */
function numbersIn(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    if (!(v instanceof Uint8Array)) for (const x of Array.from(v as unknown as ArrayLike<number>)) out.push(Number(x));
  } else if (Array.isArray(v)) for (const x of v) numbersIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) numbersIn(x, out);
  return out;
}

/** Reads every 8-byte window of a payload as a little-endian double (how protobuf writes a double field). */
function doublesAt(payload: Uint8Array): Float64Array {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out = new Float64Array(Math.max(0, payload.length - 7));
  for (let o = 0; o + 8 <= payload.length; o++) out[o] = view.getFloat64(o, true);
  return out;
}

describe('a recommend job sends the coordinator no customer factor (3 merchants, ALS)', () => {
  const tmp = tempDir('tessera-recommend-no-factors-');
  const tap = new WireTap();
  let fed: LocalFederation;
  beforeAll(async () => {
    tap.install();
    fed = await LocalFederation.start({ dir: tmp.dir, shards, dataset: 'orders', runtime: 'inline' });
  });
  afterAll(async () => {
    tap.uninstall();
    await fed?.stop();
    tmp.cleanup();
  });

  for (const mode of ['none', 'distributed'] as const) {
    it(`privacy ${mode}: only masked words and protocol messages, and no float near a customer's factors`, async () => {
      const privacy = mode === 'none' ? { mode } : { mode, epsilon: 8, delta: 1e-6, clip: 1, maxCustomers: 200 };
      const before = tap.toCoordinator.length;
      const run = await runRecommend(fed.analyst, spec(`no-factors-${mode}`, privacy));
      expect(run.job.status).toBe('completed');
      const jobId = run.job.id;
      // Every message the participants sent while the job ran (other jobs' there are none).
      const sent = tap.toCoordinator.slice(before);
      const kinds = [...new Set(sent.map(({ message }) => message.body as string))].sort();
      // SecAgg+ and the upload protocol only: no plaintext update (UpdateChunk), no TaskDone carrying metrics.
      expect(kinds).toEqual(expect.arrayContaining(['advertise', 'masked', 'shareKeys', 'unmask']));
      const protocol = ['advertise', 'consistency', 'done', 'hello', 'ledgerCosignature', 'masked', 'ready'];
      for (const kind of kinds) expect([...protocol, 'shareKeys', 'unmask']).toContain(kind);
      expect(kinds).not.toContain('update');
      expect(kinds).not.toContain('refused');
      for (const { message } of sent) if (message.body === 'done') expect(message.done!.metrics ?? []).toEqual([]);
      const masked = sent.filter(({ message }) => message.body === 'masked');
      expect(masked.length).toBeGreaterThanOrEqual(3 * (ROUNDS + 1));

      const values = sortedValues(heldFactors(tap, jobId, mode === 'none'));
      expect(values.length).toBeGreaterThan(1000);
      // The scan finds a factor written as a double anywhere in a message (so that its silence means something).
      const planted = new Uint8Array(13);
      new DataView(planted.buffer).setFloat64(3, values[7]! + 1e-12, true);
      expect(doublesAt(planted).some((x) => near(values, x))).toBe(true);
      let numbers = 0;
      let windows = 0;
      for (const { payload, message } of sent) {
        const fields = numbersIn(message.toJSON());
        numbers += fields.length;
        for (const x of fields) expect(near(values, x), `a ${message.body} field holds ${x}`).toBe(false);
        const doubles = doublesAt(payload);
        windows += doubles.length;
        for (const x of doubles) if (near(values, x)) expect.fail(`a ${message.body} message's bytes hold ${x}`);
      }
      expect(numbers).toBeGreaterThan(1000);
      expect(windows).toBeGreaterThan(10_000);
      console.info(`recommend ${mode}: message kinds sent to the coordinator: ${kinds.join(', ')}`);
    });
  }
});
