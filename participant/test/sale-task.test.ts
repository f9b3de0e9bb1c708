import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import { silentLogger } from '@tessera/transport';
import type { Admission } from '../src/admission.js';
import { Connection } from '../src/connection.js';
import { ConsentGuard } from '../src/consent/consent-guard.js';
import { parseConsentPolicy } from '../src/consent/policy.js';
import type { JobMemory } from '../src/job-memory.js';
import type { LocalData } from '../src/local-data.js';
import { PrivacyGuard } from '../src/privacy/privacy-guard.js';
import { PrivacyLedger } from '../src/privacy/privacy-ledger.js';
import { refusalKindOf } from '../src/refusal-kind.js';
import { TaskDispatcher } from '../src/tasks/dispatcher.js';
import type { TaskContext } from '../src/tasks/task-handler.js';
import type { Body } from '../src/uploader.js';
import { SALE, saleTaskOf } from './support/sale-fixture.js';

const pb = tessera.v1;

/**
 * The dispatcher with a real consent guard and ledger (the audit log), while the node's data, its opening, job memory
 * and data admission are tripwires that log any access (and fail it): a SALE must touch none of them.
 */
function harness(sales?: unknown) {
  const touched: string[] = [];
  const tripwire = <T extends object>(what: string) =>
    new Proxy({} as T, {
      get: (_t, p) => {
        touched.push(`${what}.${String(p)}`);
        throw new Error(`read ${what}`);
      },
    });
  const ledger = new PrivacyLedger(':memory:');
  const policy =
    sales === 'none'
      ? undefined
      : parseConsentPolicy(
          { analysts: {}, grants: [], ...(sales === undefined ? {} : { sales }) },
          '/srv/node/policy.yaml',
          { datasets: [] },
        );
  const sent: Body[] = [];
  const events: string[] = [];
  const send = async (b: Body) => void sent.push(b);
  const ctx: TaskContext = {
    id: 'me',
    name: 'me',
    data: tripwire<LocalData>('data'),
    // Never resolves: a handler that waited for the data would never answer.
    dataReady: new Promise<void>(() => undefined),
    consent: new ConsentGuard(policy, ledger, new PrivacyGuard(ledger, {})),
    connection: new Connection({} as never, 'me', generateSigningKeyPair().secretKey),
    memory: tripwire<JobMemory>('memory'),
    identitySecretKey: new Uint8Array(64),
    trustedAnalysts: [],
    ledger,
    send,
    refuse: async (ref, cause, _task, stage) => {
      const reason = typeof cause === 'string' ? cause : cause.message;
      events.push(`refused stage ${stage}`);
      await send({ refused: { task: ref, reason, kind: typeof cause === 'string' ? 1 : refusalKindOf(cause) } });
    },
    emit: (event) => void events.push(`emit ${event}`),
    dropsOut: () => false,
    logger: silentLogger,
  };
  const dispatcher = new TaskDispatcher(tripwire<Admission>('admission'));
  const run = (task: tessera.v1.ITask) => dispatcher.dispatch(ctx, pb.CoordinatorMessage.create({ task }));
  const sales_ = () => ledger.auditLog().filter((e) => e.kind === 'sale');
  return { touched, sent, events, run, ledger, sales: sales_ };
}

describe('the SALE task, through the dispatcher', () => {
  it('consents under the policy, audits the sale, and touches no data, data admission or job memory', async () => {
    const h = harness({ allowed: true, buyers: ['class:bank'], products: ['churn-report'] });
    await h.run(saleTaskOf(SALE));
    expect(h.sent).toEqual([
      { done: { task: { jobId: SALE.saleId, round: 1, stage: pb.Stage.SALE }, numExamples: 0 } },
    ]);
    expect(h.events).toEqual(['emit done']);
    expect(h.touched).toEqual([]);
    expect(h.sales()).toMatchObject([
      {
        kind: 'sale',
        jobId: 'sale-00112233aabbccdd',
        round: 1,
        stage: 'sale',
        purpose: 'sale',
        dataset: '',
        rows: 0,
        epsilon: 0,
        reason:
          'accepted: sale sale-00112233aabbccdd of product "churn-report" (prod-0011223344556677) built from jobs ' +
          'job-1, job-2, to buyer "northbank" (class bank) for 125000 EUR (minor units), sold by acme-insights; ' +
          'allowed by the consent policy /srv/node/policy.yaml: sales.buyers "class:bank", sales.products ' +
          '"churn-report"',
      },
    ]);
    // Asked again with the same terms: the same answer, and no second audit entry.
    await h.run(saleTaskOf(SALE));
    expect(h.sent.map((m) => Object.keys(m)[0])).toEqual(['done', 'done']);
    expect(h.sales()).toHaveLength(1);
    // The same sale id with another buyer: refused, and audited.
    await h.run(saleTaskOf({ ...SALE, buyer: 'otherbank' }));
    expect(h.sent[2]).toMatchObject({
      refused: { kind: pb.RefusalKind.REFUSAL_CONSENT, reason: expect.stringMatching(/already answered for other/) },
    });
    expect(h.sales().map((e) => e.reason.split(':')[0])).toEqual(['accepted', 'refused']);
    expect(h.touched).toEqual([]);
    expect(h.ledger.verifyAudit()).toMatchObject({ ok: true, entries: 2 });
  });

  it('refuses under the policy with kind consent, naming the field, and audits the refusal', async () => {
    const h = harness({ allowed: true, excludeBuyers: ['northbank'] });
    await h.run(saleTaskOf(SALE));
    expect(h.sent).toEqual([
      {
        refused: {
          task: { jobId: SALE.saleId, round: 1, stage: pb.Stage.SALE },
          kind: pb.RefusalKind.REFUSAL_CONSENT,
          reason:
            'consent: sale sale-00112233aabbccdd refused: buyer "northbank" (class bank) is excluded by ' +
            'sales.excludeBuyers ("northbank") in the consent policy /srv/node/policy.yaml',
        },
      },
    ]);
    expect(h.events).toEqual([`refused stage ${pb.Stage.SALE}`]);
    expect(h.sales()[0]!.reason).toMatch(/^refused: sale sale-00112233aabbccdd of product "churn-report" .*; consent:/);
    expect(h.touched).toEqual([]);
    // Without a sales section the owner never consented; an open node (no policy) consents to any sale.
    const silent = harness();
    await silent.run(saleTaskOf(SALE));
    expect(silent.sent[0]).toMatchObject({ refused: { reason: expect.stringMatching(/has no sales section/) } });
    const open = harness('none');
    await open.run(saleTaskOf(SALE));
    expect(Object.keys(open.sent[0]!)).toEqual(['done']);
    expect(open.sales()[0]!.reason).toMatch(/; this node has no consent policy: every sale is allowed$/);
  });

  it('refuses a malformed sale naming the field, before deciding on it', async () => {
    const cases: [tessera.v1.ITask, RegExp][] = [
      [{ ref: { jobId: 's', round: 1, stage: pb.Stage.SALE } }, /Task\.sale is missing/],
      [saleTaskOf({ ...SALE, saleId: '' }, ''), /sale\.sale_id is empty/],
      [saleTaskOf(SALE, 'sale-other'), /sale\.sale_id "sale-00112233aabbccdd" is not the task's job id "sale-other"/],
      [saleTaskOf({ ...SALE, productId: ' ' }), /sale\.product_id is empty/],
      [saleTaskOf({ ...SALE, jobs: [] }), /sale\.jobs is empty/],
      [saleTaskOf({ ...SALE, jobs: ['job-1', ''] }), /sale\.jobs\[1\] is empty/],
      [saleTaskOf({ ...SALE, buyer: '' }), /sale\.buyer is empty/],
      [saleTaskOf({ ...SALE, buyer: 'a\nb' }), /sale\.buyer must be printable text/],
      [saleTaskOf({ ...SALE, amount: 0 }), /sale\.amount must be a whole number of minor units, at least 1, got 0/],
      [saleTaskOf({ ...SALE, amount: 2 ** 60 }), /sale\.amount must be a whole number/],
      [saleTaskOf({ ...SALE, currency: 'eur' }), /sale\.currency must be an ISO 4217 code .* got "eur"/],
    ];
    for (const [task, reason] of cases) {
      const h = harness({ allowed: true });
      await h.run(task);
      expect(h.sent).toHaveLength(1);
      expect(h.sent[0]).toMatchObject({ refused: { kind: pb.RefusalKind.REFUSAL_FAILURE } });
      expect(h.sent[0]!.refused!.reason).toMatch(reason);
      expect(h.sales()).toEqual([]);
      expect(h.touched).toEqual([]);
    }
  });
});
