import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv, type RawTable } from '@tessera/data';
import { generateSigningKeyPair, type SigningKeyPair } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import { Coordinator } from '@tessera/coordinator';
import { AnalystIdentity, type AnalystClient } from '@tessera/sdk';
import {
  BREAST_CANCER,
  connectAnalystTo,
  enrolIdentity,
  type Identity,
  shards,
} from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import {
  auditParticipant,
  grantStatuses,
  ParticipantNode,
  PrivacyLedger,
  revokeGrant,
  type ParticipantConfig,
} from '../src/index.js';

const pb = tessera.v1;
const DATASET = 'patients';

describe('consent grants enforced by a running node: revocation and expiry stop the next round', () => {
  const tmp = tempDir('tessera-consent-e2e-');
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];
  const parts = shards(BREAST_CANCER, 3);
  const identities = new Map<string, Identity>();

  const configOf = (name: string, shard: RawTable, policy?: string): ParticipantConfig => {
    const path = join(tmp.dir, `${name}.csv`);
    writeFileSync(path, toCsv(shard));
    let policyPath: string | undefined;
    if (policy) {
      policyPath = join(tmp.dir, `${name}-policy.yaml`);
      writeFileSync(policyPath, policy);
    }
    return {
      name,
      coordinator: coord.address,
      participantId: identities.get(name)!.id,
      identityKey: '(in memory)',
      datasets: { [DATASET]: { type: 'csv', path, exclude: [] } },
      ledger: join(tmp.dir, `${name}-ledger.sqlite`),
      ...(policyPath ? { policy: policyPath } : {}),
    };
  };
  const start = async (config: ParticipantConfig, clock?: () => number) => {
    const node = new ParticipantNode({
      config,
      identity: identities.get(config.name)!.keys,
      security: identities.get(config.name)!.clientSecurity,
      minBackoffMs: 100,
      maxBackoffMs: 400,
      ...(clock ? { clock } : {}),
    });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    nodes.push(node);
    return node;
  };
  /**
   * Runs `f` once, when the node has finished its part of the FIT round `round` (in secure aggregation: its unmask
   * step).
   */
  const afterFitRound = (node: ParticipantNode, round: number, f: () => void) => {
    const onDone = (ref: tessera.v1.ITaskRef) => {
      const fit = ref.stage === pb.Stage.FIT || (ref.stage === pb.Stage.UNMASK && ref.computation === pb.Stage.FIT);
      if (fit && Number(ref.round) === round) {
        node.off('done', onDone);
        f();
      }
    };
    node.on('done', onDone);
  };
  const job = (seed: string) => ({
    dataset: DATASET,
    label: 'benign',
    rounds: 5,
    minParticipants: 2,
    seed,
    roundTimeoutSeconds: 20,
    waitForParticipantsSeconds: 10,
    local: { learningRate: 1 },
  });
  const policy = (id: string, expires: string) =>
    [
      'datasets:',
      '  patients: { allowWithoutPrivacy: true }',
      'grants:',
      `  - id: ${id}`,
      '    analysts: ["*"]',
      '    purposes: [train]',
      '    datasets: [patients]',
      `    expires: ${expires}`,
      `  - id: ${id}-queries`,
      '    analysts: ["*"]',
      '    purposes: [query]',
      `    expires: ${expires}`,
      '',
    ].join('\n');

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const name of ['a', 'b', 'c', 'd', 'e']) identities.set(name, await enrolIdentity(coord, name));
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  afterAll(async () => {
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it(
    'a grant revoked (through the ledger, as the CLI does) after round 2 refuses the next round with the reason, ' +
      'and nothing is read after it',
    async () => {
      const c = configOf('c', parts[2], policy('hospital-train', '2099-12-31'));
      await start(configOf('a', parts[0]));
      await start(configOf('b', parts[1]));
      const node = await start(c);
      let revokedAt = 0;
      afterFitRound(node, 2, () => {
        const r = revokeGrant(c, 'hospital-train', { reason: 'study withdrawn' });
        revokedAt = r.atMs;
        expect(r.alreadyRevoked).toBe(false);
      });
      const done = await analyst.watch((await analyst.submit(job('revoke'))).id);
      expect(done.status).toBe('completed');
      expect(revokedAt).toBeGreaterThan(0);
      const cid = identities.get('c')!.id;
      const refused = done.refusals.filter((r) => r.participantId === cid);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.reason).toMatch(
          /^consent: grant "hospital-train" was revoked at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(study withdrawn\)$/,
        );
        expect(r.round).toBeGreaterThanOrEqual(2);
      }
      expect(done.refusals.every((r) => r.participantId === cid)).toBe(true);
      // Rounds before the revocation counted c; the rounds after it went on without c.
      const fits = done.history.filter((h) => h.stage === 'fit' && h.status === 'completed');
      expect(fits.find((h) => h.round === 1)?.contributors).toBe(3);
      expect(fits.filter((h) => h.round >= 4).every((h) => h.contributors === 2)).toBe(true);

      const audit = auditParticipant(c);
      expect(audit.chain.ok).toBe(true);
      const uses = audit.log.filter((e) => e.kind === 'use');
      expect(uses.length).toBeGreaterThan(0);
      expect(
        uses.every(
          (e) => e.at <= revokedAt && e.grantId === 'hospital-train' && e.purpose === 'train' && e.dataset === DATASET,
        ),
      ).toBe(true);
      expect(uses.filter((e) => e.stage === 'fit').map((e) => e.round)).toEqual([1, 2]);
      expect(uses[0].columns).toContain('benign');
      expect(audit.uses.every((u) => u.at <= revokedAt)).toBe(true);
      expect(audit.log.find((e) => e.kind === 'revocation')).toMatchObject({
        grantId: 'hospital-train',
        reason: 'study withdrawn',
        at: revokedAt,
      });
      const refusals = audit.log.filter((e) => e.kind === 'refusal');
      expect(refusals.length).toBe(refused.length);
      expect(refusals.every((e) => e.at >= revokedAt && /was revoked at/.test(e.reason))).toBe(true);
      expect(grantStatuses(c).map((g) => [g.id, g.status])).toEqual([
        ['hospital-train', 'revoked'],
        ['hospital-train-queries', 'active'],
      ]);

      // The next job from the same analyst is refused by c at its first task; the revocation survives a restart.
      await node.stop();
      nodes.splice(nodes.indexOf(node), 1);
      await start(c);
      const next = await analyst.watch((await analyst.submit({ ...job('after'), rounds: 1 })).id);
      expect(next.refusals.filter((r) => r.participantId === cid).map((r) => r.stage)).toEqual(['schema']);
      const ledger = new PrivacyLedger(c.ledger!);
      expect(ledger.verifyAudit().ok).toBe(true);
      ledger.close();
    },
  );

  it("a grant that expires during a job (by the node's clock) stops its use at the next task", async () => {
    const expires = Date.now() + 365 * 86_400_000;
    const d = configOf('d', parts[2], policy('short-train', new Date(expires).toISOString()));
    await start(configOf('a', parts[0]));
    await start(configOf('b', parts[1]));
    let skew = 0;
    const node = await start(d, () => Date.now() + skew);
    let expiredAt = 0;
    afterFitRound(node, 2, () => {
      expiredAt = Date.now();
      skew = expires - Date.now() + 1; // the node's clock now reads just past the expiry
    });
    const done = await analyst.watch((await analyst.submit(job('expiry'))).id);
    expect(done.status).toBe('completed');
    const did = identities.get('d')!.id;
    const refused = done.refusals.filter((r) => r.participantId === did);
    expect(refused.length).toBeGreaterThan(0);
    const iso = new Date(expires).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const r of refused) expect(r.reason).toBe(`consent: grant "short-train" expired on ${iso}`);
    const audit = auditParticipant(d);
    expect(audit.chain.ok).toBe(true);
    expect(audit.log.filter((e) => e.kind === 'use').every((e) => e.at <= expiredAt)).toBe(true);
    expect(audit.log.filter((e) => e.kind === 'use' && e.stage === 'fit').map((e) => e.round)).toEqual([1, 2]);
  });

  it('admits a signed job only for the analysts a grant names, and logs analyst and grant with each use', async () => {
    const acme = generateSigningKeyPair();
    const stranger = generateSigningKeyPair();
    const hex = (k: SigningKeyPair) => Buffer.from(k.publicKey).toString('hex');
    // Each analyst signs its specs (context tessera/v1/job-spec); the coordinator checks the signature against the
    // analyst's registered identity and passes the identity to every task.
    const as = (name: string, k: SigningKeyPair) =>
      connectAnalystTo(coord, name, AnalystIdentity.fromSecretKey(k.secretKey));
    const acmeAnalyst = await as('acme', acme);
    const strangerAnalyst = await as('stranger', stranger);
    const e = configOf(
      'e',
      parts[2],
      [
        'analysts:',
        `  acme-research: ${hex(acme)}`,
        'datasets:',
        '  patients: { allowWithoutPrivacy: true }',
        'grants:',
        '  - id: acme-train',
        '    analysts: [acme-research]',
        '    purposes: [train]',
        '    expires: 2099-12-31',
        '',
      ].join('\n'),
    );
    await start(configOf('a', parts[0]));
    await start(configOf('b', parts[1]));
    await start(e);
    const eid = identities.get('e')!.id;
    const ok = await acmeAnalyst.watch((await acmeAnalyst.submit({ ...job('acme'), rounds: 2 })).id);
    expect(ok.status).toBe('completed');
    expect(ok.refusals).toEqual([]);
    const refused = await strangerAnalyst.watch((await strangerAnalyst.submit({ ...job('stranger'), rounds: 2 })).id);
    acmeAnalyst.close();
    strangerAnalyst.close();
    expect(refused.refusals.filter((r) => r.participantId === eid)).toMatchObject([
      {
        stage: 'schema',
        reason:
          'consent: no grant of this node allows purpose "train" (job kind train) ' +
          `for analyst ${hex(stranger).slice(0, 8)}…(not named in the policy) on data set "patients" ` +
          '(this analyst is not named in the policy and no grant is to "*")',
      },
    ]);
    const audit = auditParticipant(e);
    expect(audit.chain.ok).toBe(true);
    const uses = audit.log.filter((x) => x.kind === 'use');
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.every((x) => x.analyst === hex(acme) && x.grantId === 'acme-train')).toBe(true);
    expect(audit.log.filter((x) => x.kind === 'refusal')).toMatchObject([
      { analyst: hex(stranger), stage: 'schema', purpose: 'train', dataset: DATASET },
    ]);
  });
});
