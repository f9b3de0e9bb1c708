// A running node answers sales and keeps a sale's receipts, over the real participant protocol (signed messages on
// a gRPC stream), driven by a coordinator that sends exactly the SALE tasks and receipts a test writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, toHex } from '@tessera/crypto';
import { appendEntries, GENESIS_HASH, ledgerLine, signHead, type PayoutRecord } from '@tessera/payouts';
import { tessera } from '@tessera/proto';
import { BREAST_CANCER } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { auditParticipant, LocalData, ParticipantNode, type ParticipantConfig } from '../src/index.js';
import { RogueCoordinator } from './support/rogue-coordinator.js';
import { SALE, saleTaskOf } from './support/sale-fixture.js';

const pb = tessera.v1;
const DATASET = 'patients';

describe('a running node consents to sales under its policy and keeps their receipts', () => {
  const tmp = tempDir('tessera-sale-e2e-');
  const me = generateSigningKeyPair();
  const coordinatorKey = generateSigningKeyPair();
  const rogue = new RogueCoordinator(me.publicKey);
  let node: ParticipantNode;
  let config: ParticipantConfig;
  const policyPath = join(tmp.dir, 'policy.yaml');
  /** Every call on the node's data after it connected (none may come from a sale or a receipt). */
  const dataCalls: string[] = [];
  let connected = false;

  beforeAll(async () => {
    const csv = join(tmp.dir, 'patients.csv');
    copyFileSync(BREAST_CANCER, csv);
    writeFileSync(
      policyPath,
      [
        'analysts: {}',
        'grants: []',
        'sales:',
        '  allowed: true',
        '  buyers: ["class:bank", "insureco"]',
        '  excludeBuyers: ["shadybank"]',
        '  products: ["churn-report"]',
        '',
      ].join('\n'),
    );
    await rogue.start();
    config = {
      name: 'me',
      coordinator: rogue.address,
      insecure: true,
      participantId: 'me',
      identityKey: '(in memory)',
      ledger: join(tmp.dir, 'ledger.sqlite'),
      policy: policyPath,
      datasets: { [DATASET]: { type: 'csv', path: csv, exclude: [] } },
    };
    const real = new LocalData(config.datasets);
    // The node's own data, recording every method called on it once the node is connected.
    const data = new Proxy(real, {
      get: (target, p, receiver) => {
        const v = Reflect.get(target, p, receiver);
        if (typeof v !== 'function') {
          if (connected) dataCalls.push(String(p));
          return v;
        }
        return (...args: unknown[]) => {
          if (connected) dataCalls.push(String(p));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    node = new ParticipantNode({ config, identity: me, data });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    connected = true;
  });
  afterAll(async () => {
    await node.stop();
    await rogue.stop();
    tmp.cleanup();
  });

  const offer = async (sale: tessera.v1.ISaleTask) => {
    const task = saleTaskOf(sale);
    const answer = rogue.answerTo(task.ref!);
    rogue.send({ task });
    return answer;
  };
  const saleEntries = () => node.ledger.auditLog().filter((e) => e.kind === 'sale');

  it('answers each sale by its policy, audits each decision, and reads no data', async () => {
    // A bank buying the allowed product: consent.
    expect(await offer(SALE)).toEqual({ body: 'done' });
    // A buyer outside sales.buyers, an excluded one, and a product outside sales.products: refused, kind consent.
    const outside = await offer({ ...SALE, saleId: 'sale-2', buyer: 'brokerco', buyerClass: 'broker' });
    expect(outside.kind).toBe(pb.RefusalKind.REFUSAL_CONSENT);
    // The analyst is told the rule and the field; the policy's path stays on the node.
    expect(outside.refused).toBe(
      'consent: sale sale-2 refused: buyer "brokerco" (class broker) is not among sales.buyers ("class:bank", ' +
        '"insureco") in the consent policy (a local file): add "brokerco" or "class:broker" to sell to it',
    );
    const excluded = await offer({ ...SALE, saleId: 'sale-3', buyer: 'shadybank' });
    expect(excluded).toMatchObject({ kind: pb.RefusalKind.REFUSAL_CONSENT, refused: expect.stringMatching(/exclu/) });
    const product = await offer({ ...SALE, saleId: 'sale-4', productName: 'basket-model', productId: 'prod-9' });
    expect(product.refused).toMatch(
      /product "basket-model" \(prod-9\) is not among sales\.products \("churn-report"\)/,
    );
    // By name, whatever its class.
    expect(await offer({ ...SALE, saleId: 'sale-5', buyer: 'insureco', buyerClass: 'insurer' })).toEqual({
      body: 'done',
    });
    // A malformed sale: refused as a failure, naming the field; no sale entry.
    const bad = await offer({ ...SALE, saleId: 'sale-6', currency: 'euro' });
    expect(bad).toMatchObject({
      kind: pb.RefusalKind.REFUSAL_FAILURE,
      refused: expect.stringMatching(/sale\.currency/),
    });
    // The first sale again: the same answer, no second entry.
    expect(await offer(SALE)).toEqual({ body: 'done' });

    const entries = saleEntries();
    expect(entries.map((e) => [e.jobId, e.reason.split(':')[0]])).toEqual([
      [SALE.saleId, 'accepted'],
      ['sale-2', 'refused'],
      ['sale-3', 'refused'],
      ['sale-4', 'refused'],
      ['sale-5', 'accepted'],
    ]);
    // The audit log holds the whole reason, with the policy file, and the sale's terms.
    expect(entries[1]!.reason).toContain(`in the consent policy ${policyPath}`);
    expect(entries[0]!.reason).toBe(
      'accepted: sale sale-00112233aabbccdd of product "churn-report" (prod-0011223344556677) built from jobs ' +
        'job-1, job-2, to buyer "northbank" (class bank) for 125000 EUR (minor units), sold by acme-insights; ' +
        `allowed by the consent policy ${policyPath}: sales.buyers "class:bank", sales.products "churn-report"`,
    );
    // Nothing read, nothing charged, and every refusal logged as well.
    expect(dataCalls.filter((c) => c !== 'names')).toEqual([]);
    const audit = auditParticipant(config);
    expect(audit.uses).toEqual([]);
    expect(audit.log.filter((e) => e.kind === 'use')).toEqual([]);
    expect(audit.log.filter((e) => e.kind === 'refusal').map((e) => [e.jobId, e.stage])).toEqual([
      ['sale-2', 'sale'],
      ['sale-3', 'sale'],
      ['sale-4', 'sale'],
      ['sale-6', 'sale'],
    ]);
    expect(audit.chain.ok).toBe(true);
  });

  it("keeps, countersigns and audits a sale's payout and refund; refuses the buyer's side", async () => {
    const base = { currency: 'EUR', timestamp: '2026-12-03T19:00:00.000Z', product: SALE.productId! };
    const jobs = 'job-1+job-2';
    const records: PayoutRecord[] = [
      {
        ...base,
        kind: 'sale',
        job: jobs,
        participant: 'northbank',
        amount: 1000,
        method: 'equal',
        share: 1,
        sale: SALE.saleId!,
      },
      {
        ...base,
        kind: 'payout',
        job: jobs,
        participant: 'me',
        amount: 600,
        method: 'equal',
        share: 0.6,
        sale: SALE.saleId!,
      },
      {
        ...base,
        kind: 'payout',
        job: jobs,
        participant: 'p2',
        amount: 400,
        method: 'equal',
        share: 0.4,
        sale: SALE.saleId!,
      },
      {
        ...base,
        kind: 'refund',
        job: jobs,
        participant: 'me',
        amount: -150,
        method: 'refund',
        share: 0.6,
        sale: SALE.saleId!,
      },
      {
        ...base,
        kind: 'buyer-refund',
        job: jobs,
        participant: 'northbank',
        amount: -250,
        method: 'refund',
        share: 1,
        sale: SALE.saleId!,
      },
      // The buyer's side, as if this node were the buyer: still not a member's money.
      { ...base, kind: 'sale', job: jobs, participant: 'me', amount: 5, method: 'equal', share: 1, sale: 's2' },
    ];
    const entries = appendEntries({ seq: 0, hash: GENESIS_HASH }, records, coordinatorKey.secretKey);
    const last = entries[entries.length - 1]!;
    const head = signHead({ seq: last.seq, hash: last.hash }, coordinatorKey.secretKey);
    const receiptOf = (i: number) => ({
      receipt: { entryJson: ledgerLine(entries[i]!), coordinatorKey: coordinatorKey.publicKey, head },
    });
    const kept: unknown[] = [];
    node.on('receipt', (e) => kept.push(e));
    // Refused first (the buyer's sale event, a buyer-refund, this node as a buyer), then its payout and its refund.
    for (const i of [0, 4, 5, 1, 3]) rogue.send(receiptOf(i));
    const cosigned = [
      await rogue.next((m) => m.body === 'ledgerCosignature'),
      await rogue.next((m) => m.body === 'ledgerCosignature'),
    ];
    expect(cosigned.map((m) => Number(m.ledgerCosignature!.seq))).toEqual([last.seq, last.seq]);
    expect(kept).toMatchObject([
      { kind: 'payout', amount: 600, sale: SALE.saleId!, product: SALE.productId },
      { kind: 'refund', amount: -150, sale: SALE.saleId!, product: SALE.productId },
    ]);
    const audit = auditParticipant(config);
    expect(audit.receipts).toHaveLength(2);
    expect(audit.log.filter((e) => e.kind === 'receipt').map((e) => [e.jobId, e.purpose, e.reason])).toEqual([
      [
        SALE.saleId,
        'payout',
        `payout of 600 EUR (minor units) for sale ${SALE.saleId} of product ${SALE.productId} ` +
          '(jobs job-1, job-2), ledger seq 2',
      ],
      [
        SALE.saleId,
        'refund',
        `refund of -150 EUR (minor units) for sale ${SALE.saleId} of product ${SALE.productId} ` +
          '(jobs job-1, job-2), ledger seq 4',
      ],
    ]);
    expect(audit.chain.ok).toBe(true);
    expect(toHex(coordinatorKey.publicKey)).toBe(node.ledger.firstReceiptKey());
    expect(dataCalls.filter((c) => c !== 'names')).toEqual([]);
  });
});
