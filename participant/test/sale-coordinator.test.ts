// A member's side of a sale through a real coordinator: the SALE task its node answers by its policy, the audit
// entry of each decision, and the receipts of its payout and of a refund (negative), kept and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '@tessera/data';
import { Coordinator } from '@tessera/coordinator';
import type { LedgerEntry, ProductView } from '@tessera/payouts';
import type { AnalystClient } from '@tessera/sdk';
import {
  BREAST_CANCER,
  connectAnalystTo,
  enrolIdentity,
  shards,
  type Identity,
} from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { auditParticipant, LocalData, ParticipantNode, type ParticipantConfig } from '../src/index.js';

const DATASET = 'patients';

describe("a member's node answers sales made through a real coordinator", () => {
  const tmp = tempDir('tessera-sale-coordinator-');
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes = new Map<string, ParticipantNode>();
  const configs = new Map<string, ParticipantConfig>();
  const who = new Map<string, Identity>();
  const id = (name: string) => who.get(name)!.id;
  /** Calls on each node's data once it connected: a sale or a receipt may make none. */
  const dataCalls: string[] = [];
  let connected = false;
  /** Receipts each node kept, as it emitted them. */
  const receipts = new Map<string, LedgerEntry[]>();
  let product: ProductView;
  const policyOf = (name: string) => join(tmp.dir, `${name}-policy.yaml`);

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    const data = shards(BREAST_CANCER, 2);
    // "open" has no policy (every sale allowed); "guarded" sells to banks only, and only this report.
    writeFileSync(
      policyOf('guarded'),
      'grants: []\nsales:\n  allowed: true\n  buyers: ["class:bank"]\n  products: ["Market insight"]\n',
    );
    for (const [i, name] of ['open', 'guarded'].entries()) {
      who.set(name, await enrolIdentity(coord, name));
      const path = join(tmp.dir, `${name}.csv`);
      writeFileSync(path, toCsv(data[i]!));
      const config: ParticipantConfig = {
        name,
        coordinator: coord.address,
        participantId: id(name),
        identityKey: '(in memory)',
        datasets: { [DATASET]: { type: 'csv', path, exclude: [] } },
        ledger: join(tmp.dir, `${name}-ledger.sqlite`),
        ...(name === 'guarded' ? { policy: policyOf(name) } : {}),
      };
      configs.set(name, config);
      const real = new LocalData(config.datasets);
      const watched = new Proxy(real, {
        get: (target, p, receiver) => {
          const v = Reflect.get(target, p, receiver);
          if (connected) dataCalls.push(`${name}.${String(p)}`);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const node = new ParticipantNode({
        config,
        identity: who.get(name)!.keys,
        security: who.get(name)!.clientSecurity,
        data: watched,
        minBackoffMs: 100,
        maxBackoffMs: 400,
      });
      receipts.set(name, []);
      node.on('receipt', (e: LedgerEntry) => receipts.get(name)!.push(e));
      const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
      node.start();
      await ready;
      nodes.set(name, node);
    }
    connected = true;
    // A finished report both nodes contributed to, as its runner leaves it; sold with `equal` valuation.
    const now = Date.now();
    await coord.store.createJob({
      id: 'job-report',
      name: 'job-report',
      specJson: JSON.stringify({ kind: 'query', sql: 'SELECT COUNT(*) AS n FROM patients' }),
      status: 'completed',
      roundsCompleted: 1,
      roundsTotal: 1,
      createdAt: now,
      updatedAt: now,
      error: '',
      contextJson: JSON.stringify({ contributors: [id('open'), id('guarded')] }),
      owner: 'analyst',
    });
    product = await analyst.addProduct({
      jobs: ['job-report'],
      name: 'Market insight',
      price: 10_000,
      currency: 'EUR',
      valuation: 'equal',
    });
  });
  afterAll(async () => {
    await Promise.all([...nodes.values()].map((n) => n.stop()));
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  const saleLog = (name: string) => auditParticipant(configs.get(name)!).log.filter((e) => e.kind === 'sale');
  const receiptLog = (name: string) => auditParticipant(configs.get(name)!).log.filter((e) => e.kind === 'receipt');
  const until = async (f: () => boolean) => {
    for (let i = 0; i < 100 && !f(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(f()).toBe(true);
  };

  it('a sale both policies allow: each node consents, audits it, and keeps and audits its payout', async () => {
    const sale = await analyst.sellProduct({ product: product.id, buyer: 'First Bank', buyerClass: 'bank' });
    expect(sale.refusals).toEqual([]);
    expect(sale.entries.map((e) => [e.participant, e.amount]).sort()).toEqual(
      [
        [id('open'), 5_000],
        [id('guarded'), 5_000],
      ].sort(),
    );
    for (const name of ['open', 'guarded']) {
      const [entry] = saleLog(name);
      expect(entry).toMatchObject({ jobId: sale.id, stage: 'sale', purpose: 'sale' });
      expect(entry!.reason).toMatch(
        new RegExp(
          `^accepted: sale ${sale.id} of product "Market insight" \\(${product.id}\\) built from jobs job-report, ` +
            'to buyer "First Bank" \\(class bank\\) for 10000 EUR \\(minor units\\), sold by analyst; ',
        ),
      );
      await until(() => receiptLog(name).length === 1);
      expect(receipts.get(name)).toMatchObject([{ kind: 'payout', amount: 5_000, sale: sale.id, product: product.id }]);
      expect(receiptLog(name)[0]).toMatchObject({ jobId: sale.id, purpose: 'payout' });
    }
    expect(saleLog('guarded')[0]!.reason).toContain(`allowed by the consent policy ${policyOf('guarded')}`);
  });

  it('a sale one policy refuses: that member is left out, its refusal names the field, and it is audited', async () => {
    const sale = await analyst.sellProduct({ product: product.id, buyer: 'Broker Ltd', buyerClass: 'broker' });
    expect(sale.entries.map((e) => [e.participant, e.amount])).toEqual([[id('open'), 10_000]]);
    expect(sale.refusals).toMatchObject([{ participant: id('guarded'), kind: 'policy' }]);
    expect(sale.refusals[0]!.reason).toContain(
      `refused: buyer "Broker Ltd" (class broker) is not among sales.buyers ("class:bank") in the consent policy`,
    );
    const refused = saleLog('guarded')[1]!;
    expect(refused.jobId).toBe(sale.id);
    expect(refused.reason).toMatch(/^refused: sale .* to buyer "Broker Ltd" \(class broker\) for 10000 EUR/);
    expect(refused.reason).toContain(`sales.buyers ("class:bank") in the consent policy ${policyOf('guarded')}`);
    await until(() => receiptLog('open').length === 2);
    // The refusing member is paid nothing from it.
    expect(receipts.get('guarded')).toHaveLength(1);
  });

  it('a refund reaches each paid member as a negative receipt, kept and audited; no data was read', async () => {
    const [first] = await analyst.listSales(product.id);
    const refunded = await analyst.refundSale({ sale: first!.id, amount: 3_000, reason: 'late delivery' });
    expect(refunded.refunds).toHaveLength(1);
    for (const name of ['open', 'guarded']) {
      await until(() => receipts.get(name)!.some((e) => e.kind === 'refund'));
      const refund = receipts.get(name)!.find((e) => e.kind === 'refund')!;
      expect(refund).toMatchObject({ amount: -1_500, sale: first!.id, product: product.id, method: 'refund' });
      await until(() => receiptLog(name).some((e) => e.purpose === 'refund'));
      expect(receiptLog(name).find((e) => e.purpose === 'refund')!.reason).toBe(
        `refund of -1500 EUR (minor units) for sale ${first!.id} of product ${product.id} (jobs job-report), ` +
          `ledger seq ${refund.seq}`,
      );
      const audit = auditParticipant(configs.get(name)!);
      expect(audit.receipts.length).toBe(receipts.get(name)!.length);
      expect(audit.uses).toEqual([]);
      expect(audit.log.filter((e) => e.kind === 'use')).toEqual([]);
      expect(audit.chain.ok).toBe(true);
    }
    expect(dataCalls.filter((c) => !c.endsWith('.names'))).toEqual([]);
  });
});
