// A catalogue round is checked against the analyst-signed catalogue spec and the node's policy before a row is read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, type SigningKeyPair } from '@tessera/crypto';
import { catalogueNoise, parseCatalogueSpec } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { CATALOGUE_RELEASE_ATTEMPTS } from '../src/privacy/catalogue-releases.js';
import { DATASET, Harness, hex, signed } from './support/authorisation-harness.js';

const pb = tessera.v1;
const enc = (s: string) => new TextEncoder().encode(s);

/** A shop's orders: 30 customers over a few items, one id of 40 bytes on row 7 when `long`. */
function orders(long = false): string[] {
  const lines = ['customer_id,item_id'];
  for (let c = 0; c < 30; c++) lines.push(`c${c},sku-${c % 3}`, `c${c},sku-${(c + 1) % 3}`);
  if (long) lines[7] = `c3,${'x'.repeat(40)}`;
  return lines;
}

const catalogueInput = (name: string, change: Record<string, unknown> = {}) => ({
  name,
  kind: 'catalogue',
  dataset: DATASET,
  maxItemsPerCustomer: 2,
  maxLength: 16,
  privacy: { epsilon: 4, maxCustomers: 1000 },
  ...change,
});

/** A catalogue round as an honest coordinator sends it (ADVERTISE_KEYS of its secure sum), with `change` applied. */
function catalogueRound(
  input: object,
  analyst: SigningKeyPair,
  secure: tessera.v1.ISecureSetup,
  step: { jobId: string; round: number; prefixes?: string[] },
  change: Partial<tessera.v1.ITask> = {},
): tessera.v1.ITask {
  const spec = parseCatalogueSpec(input);
  const noise = catalogueNoise(spec, (secure.participantIds ?? []).length);
  const { text, signature } = signed(input, analyst);
  return {
    ref: { jobId: step.jobId, round: step.round, stage: pb.Stage.ADVERTISE_KEYS, attempt: 1 },
    dataset: spec.dataset,
    catalogue: { round: step.round, prefixes: (step.prefixes ?? ['']).map(enc), dpLevel: noise.level },
    privacyPlan: {
      mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
      unit: pb.PrivacyPlan.Unit.RECORD,
      noiseMultiplier: noise.noiseMultiplier,
      sampleRate: 1,
      rounds: 0,
      fullReleases: noise.releases,
      epsilon: spec.privacy.epsilon,
      delta: spec.privacy.delta,
    },
    secure,
    specJson: text,
    specSignature: signature,
    analystIdentity: analyst.publicKey,
    ...change,
  };
}

describe('a catalogue round reads item ids only for the signed catalogue job it fits', () => {
  const tmp = tempDir('tessera-catalogue-admission-');
  const analyst = generateSigningKeyPair();
  const h = new Harness(tmp.dir, 'shop', { csv: () => orders() });
  const long = new Harness(tmp.dir, 'long', { csv: () => orders(true) });
  let jobs = 0;
  const job = (change: Record<string, unknown> = {}) => {
    jobs += 1;
    return { jobId: `cat-${jobs}`, input: catalogueInput(`cat-${jobs}`, change) };
  };
  const round = (
    j: { jobId: string; input: object },
    r = 1,
    prefixes?: string[],
    change: Partial<tessera.v1.ITask> = {},
    at = h,
  ) =>
    catalogueRound(j.input, analyst, at.secure(pb.Stage.CATALOGUE, 5), { jobId: j.jobId, round: r, prefixes }, change);

  const refused = async (task: tessera.v1.ITask, reason: RegExp, kind = pb.RefusalKind.REFUSAL_PRIVACY) => {
    const reads = h.data.reads;
    const uses = h.uses().length;
    const a = await h.offer(task);
    expect(a.refused).toMatch(reason);
    expect(a.kind).toBe(kind);
    expect(a.audited).toMatch(reason);
    expect(h.data.reads).toBe(reads);
    expect(h.uses()).toHaveLength(uses);
  };

  beforeAll(() => Promise.all([h.start(), long.start()]));
  afterAll(async () => {
    await Promise.all([h.stop(), long.stop()]);
    tmp.cleanup();
  });

  it('admits the honest rounds, each a use for purpose query', async () => {
    const j = job();
    expect((await h.offer(round(j, 1))).body).toBe('advertise');
    expect((await h.offer(round(j, 2, ['s']))).body).toBe('advertise');
    expect((await h.offer(round(j, 6, ['sku-0', 'sku-1']))).body).toBe('advertise');
    const uses = h.uses().filter((u) => u.jobId === j.jobId);
    expect(uses.map((u) => [u.stage, u.round, u.purpose])).toEqual([
      ['catalogue', 1, 'query'],
      ['catalogue', 2, 'query'],
      ['catalogue', 6, 'query'],
    ]);
    expect(uses[0]!.rows).toBe(60);
  });

  it('refuses a dp_level other than its own recomputation, and rounds or prefixes outside the spec', async () => {
    const j = job();
    const honest = round(j, 1);
    const level = Number(honest.catalogue!.dpLevel);
    await refused(
      round(j, 1, undefined, { catalogue: { ...honest.catalogue, dpLevel: level / 2 } }),
      new RegExp(`catalogue\\.dpLevel \\(fixed-point level\\) \\(${level / 2}\\) differs .*\\(${level}\\)`),
    );
    await refused(round(j, 18, ['x'.repeat(17)]), /catalogue\.round \(18\) differs .*\("1\.\.17 \(maxLength \+ 1\)"\)/);
    await refused(round(j, 3, ['sku']), /length of a prefix in round 3 \(3\) differs .*\(2\)/);
    await refused(round(j, 2, ['s', 's']), /catalogue\.prefixes \(distinct\)/);
    await refused(round(j, 2, []), /catalogue\.prefixes \(how many\) \(0\) differs/);
    const moved = round(j, 2, ['s']);
    await refused({ ...moved, ref: { ...moved.ref, round: 5 } }, /task round \(ref\.round\) of the catalogue round/);
    // A plan announcing less noise than the spec's epsilon needs.
    await refused(
      round(j, 1, undefined, { privacyPlan: { ...honest.privacyPlan, noiseMultiplier: 1 } }),
      /noise multiplier \(1, below the .* the spec's epsilon 4 needs\)/,
    );
  });

  it('admits a round a few times (retries), then refuses it before reading, whatever attempt it claims', async () => {
    const j = job();
    const attempt = (r: number, n: number) => {
      const task = round(j, r, r === 1 ? undefined : ['s']);
      return { ...task, ref: { ...task.ref, attempt: n } };
    };
    for (let n = 1; n <= CATALOGUE_RELEASE_ATTEMPTS; n++) expect((await h.offer(attempt(1, n))).body).toBe('advertise');
    const charges = h.ledger.charges(DATASET).length;
    for (const n of [CATALOGUE_RELEASE_ATTEMPTS + 1, 1])
      await refused(
        attempt(1, n),
        new RegExp(
          `round 1 of catalogue job "${j.jobId}" was already released here ${CATALOGUE_RELEASE_ATTEMPTS} times`,
        ),
      );
    expect(h.ledger.charges(DATASET)).toHaveLength(charges);
    // The job's other rounds are still its own.
    expect((await h.offer(attempt(2, 1))).body).toBe('advertise');
  });

  it('releases a job maxLength + 1 times in all, retries included: its epsilon is the whole spend', async () => {
    const j = job({ maxLength: 5 }); // 6 releases: what the spec's epsilon is calibrated for
    const attempt = (r: number, n: number) => {
      const task = round(j, r, r === 1 ? undefined : ['sku-0'.slice(0, r - 1)]);
      return { ...task, ref: { ...task.ref, attempt: n } };
    };
    for (const [r, n] of [
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
      [2, 2],
      [3, 1],
    ])
      expect((await h.offer(attempt(r!, n!))).body).toBe('advertise');
    const charges = h.ledger.charges(DATASET).length;
    await refused(
      attempt(4, 1),
      new RegExp(`catalogue job "${j.jobId}" was already released here 6 times in all \\(maxLength \\+ 1 = 6`),
    );
    expect(h.ledger.charges(DATASET)).toHaveLength(charges);
  });

  it('refuses an unsigned spec, and a catalogue stage under another kind of job', async () => {
    const j = job();
    const task = round(j, 1);
    await refused(
      { ...task, specSignature: new Uint8Array(0), analystIdentity: new Uint8Array(0) },
      /catalogue task's job spec carries no analyst signature/,
    );
    const recommend = { name: 'rec', kind: 'recommend', dataset: DATASET, catalogue: { items: ['a', 'b'] } };
    const { text, signature } = signed(recommend, analyst);
    await refused(
      { ...task, specJson: text, specSignature: signature },
      /stage catalogue, which a recommend job does not have/,
    );
  });

  it('refuses an item id longer than maxLength, naming the row and column', async () => {
    const j = job();
    const a = await long.offer(round(j, 1, undefined, {}, long));
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_DATA);
    expect(a.refused).toMatch(/data set "patients" row 7, column "item_id": item id "x+" is 40 bytes .* maxLength 16/);
  });

  it("refuses a column the data set does not serve, naming the catalogue spec's own field", async () => {
    for (const [field, change] of [
      ['column', { column: 'sku' }],
      ['customerColumn', { customerColumn: 'shopper' }],
    ] as const) {
      const a = await h.offer(round(job(change), 1));
      expect(a.kind).toBe(pb.RefusalKind.REFUSAL_DATA);
      const name = Object.values(change)[0];
      expect(a.refused).toMatch(new RegExp(`the job spec's ${field} names "${name}", which this data set does not`));
    }
  });
});

describe('consent: a catalogue job is a query purpose of its own job kind, opt-in', () => {
  const tmp = tempDir('tessera-catalogue-consent-');
  const analyst = generateSigningKeyPair();
  const grant = (id: string, jobKinds?: string[]) => ({
    id,
    analysts: ['acme'],
    purposes: ['query'],
    ...(jobKinds ? { jobKinds } : {}),
    datasets: [DATASET],
    expires: '2099-01-01',
  });
  const policy = (g: object) => ({ analysts: { acme: hex(analyst.publicKey) }, grants: [g] });
  const usual = new Harness(tmp.dir, 'usual', { csv: () => orders(), consentPolicy: policy(grant('g')) });
  const named = new Harness(tmp.dir, 'named', {
    csv: () => orders(),
    consentPolicy: policy(grant('g-cat', ['catalogue'])),
  });
  beforeAll(() => Promise.all([usual.start(), named.start()]));
  afterAll(async () => {
    await Promise.all([usual.stop(), named.stop()]);
    tmp.cleanup();
  });

  it('needs a grant naming job kind catalogue', async () => {
    const input = catalogueInput('consent');
    const at = (h: Harness) =>
      catalogueRound(input, analyst, h.secure(pb.Stage.CATALOGUE, 5), { jobId: 'consent', round: 1 });
    const a = await usual.offer(at(usual));
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_CONSENT);
    expect(a.refused).toMatch(/purpose "query" \(job kind catalogue\)/);
    expect((await named.offer(at(named))).body).toBe('advertise');
  });
});
