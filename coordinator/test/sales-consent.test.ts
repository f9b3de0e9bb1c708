// The SALE consent stage over real Connect streams driven by hand: what each kind of answer (or silence) counts as,
// the task the members receive, and that a member busy with a job's task is waited for, never interrupted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tessera } from '@tessera/proto';
import { Coordinator } from '../src/index.js';
import { MetricsCollector } from '../src/rounds/collectors.js';
import { runStage } from '../src/rounds/stage.js';
import { askConsent, consentWindow, SALE_CONSENT_MS, saleTaskKey } from '../src/sales/sale-consent.js';
import { enrolIdentity, RawStream, type Identity } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

const pb = tessera.v1;

const saleTask = (saleId: string): tessera.v1.ISaleTask => ({
  saleId,
  productId: 'prod-0123456789abcdef',
  productName: 'Market insight',
  jobs: ['job-1'],
  buyer: 'First Bank',
  buyerClass: 'bank',
  amount: 120_000,
  currency: 'CNY',
  seller: 'analyst',
});

describe('the SALE consent stage', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  const members = new Map<string, { who: Identity; stream: RawStream }>();
  const m = (name: string) => members.get(name)!;

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    for (const name of ['yes', 'no', 'broken', 'silent']) {
      const who = await enrolIdentity(coord, name);
      const stream = await RawStream.open(who);
      await stream.hello(who, ['customers']);
      members.set(name, { who, stream });
    }
  });
  afterAll(async () => {
    for (const { stream } of members.values()) stream.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('consent is TaskDone; an owner refusal is policy; a failure, silence or absence is unavailable', async () => {
    const answering = (async () => {
      for (const [name, answer] of [
        ['yes', 'done'],
        ['no', pb.RefusalKind.REFUSAL_CONSENT],
        ['broken', pb.RefusalKind.REFUSAL_FAILURE],
      ] as const) {
        const { who, stream } = m(name);
        const { task } = await stream.task();
        // The sale travels as its own task: TaskRef {sale id, round 1, SALE} and Task.sale, and nothing else.
        expect(task.ref).toMatchObject({ jobId: 'sale-1', round: 1, stage: pb.Stage.SALE });
        expect(task.sale).toMatchObject(saleTask('sale-1'));
        expect(task.specJson ?? '').toBe('');
        if (answer === 'done') stream.send(who, { done: { task: task.ref, numExamples: 0 } });
        else
          stream.send(who, {
            refused: { task: task.ref, reason: `sales.excludeBuyers refuses ${name}`, kind: answer },
          });
      }
      // The silent member gets the task, answers nothing, and is told to drop it at the deadline.
      await m('silent').stream.task();
      await m('silent').stream.take('cancel', 5_000);
    })();
    const ids = ['yes', 'no', 'broken', 'silent'].map((n) => m(n).who.id);
    const started = Date.now();
    const consent = await askConsent(coord.registry, [...ids, 'p-never-enrolled'], saleTask('sale-1'), 1_500);
    await answering;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([...consent.consenting]).toEqual([m('yes').who.id]);
    expect(consent.refusals).toEqual([
      { participant: m('no').who.id, kind: 'policy', reason: 'sales.excludeBuyers refuses no' },
      { participant: m('broken').who.id, kind: 'unavailable', reason: 'sales.excludeBuyers refuses broken' },
      { participant: m('silent').who.id, kind: 'unavailable', reason: "no answer within the sale's 1.5 s" },
      { participant: 'p-never-enrolled', kind: 'unavailable', reason: expect.stringContaining('not connected') },
    ]);
  });

  it("waits for a member busy with a job's task instead of interrupting it, within the deadline", async () => {
    const { who, stream } = m('yes');
    const session = coord.registry.get(who.id)!;
    const jobKey = { jobId: 'job-busy', round: 1, stage: pb.Stage.QUERY };
    const job = runStage({
      key: jobKey,
      sessions: [session],
      request: () => ({ message: { task: { ref: jobKey } } }),
      collector: (_s, settle) => new MetricsCollector(jobKey, settle),
      deadlineMs: 10_000,
    });
    const jobTask = (await stream.task()).task;
    expect(jobTask.ref?.jobId).toBe('job-busy');
    expect(session.busy).toBe(true);
    // A short deadline while it stays busy: unavailable, and the job's task is still open.
    const early = await askConsent(coord.registry, [who.id], saleTask('sale-2'), 300);
    expect(early.refusals).toEqual([
      { participant: who.id, kind: 'unavailable', reason: expect.stringContaining('busy') },
    ]);
    expect(session.busy).toBe(true);
    // With time to wait: the job's task ends first, then the sale is asked and consented to.
    const later = askConsent(coord.registry, [who.id], saleTask('sale-3'), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.has('task')).toBe(false);
    stream.send(who, { done: { task: jobTask.ref, numExamples: 1 } });
    expect((await job).results.has(who.id)).toBe(true);
    const { task } = await stream.task();
    expect(task.ref).toMatchObject(saleTaskKey('sale-3'));
    stream.send(who, { done: { task: task.ref, numExamples: 0 } });
    expect([...(await later).consenting]).toEqual([who.id]);
  });

  it('members have 30 s, or less when the caller would stop waiting first: a sale is answered before then', () => {
    const now = 1_000_000;
    expect(SALE_CONSENT_MS).toBe(30_000);
    expect(consentWindow(Number.POSITIVE_INFINITY, now)).toBe(30_000);
    expect(consentWindow(undefined, now)).toBe(30_000);
    expect(consentWindow(now + 60_000, now)).toBe(30_000);
    expect(consentWindow(new Date(now + 30_000), now)).toBe(28_000);
    expect(consentWindow(now + 1_000, now)).toBe(0);
  });
});
