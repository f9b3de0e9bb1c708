// A coordinator holds the ledger key and can write a sale's payout to any member without asking it: a running node
// keeps a sale's receipt only for a sale it consented to (its audit log's answer), and audits every other as refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@tessera/crypto';
import { appendEntries, GENESIS_HASH, ledgerLine, signHead, type PayoutRecord } from '@tessera/payouts';
import { BREAST_CANCER } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { auditParticipant, LocalData, ParticipantNode, type ParticipantConfig } from '../src/index.js';
import { RogueCoordinator } from './support/rogue-coordinator.js';
import { SALE, saleTaskOf } from './support/sale-fixture.js';

describe("a node keeps a sale's receipts only for a sale it consented to", () => {
  const tmp = tempDir('tessera-sale-receipt-consent-');
  const me = generateSigningKeyPair();
  const coordinatorKey = generateSigningKeyPair();
  const rogue = new RogueCoordinator(me.publicKey);
  let node: ParticipantNode;
  let config: ParticipantConfig;

  beforeAll(async () => {
    const csv = join(tmp.dir, 'patients.csv');
    copyFileSync(BREAST_CANCER, csv);
    const policy = join(tmp.dir, 'policy.yaml');
    writeFileSync(
      policy,
      ['analysts: {}', 'grants: []', 'sales:', '  allowed: true', '  buyers: ["class:bank"]', ''].join('\n'),
    );
    await rogue.start();
    config = {
      name: 'me',
      coordinator: rogue.address,
      insecure: true,
      participantId: 'me',
      identityKey: '(in memory)',
      ledger: join(tmp.dir, 'ledger.sqlite'),
      policy,
      datasets: { patients: { type: 'csv', path: csv, exclude: [] } },
    };
    node = new ParticipantNode({ config, identity: me, data: new LocalData(config.datasets) });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
  });
  afterAll(async () => {
    await node.stop();
    await rogue.stop();
    tmp.cleanup();
  });

  const offer = async (sale: typeof SALE) => {
    const task = saleTaskOf(sale);
    const answer = rogue.answerTo(task.ref!);
    rogue.send({ task });
    return answer;
  };

  it('refuses and audits, keeping nothing, a payout or refund of a sale it refused or never saw', async () => {
    expect(await offer(SALE)).toEqual({ body: 'done' });
    // A buyer outside sales.buyers: refused.
    expect((await offer({ ...SALE, saleId: 'sale-refused', buyer: 'brokerco', buyerClass: 'broker' })).body).toBe(
      'refused',
    );
    const jobs = (SALE.jobs ?? []).join('+');
    const base = { currency: 'EUR', timestamp: '2026-12-03T19:00:00.000Z', job: jobs, participant: 'me' };
    const payout = (sale: string, product: string, amount: number): PayoutRecord => ({
      ...base,
      kind: 'payout',
      product,
      sale,
      amount,
      method: 'equal',
      share: 0.5,
    });
    const refund = (sale: string, amount: number): PayoutRecord => ({
      ...base,
      kind: 'refund',
      product: SALE.productId!,
      sale,
      amount,
      method: 'refund',
      share: 0.5,
    });
    const records: PayoutRecord[] = [
      payout('sale-refused', SALE.productId!, 300),
      payout('sale-never-asked', SALE.productId!, 200),
      refund('sale-never-asked', -50),
      // The consented sale's id, paid for another product or other jobs than the node consented to.
      payout(SALE.saleId!, 'prod-ffffffffffffffff', 100),
      { ...payout(SALE.saleId!, SALE.productId!, 100), job: 'job-1+job-9' },
      // Kept: the consented sale's payout and refund, and a job's own payout (no sale).
      payout(SALE.saleId!, SALE.productId!, 600),
      refund(SALE.saleId!, -150),
      { ...base, kind: 'payout', job: 'job-7', product: '', sale: '', amount: 40, method: 'equal', share: 1 },
    ];
    const entries = appendEntries({ seq: 0, hash: GENESIS_HASH }, records, coordinatorKey.secretKey);
    const last = entries[entries.length - 1]!;
    const head = signHead({ seq: last.seq, hash: last.hash }, coordinatorKey.secretKey);
    const kept: { seq: number }[] = [];
    const allKept = new Promise<void>((resolve) =>
      node.on('receipt', (e: { seq: number }) => {
        kept.push(e);
        if (kept.length === 3) resolve();
      }),
    );
    for (const e of entries)
      rogue.send({ receipt: { entryJson: ledgerLine(e), coordinatorKey: coordinatorKey.publicKey, head } });
    await allKept;
    // Receipts are handled in the order sent: every refused one came before the last kept one.
    expect(kept.map((e) => e.seq)).toEqual([6, 7, 8]);
    const audit = auditParticipant(config);
    expect(audit.receipts).toHaveLength(3);
    const refusals = audit.log.filter((e) => e.kind === 'refusal' && e.stage === 'receipt');
    expect(refusals.map((e) => [e.jobId, e.purpose])).toEqual([
      ['sale-refused', 'payout'],
      ['sale-never-asked', 'payout'],
      ['sale-never-asked', 'refund'],
      [SALE.saleId, 'payout'],
      [SALE.saleId, 'payout'],
    ]);
    expect(refusals[0]!.reason).toMatch(/refused: payout of 300 EUR .*sale sale-refused.*this node refused the sale/);
    expect(refusals[1]!.reason).toMatch(/this node was never asked about sale sale-never-asked/);
    expect(refusals[3]!.reason).toMatch(/product prod-ffffffffffffffff \(jobs job-1, job-2\).*not the terms/);
    expect(refusals[4]!.reason).toMatch(/\(jobs job-1, job-9\).*not the terms/);
    expect(audit.log.filter((e) => e.kind === 'receipt').map((e) => [e.jobId, e.purpose])).toEqual([
      [SALE.saleId, 'payout'],
      [SALE.saleId, 'refund'],
    ]);
    expect(audit.chain.ok).toBe(true);
  });
});
