import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv, selectRows, toCsv, type RawTable } from '@tessera/data';
import { generateSigningKeyPair, sign } from '@tessera/crypto';
import { ParticipantNode, type ParticipantConfig } from '@tessera/participant';
import { parseLedgerLine, verifyEntry, verifyLedger } from '@tessera/payouts';
import { AnalystIdentity, type AnalystClient, type CoordinatorError, type JobView } from '@tessera/sdk';
import { Coordinator, SqliteStore } from '../src/index.js';
import { BREAST_CANCER, connectAnalystTo, enrolIdentity, rawSubmit, type Identity } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

const DATASET = 'patients';
/**
 * The owners' opt-in to payouts (valuation discloses per-round updates in plaintext): a consent grant of training and
 * valuation to any analyst. A node without it refuses the rounds of a payout job (participant valuation-opt-in tests).
 */
const OPT_IN =
  `datasets:\n  ${DATASET}: { allowWithoutPrivacy: true }\n` +
  'grants:\n  - id: any-valuation\n    analysts: ["*"]\n    purposes: [train, valuation]\n    expires: 2099-12-31\n';

/** Rows 0..n-1 of the table dealt round-robin into `parts` shards, and the held-out rest. */
function dealt(table: RawTable, parts: number, validationEvery: number): { shards: RawTable[]; validation: RawTable } {
  const idx = table.rows.map((_, i) => i);
  const validation = idx.filter((i) => i % validationEvery === 0);
  const train = idx.filter((i) => i % validationEvery !== 0);
  return {
    shards: Array.from({ length: parts }, (_, k) =>
      selectRows(
        table,
        train.filter((_, j) => j % parts === k),
      ),
    ),
    validation: selectRows(table, validation),
  };
}

function scrambled(t: RawTable, label: string): RawTable {
  const li = t.columns.indexOf(label);
  // A fixed derangement-like rotation of the labels keeps the class balance and removes the signal.
  const labels = t.rows.map((r) => r[li]);
  const shift = Math.floor(labels.length / 3);
  return {
    ...t,
    rows: t.rows.map((r, i) => r.map((c, j) => (j === li ? labels[(i * 7 + shift) % labels.length] : c))),
  };
}

describe('data-trust payouts: valuation after training, an exact split, a signed ledger and receipts', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];
  const identities = new Map<string, Identity>();
  const table = parseCsv(readFileSync(BREAST_CANCER, 'utf8'), BREAST_CANCER);
  const { shards, validation } = dealt(table, 3, 4);
  const validationCsv = toCsv(validation);

  const configOf = (
    name: string,
    shard: RawTable,
    policy: string | null = OPT_IN,
    secure?: 'none',
  ): ParticipantConfig => {
    const path = join(tmp.dir, `${name}.csv`);
    writeFileSync(path, toCsv(shard));
    const who = identities.get(name)!;
    let policyPath: string | undefined;
    if (policy) {
      policyPath = join(tmp.dir, `${name}-policy.yaml`);
      writeFileSync(policyPath, policy);
    }
    return {
      name,
      coordinator: coord.address,
      participantId: who.id,
      identityKey: '(in memory)',
      datasets: { [DATASET]: { type: 'csv', path, exclude: [], ...(secure ? { secure } : {}) } },
      ledger: join(tmp.dir, `${name}-ledger.sqlite`),
      ...(policyPath ? { policy: policyPath } : {}),
    };
  };
  const start = async (config: ParticipantConfig) => {
    const node = new ParticipantNode({
      config,
      identity: identities.get(config.name)!.keys,
      security: identities.get(config.name)!.clientSecurity,
      minBackoffMs: 100,
      maxBackoffMs: 400,
    });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    nodes.push(node);
    return node;
  };
  const job = (payout: object, extra: object = {}) => ({
    dataset: DATASET,
    label: 'benign',
    rounds: 4,
    minParticipants: 2,
    seed: 'payout',
    roundTimeoutSeconds: 20,
    waitForParticipantsSeconds: 10,
    local: { learningRate: 0.1 },
    payout: {
      pool: 100_000,
      currency: 'CNY',
      valuation: 'shapley',
      validation: { csv: validationCsv, source: 'validation.csv' },
      ...payout,
    },
    ...extra,
  });
  const run = async (spec: object): Promise<JobView> => analyst.watch((await analyst.submit(spec)).id);

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const name of ['a', 'b', 'c', 'd']) identities.set(name, await enrolIdentity(coord, name));
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  afterAll(async () => {
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('pays the noisy participant least, splits the pool exactly, and chains signed entries that verify; ' +
    'each participant keeps its receipt', async () => {
    const started = [
      await start(configOf('a', shards[0])),
      await start(configOf('b', shards[1])),
      await start(configOf('c', shards[2])),
      await start(configOf('d', scrambled(shards[0], 'benign'))),
    ];
    const done = await run(job({}));
    expect(done.status).toBe('completed');
    const p = done.payouts!;
    expect(p.status).toBe('paid');
    expect(p.entries).toHaveLength(4);
    expect(p.entries.reduce((s, e) => s + e.amount, 0)).toBe(100_000);
    const noisy = identities.get('d')!.id;
    const byAmount = [...p.entries].sort((x, y) => x.amount - y.amount);
    expect(byAmount[0].participant).toBe(noisy);
    for (const e of p.entries) if (e.participant !== noisy) expect(e.amount).toBeGreaterThan(byAmount[0].amount);

    const exported = await analyst.exportLedger();
    expect(exported.coordinatorKey).toBe(p.coordinatorPublicKey);
    const key = Buffer.from(exported.coordinatorKey, 'hex');
    const verdict = verifyLedger(exported.lines.join('\n'), key, { head: exported.head });
    expect(verdict).toMatchObject({ ok: true, entries: 4 });
    expect(exported.head).toBe(p.ledgerHead);
    const entries = exported.lines.map((l, i) => parseLedgerLine(l, i + 1));
    expect(entries.map((e) => e.amount)).toEqual(p.entries.map((e) => e.amount));
    expect(new Set(entries.map((e) => e.method))).toEqual(new Set(['shapley']));

    // Receipts arrive asynchronously after the job completes.
    await expect
      .poll(() => started.filter((n) => n.ledger.receipts().length === 0).map((n) => n.id), { timeout: 5_000 })
      .toEqual([]);
    for (const n of started) {
      const receipts = n.ledger.receipts().map((r) => parseLedgerLine(r, 1));
      expect(receipts).toHaveLength(1);
      expect(receipts[0].participant).toBe(n.id);
      expect(verifyEntry(receipts[0], key)).toBe(true);
    }

    // A second job chains onto the first in the same ledger.
    const second = await run(job({ valuation: 'gtg', pool: 1001 }));
    expect(second.payouts!.entries.reduce((s, e) => s + e.amount, 0)).toBe(1001);
    const all = await analyst.exportLedger();
    expect(verifyLedger(all.lines.join('\n'), key, { head: all.head })).toMatchObject({ ok: true, entries: 8 });
    const onlySecond = await analyst.exportLedger(second.id);
    expect(onlySecond.lines).toHaveLength(4);
    expect(verifyLedger(onlySecond.lines.join('\n'), key, { firstSeq: 5 })).toMatchObject({ ok: true, entries: 4 });
  }, 120_000);

  it('does not pay double for duplicated data: each copy earns less than the original did alone, ' +
    'and the pair well under twice that', async () => {
    // The nodes opt in to plaintext aggregation (secure: none), which this comparison runs, and so to valuation.
    const base = [
      configOf('a', shards[0], null, 'none'),
      configOf('b', shards[1], null, 'none'),
      configOf('c', shards[2], null, 'none'),
    ];
    for (const c of base) await start(c);
    // Every row trains (no local validation split, whose draw depends on the random participant ids) and the
    // aggregation is plaintext (masked rounds round stochastically): the copy is an exact duplicate and the values
    // move little between runs. Valuation itself is the same in every mode.
    const plain = { secure: { mode: 'none' }, validationFraction: 0 };
    const alone = (await run(job({ valuation: 'shapley', pool: 1_000_000 }, plain))).payouts!;
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    for (const c of [...base, configOf('d', shards[0], null, 'none')]) await start(c);
    const withCopy = (await run(job({ valuation: 'shapley', pool: 1_000_000 }, plain))).payouts!;
    const valueIn = (p: typeof alone, name: string) =>
      p.entries.find((e) => e.participant === identities.get(name)!.id)!.value;
    const original = valueIn(alone, 'a');
    const pair = valueIn(withCopy, 'a') + valueIn(withCopy, 'd');
    expect(original).toBeGreaterThan(0);
    // The copies split the credit: each earns less than the original alone. Together they earn more than the
    // original (FedAvg weights the duplicated rows twice, which does move the model), but not double:
    // 1.45x to 1.7x over repeated masked runs.
    expect(valueIn(withCopy, 'a')).toBeLessThan(original);
    expect(valueIn(withCopy, 'd')).toBeLessThan(original);
    expect(pair).toBeLessThan(1.85 * original);
    expect(Math.abs(valueIn(withCopy, 'a') - valueIn(withCopy, 'd'))).toBeLessThan(0.3 * pair);
  }, 120_000);

  it('pays only contributors that grant valuation: a node without the grant refuses the rounds, named', async () => {
    const analystKeys = generateSigningKeyPair();
    const identity = Buffer.from(analystKeys.publicKey).toString('hex');
    const policy = (purposes: string) =>
      `analysts:\n  buyer: ${identity}\ndatasets:\n  ${DATASET}: { allowWithoutPrivacy: true }\n` +
      `grants:\n  - id: buyer-train\n    analysts: [buyer]\n    purposes: [${purposes}]\n    expires: 2099-12-31\n`;
    for (const c of [
      configOf('a', shards[0], policy('train, valuation')),
      configOf('b', shards[1], policy('train')),
      configOf('c', shards[2], policy('train, valuation')),
    ])
      await start(c);
    const spec = job({});
    // The buyer the policies name submits: every spec is signed by the analyst who sends it.
    const buyer = await connectAnalystTo(coord, 'buyer', AnalystIdentity.fromSecretKey(analystKeys.secretKey));
    const done = await buyer.watch((await buyer.submit(spec)).id).finally(() => buyer.close());
    expect(done.status).toBe('completed');
    expect(done.analystIdentity).toBe(identity);
    // b refuses the rounds that keep its update for valuation, before training on a row: it contributes nothing.
    const bid = identities.get('b')!.id;
    const refused = done.refusals.filter((r) => r.participantId === bid);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.reason).toMatch(/not opted in to payout valuation/);
    expect(done.payouts!.status).toBe('paid');
    expect(done.payouts!.entries.map((e) => e.participant).sort()).toEqual(
      [identities.get('a')!.id, identities.get('c')!.id].sort(),
    );
  }, 120_000);

  it('never pays twice: a coordinator that stopped after writing the ledger but before recording the ' +
    'payout restores it from the ledger', async () => {
    for (const c of [configOf('a', shards[0]), configOf('b', shards[1])]) await start(c);
    const done = await run(job({ valuation: 'loo', pool: 5000 }));
    const paid = done.payouts!;
    expect(paid.status).toBe('paid');
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    const before = await analyst.exportLedger();
    analyst.close();
    const port = coord.port;
    await coord.stop();
    // The crash window: entries are in the ledger, the job is still running, in its payout stage, with no payout view.
    const store = new SqliteStore(join(tmp.dir, 'coordinator', 'coordinator.sqlite'));
    const record = (await store.getJob(done.id))!;
    const context = JSON.parse(record.contextJson) as { payouts?: unknown; stage?: string };
    delete context.payouts;
    context.stage = 'payout';
    await store.updateJob(done.id, { status: 'running', contextJson: JSON.stringify(context) });
    await store.close();
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: `127.0.0.1:${port}` });
    analyst = await connectAnalystTo(coord);
    const resumed = await analyst.watch(done.id);
    expect(resumed.status).toBe('completed');
    expect(resumed.payouts!.status).toBe('paid');
    expect(resumed.payouts!.entries.map((e) => e.amount)).toEqual(paid.entries.map((e) => e.amount));
    const after = await analyst.exportLedger();
    expect(after.lines).toEqual(before.lines);
  }, 120_000);

  it('refuses bad payout specs and unverifiable signatures at submission, naming the field', async () => {
    const bad = async (spec: object, opts: Parameters<AnalystClient['submit']>[1] = {}) => {
      try {
        await analyst.submit(spec, opts);
      } catch (e) {
        return e as CoordinatorError;
      }
      throw new Error('accepted');
    };
    expect((await bad(job({ pool: -5 }))).message).toMatch(/payout\.pool.*-5/);
    expect((await bad(job({ pool: 10.5 }))).message).toMatch(/payout\.pool/);
    expect((await bad(job({ currency: 'yuan' }))).message).toMatch(/payout\.currency/);
    expect((await bad(job({ valuation: 'magic' }))).message).toMatch(/payout\.valuation/);
    expect((await bad(job({ validation: {} }))).message).toMatch(/payout\.validation/);
    expect(
      (await bad(job({}, { privacy: { mode: 'distributed', unit: 'record', epsilon: 4, delta: 1e-5 } }))).message,
    ).toMatch(/payout\.valuation: shapley is refused under differential privacy.*per-round model updates/);
    const k = generateSigningKeyPair();
    const specJson = JSON.stringify(job({}));
    const forged = await rawSubmit(coord, 'forger', k.publicKey, {
      specJson,
      analystIdentity: k.publicKey,
      specSignature: sign('tessera/v1/job-spec', new TextEncoder().encode('another spec'), k.secretKey),
    });
    expect(forged.error?.details).toMatch(/spec_signature/);
  });
});
