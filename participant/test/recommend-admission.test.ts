// A recommend step is checked against the analyst-signed recommend spec and the node's policy before any row is read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { DATASET, Harness, hex, signed } from './support/authorisation-harness.js';
import { interactionLines, recommendInput, recommendStep, smallFederation } from './support/recommend-fixture.js';

const pb = tessera.v1;

describe('a recommend step reads interactions only for the signed recommend job it fits', () => {
  const tmp = tempDir('tessera-recommend-admission-');
  const analyst = generateSigningKeyPair();
  const fed = smallFederation();
  const items = fed.catalogue.ids;
  const h = new Harness(tmp.dir, 'shop', { csv: () => interactionLines(fed.rows[0]!) });
  let jobs = 0;
  /** A fresh job (id and spec name: a signed spec runs under one job id only). */
  const job = (change: Record<string, unknown> = {}) => {
    jobs += 1;
    return { jobId: `rec-${jobs}`, input: recommendInput(DATASET, items, { name: `rec-${jobs}`, ...change }) };
  };
  const step = (
    j: { jobId: string; input: object },
    round = 1,
    phase: 'train' | 'evaluate' = 'train',
    change: Partial<tessera.v1.ITask> = {},
  ) => recommendStep(j.input, analyst, h.secure(pb.Stage.RECOMMEND, 5), { jobId: j.jobId, round, phase }, change).task;

  /** Offers a task the node must refuse: the reason, typed and audited, with no row read and nothing recorded. */
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

  beforeAll(() => h.start());
  afterAll(async () => {
    await h.stop();
    tmp.cleanup();
  });

  it('admits the honest TRAIN and EVALUATE steps, reading the data set once for the job', async () => {
    const j = job();
    expect((await h.offer(step(j, 1))).body).toBe('advertise');
    // The table is parsed at the job's first step and kept for its later rounds.
    const reads = h.data.reads;
    for (const round of [2, 3]) expect((await h.offer(step(j, round))).body).toBe('advertise');
    expect((await h.offer(step(j, 4, 'evaluate'))).body).toBe('advertise');
    expect(h.data.reads).toBe(reads);
    const uses = h.uses().filter((u) => u.jobId === j.jobId);
    expect(uses.map((u) => [u.stage, u.round, u.purpose])).toEqual([
      ['recommend', 1, 'train'],
      ['recommend', 2, 'train'],
      ['recommend', 3, 'train'],
      ['recommend', 4, 'train'],
    ]);
    expect(uses[0]!.rows).toBe(fed.rows[0]!.length);
  });

  it('releases an exact round over one cohort only: a retry without one node is refused', async () => {
    const j = job();
    const first = recommendStep(j.input, analyst, h.secure(pb.Stage.RECOMMEND, 5), { jobId: j.jobId, round: 1 });
    expect((await h.offer(first.task)).body).toBe('advertise');
    const again = recommendStep(j.input, analyst, h.secure(pb.Stage.RECOMMEND, 4), {
      jobId: j.jobId,
      round: 1,
      attempt: 2,
    });
    await refused(again.task, /signed recommend spec .* was already released here exactly .* over cohort/);
    // The same cohort again sums the same updates: admitted.
    const same = recommendStep(j.input, analyst, h.secure(pb.Stage.RECOMMEND, 5), {
      jobId: j.jobId,
      round: 1,
      attempt: 3,
    });
    expect((await h.offer(same.task)).body).toBe('advertise');
  });

  it('refuses a task without a spec, with an unsigned spec, or with a spec of another kind', async () => {
    const j = job();
    await refused(step(j, 1, 'train', { specJson: '', specSignature: new Uint8Array(0) }), /carries none/);
    await refused(
      step(j, 1, 'train', { specSignature: new Uint8Array(0) }),
      /recommend task's job spec carries no analyst signature/,
    );
    const query = signed({ kind: 'query', sql: `SELECT COUNT(*) FROM ${DATASET}` }, analyst);
    await refused(
      step(j, 1, 'train', { specJson: query.text, specSignature: query.signature }),
      /stage recommend, which a query job does not have/,
    );
  });

  it('refuses a task for another data set than the signed one, or a spec naming another data set', async () => {
    await refused(step(job(), 1, 'train', { dataset: 'orders' }), /data set \("orders"\) differs/);
    const other = job({ dataset: 'orders' });
    await refused(step(other, 1, 'train', { dataset: DATASET }), /data set \("patients"\) differs .*\("orders"\)/);
  });

  it('refuses rounds outside the spec, an evaluation the spec has none of, and a changed encoding', async () => {
    await refused(step(job(), 4), /recommend\.round of a TRAIN step \(4\) differs .*\("1\.\.3"\)/);
    await refused(step(job(), 3, 'evaluate'), /recommend\.round of the EVALUATE step \(3\) differs .*\(4\)/);
    await refused(
      step(job({ evaluation: { holdOut: 'none' } }), 4, 'evaluate'),
      /recommend phase \(evaluation\.holdOut\) \("EVALUATE"\) differs/,
    );
    const j = job();
    await refused(
      step(j, 1, 'train', { recommend: { phase: pb.RecommendTask.Phase.TRAIN, round: 1, wideFractionBits: 16 } }),
      /recommend\.wideFractionBits \(16\) differs .*\(24\)/,
    );
    await refused(
      step(j, 1, 'train', { recommend: { phase: 1, round: 1, dpLevel: 1000, wideFractionBits: 24 } }),
      /recommend encoding \(dpLevel\) \(1000\) differs/,
    );
    await refused(step(j, 1, 'train', { modelLength: 10 }), /item model length .* \(10\) differs/);
    const moved = step(j, 1);
    await refused(
      { ...moved, ref: { ...moved.ref, round: 7 } },
      /task round \(ref\.round\) of the recommend step \(7\) differs .*\(1\)/,
    );
  });
});

describe('the bad input a recommend step refuses names the field', () => {
  const tmp = tempDir('tessera-recommend-bad-input-');
  const analyst = generateSigningKeyPair();
  const fed = smallFederation();
  const items = fed.catalogue.ids;
  const rows = fed.rows[0]!;
  const lines = interactionLines(rows);
  // Row 5 sells an item outside the declared catalogue.
  lines[5] = lines[5]!.replace(/,[^,]+,/, ',sku-unknown,');
  const shop = new Harness(tmp.dir, 'shop', { csv: () => lines });
  const empty = new Harness(tmp.dir, 'empty', { csv: () => ['customer_id,item_id,ts'] });
  const offer = (h: Harness, input: object, jobId: string) =>
    h.offer(recommendStep(input, analyst, h.secure(pb.Stage.RECOMMEND, 5), { jobId, round: 1 }).task);

  beforeAll(() => Promise.all([shop.start(), empty.start()]));
  afterAll(async () => {
    await Promise.all([shop.stop(), empty.stop()]);
    tmp.cleanup();
  });

  it('refuses an item outside the declared catalogue, naming the data set, row and column', async () => {
    const a = await offer(shop, recommendInput(DATASET, items, { name: 'miss' }), 'miss');
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_DATA);
    expect(a.refused).toMatch(/data set "patients" row 5, column "item_id": item "sku-unknown" is not in the declared/);
    expect(a.refused).toMatch(
      /catalogue \(24 items\); add it to the catalogue or drop the row \(the job spec's columns\.item\)/,
    );
    // unknownItems 'skip' drops the row instead.
    const skip = await offer(shop, recommendInput(DATASET, items, { name: 'skip', unknownItems: 'skip' }), 'skip');
    expect(skip.body).toBe('advertise');
  });

  it('refuses k too large for the data, naming model.k', async () => {
    // A catalogue larger than the merchant's customers: k = its customer count is too many.
    const customers = new Set(rows.map((r) => r.customer)).size;
    const padded = [...items, ...Array.from({ length: 100 }, (_, i) => `pad-${i}`)];
    const input = recommendInput(DATASET, padded, { name: 'big-k', model: { k: customers }, unknownItems: 'skip' });
    const a = await offer(shop, input, 'big-k');
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_DATA);
    expect(a.refused).toMatch(
      new RegExp(`model\\.k is too large for this data: k = ${customers} is too large .*there are \\d+ customers`),
    );
    const tooFew = await offer(
      shop,
      recommendInput(DATASET, items.slice(0, 4), { name: 'few', model: { k: 4 }, unknownItems: 'skip' }),
      'few',
    );
    expect(tooFew.refused).toMatch(/model\.k is too large .*catalogue has 4 items; choose k < 4/);
  });

  it('refuses an empty interactions table and a column the data set does not serve', async () => {
    const a = await offer(empty, recommendInput(DATASET, items, { name: 'empty' }), 'empty');
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_DATA);
    expect(a.refused).toMatch(/data set "patients": the interactions table is empty/);
    const input = recommendInput(DATASET, items, { name: 'cols', columns: { customer: 'email', item: 'item_id' } });
    const b = await offer(shop, input, 'cols');
    expect(b.refused).toMatch(/columns\.customer names "email", which this data set does not serve/);
  });
});

describe('consent: a recommend job is a train purpose of its own job kind', () => {
  const tmp = tempDir('tessera-recommend-consent-');
  const analyst = generateSigningKeyPair();
  const fed = smallFederation();
  const grant = (id: string, jobKinds?: string[]) => ({
    id,
    analysts: ['acme'],
    purposes: ['train'],
    ...(jobKinds ? { jobKinds } : {}),
    datasets: [DATASET],
    expires: '2099-01-01',
  });
  const policy = (g: object) => ({
    analysts: { acme: hex(analyst.publicKey) },
    datasets: { [DATASET]: { allowWithoutPrivacy: true } },
    grants: [g],
  });
  const usual = new Harness(tmp.dir, 'usual', {
    csv: () => interactionLines(fed.rows[0]!),
    consentPolicy: policy(grant('g')),
  });
  const named = new Harness(tmp.dir, 'named', {
    csv: () => interactionLines(fed.rows[0]!),
    consentPolicy: policy(grant('g-rec', ['recommend'])),
  });
  const offer = (h: Harness, jobId: string) =>
    h.offer(
      recommendStep(
        recommendInput(DATASET, fed.catalogue.ids, { name: jobId }),
        analyst,
        h.secure(pb.Stage.RECOMMEND, 5),
        { jobId, round: 1 },
      ).task,
    );

  beforeAll(() => Promise.all([usual.start(), named.start()]));
  afterAll(async () => {
    await Promise.all([usual.stop(), named.stop()]);
    tmp.cleanup();
  });

  it('needs a grant naming job kind recommend (a grant with the default kinds does not cover it)', async () => {
    const reads = usual.data.reads;
    const a = await offer(usual, 'c1');
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_CONSENT);
    expect(a.refused).toMatch(/no grant of this node allows purpose "train" \(job kind recommend\)/);
    expect(usual.data.reads).toBe(reads);
    expect((await offer(named, 'c2')).body).toBe('advertise');
    expect(named.uses().at(-1)).toMatchObject({ purpose: 'train', grantId: 'g-rec', stage: 'recommend' });
  });
});
