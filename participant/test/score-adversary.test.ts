// A coordinator that forges SCORE tasks: unsigned or foreign scoring keys, per-customer segments, exact totals on a
// budgeted data set. The participant node refuses or suppresses, and its audit log says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, sign } from '@tessera/crypto';
import { loadSeal, ScoringAnalyst, type SegmentCiphertexts } from '@tessera/he';
import { JOB_SPEC_CONTEXT, encodedFeaturesOf, parseScoreSpec, scoreNoise } from '@tessera/jobs';
import { columnProfileToProto, privacyModes, privacyUnits, signScoringSetup, tessera } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { ParticipantNode, type ParticipantConfig, type PrivacyLedger } from '../src/index.js';
import { RogueCoordinator } from './support/rogue-coordinator.js';

const pb = tessera.v1;
const FEATURES = [
  { name: 'visits', kind: 'numeric' as const },
  { name: 'spend', kind: 'numeric' as const },
];

/** 40 customers with a unique id; region north or south, and one customer alone in region east. */
function customersCsv(): string {
  const rows = Array.from({ length: 40 }, (_, i) => [
    `c-${String(i + 1).padStart(4, '0')}`,
    i === 7 ? 'east' : i % 2 ? 'north' : 'south',
    String(1 + (i % 6)),
    (20 + i * 3.5).toFixed(2),
  ]);
  return `customer_id,region,visits,spend\n${rows.map((r) => r.join(',')).join('\n')}\n`;
}

describe('a participant scores only under keys its analyst signed, and never per customer', () => {
  const tmp = tempDir('tessera-score-rogue-');
  const me = generateSigningKeyPair();
  const analystId = generateSigningKeyPair();
  const rogue = new RogueCoordinator(me.publicKey);
  let node: ParticipantNode;
  let ledger: PrivacyLedger;
  let analyst: ScoringAnalyst;
  let job = 0;
  /** Every TaskDone the coordinator received for SCORE: its example count, and whether the totals were noised. */
  const dones: { numExamples: number; noised: boolean }[] = [];

  /** A SCORE task as an honest coordinator relays it, for `spec`, with the analyst's signatures unless changed. */
  const scoreTask = (
    specIn: Record<string, unknown>,
    change: { keySigner?: Uint8Array | null; privacyPlan?: boolean } = {},
  ): tessera.v1.ITask => {
    job += 1;
    const specJson = JSON.stringify({ kind: 'score', label: 'churned', features: FEATURES, ...specIn });
    const spec = parseScoreSpec(JSON.parse(specJson));
    const r = analyst.request;
    const setup: tessera.v1.IScoringSetup = {
      paramsJson: JSON.stringify(r.params),
      publicKey: r.publicKey,
      galoisKeys: r.galoisKeys,
      encryptedModel: r.encryptedModel,
      features: r.features,
      span: r.span,
    };
    const signer = change.keySigner === undefined ? analystId.secretKey : change.keySigner;
    const privacyPlan: tessera.v1.IPrivacyPlan | undefined =
      spec.privacy && change.privacyPlan !== false
        ? {
            mode: privacyModes.toProto(spec.privacy.mode),
            unit: privacyUnits.toProto('record'),
            noiseMultiplier: scoreNoise(spec.privacy, spec.minParticipants, encodedFeaturesOf(spec)).noiseMultiplier,
            sampleRate: 1,
            rounds: 0,
            fullReleases: 1,
            epsilon: spec.privacy.epsilon,
            delta: spec.privacy.delta,
          }
        : undefined;
    return {
      ref: { jobId: `job-${job}`, round: 1, stage: pb.Stage.SCORE },
      dataset: spec.dataset,
      label: spec.label,
      features: spec.features.map((f) => columnProfileToProto(f)),
      segmentBy: spec.segmentBy ?? '',
      segments: spec.segments,
      scoring: { ...setup, ...(signer ? { signature: signScoringSetup(specJson, setup, signer) } : {}) },
      specJson,
      specSignature: sign(JOB_SPEC_CONTEXT, new TextEncoder().encode(specJson), analystId.secretKey),
      analystIdentity: analystId.publicKey,
      ...(privacyPlan ? { privacyPlan } : {}),
    };
  };

  /**
   * The node's answer: its refusal, or its segments once it sent done: the ciphertexts, and the fields each
   * EncryptedSegment carried on the wire (what the coordinator sees).
   */
  const offer = async (task: tessera.v1.ITask) => {
    rogue.send({ task });
    const first = await rogue.next((m) => m.body === 'refused' || m.body === 'segment' || m.body === 'done', 60_000);
    if (first.body === 'refused') return { refused: first.refused!.reason ?? '', kind: first.refused!.kind };
    const segments: (SegmentCiphertexts & { wire: string[] })[] = [];
    let m = first;
    for (;;) {
      if (m.body === 'done') {
        const numExamples = Number(m.done!.numExamples ?? 0);
        dones.push({ numExamples, noised: task.privacyPlan != null });
        return { segments, numExamples };
      }
      segments.push({ score: m.segment!.score!, count: m.segment!.count!, wire: Object.keys(m.segment!).sort() });
      m = await rogue.next((x) => x.body === 'segment' || x.body === 'done', 60_000);
    }
  };
  const refusals = () => ledger.auditLog().filter((e) => e.kind === 'refusal');
  const uses = () => ledger.auditLog().filter((e) => e.kind === 'use');

  beforeAll(async () => {
    await loadSeal();
    analyst = ScoringAnalyst.create({ weights: [0.5, 0.02, -1] });
    const path = join(tmp.dir, 'customers.csv');
    writeFileSync(path, customersCsv());
    await rogue.start();
    const config: ParticipantConfig = {
      name: 'me',
      coordinator: rogue.address,
      insecure: true,
      participantId: 'me',
      identityKey: '(in memory)',
      ledger: join(tmp.dir, 'ledger.sqlite'),
      datasets: {
        customers: { type: 'csv', path, exclude: [] },
        budgeted: { type: 'csv', path, exclude: [], budget: { epsilon: 3, delta: 1e-5, unit: 'record' } },
      },
    };
    node = new ParticipantNode({ config, identity: me });
    ledger = node.ledger;
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
  }, 60_000);
  afterAll(async () => {
    analyst?.dispose();
    await node?.stop();
    await rogue.stop();
    tmp.cleanup();
  });

  it('refuses scoring keys without the analyst signature, or signed by another key, before reading data', async () => {
    const spec = { dataset: 'customers', segmentBy: 'region', segments: ['north', 'south'] };
    const unsigned = await offer(scoreTask(spec, { keySigner: null }));
    expect(unsigned.refused).toMatch(
      /scoring keys of this task are not signed by the analyst .* who signed the job spec/,
    );
    expect(unsigned.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
    const forged = await offer(scoreTask(spec, { keySigner: generateSigningKeyPair().secretKey }));
    expect(forged.refused).toMatch(/not signed by the analyst/);
    expect(refusals().map((e) => e.reason)).toEqual([unsigned.refused, forged.refused]);
    expect(ledger.auditLog().filter((e) => e.kind === 'use')).toHaveLength(0);
  });

  it('refuses segments by a column unique per row (one customer each), naming the column', async () => {
    const a = await offer(
      scoreTask({ dataset: 'customers', segmentBy: 'customer_id', segments: ['c-0001', 'c-0002'] }),
    );
    expect(a.refused).toMatch(/segments by column "customer_id", and its values are unique per row/);
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_QUERY_RULES);
    expect(refusals().at(-1)?.reason).toBe(a.refused);
  });

  it(
    'suppresses a single-customer segment of exact totals (below 20 rows): an encryption of 0, flagged for the ' +
      'analyst alone',
    async () => {
      const a = await offer(
        scoreTask({ dataset: 'customers', segmentBy: 'region', segments: ['east', 'north', 'west', 'south'] }),
      );
      expect(a.refused).toBeUndefined();
      const [east, north, west, south] = a.segments!;
      // What the coordinator receives: the same fields for a suppressed, an empty and a scored segment, ciphertexts
      // only; no plaintext suppression flag (review finding 8).
      const CIPHERTEXTS_ONLY = ['task', 'index', 'total', 'score', 'count'];
      for (const s of a.segments!) expect(s.wire.filter((f) => !CIPHERTEXTS_ONLY.includes(f))).toEqual([]);
      expect(analyst.decrypt(east!)).toMatchObject({ suppressedBy: 1 });
      expect(analyst.decrypt(east!).count).toBeCloseTo(0, 3);
      expect(analyst.decrypt(east!).total).toBeCloseTo(0, 3);
      // 19 customers in north: below 20 as well; west has no row at all, an empty segment (0, not suppressed); south
      // has 20, scored.
      expect(analyst.decrypt(north!)).toMatchObject({ suppressedBy: 1 });
      expect(analyst.decrypt(west!)).toMatchObject({ suppressedBy: 0 });
      expect(analyst.decrypt(west!).count).toBeCloseTo(0, 3);
      expect(analyst.decrypt(south!)).toMatchObject({ suppressedBy: 0 });
      expect(analyst.decrypt(south!).count).toBeCloseTo(20, 3);
      // No row count to the coordinator either (40 rows were read: east 1, north 19, south 20); the node's audit log
      // keeps the real one.
      expect(a.numExamples).toBe(0);
      expect(uses().at(-1)?.rows).toBe(40);
    },
  );

  it('tells the coordinator no row count for one segment of exact totals (it would reveal suppression)', async () => {
    // With one segment, a count of 1 in TaskDone would say "suppressed here" (1 < 20) as plainly as a flag.
    const a = await offer(scoreTask({ dataset: 'customers', segmentBy: 'region', segments: ['east'] }));
    expect(a.refused).toBeUndefined();
    expect(analyst.decrypt(a.segments![0]!)).toMatchObject({ suppressedBy: 1 });
    expect(a.numExamples).toBe(0);
    expect(uses().at(-1)?.rows).toBe(1);
  });

  it('refuses exact totals on a budgeted data set, and scores noised ones there, charged once', async () => {
    const exact = await offer(scoreTask({ dataset: 'budgeted' }));
    expect(exact.refused).toMatch(/releases exact score totals without privacy in its score spec/);
    const privacy = { epsilon: 1, delta: 1e-6, clip: 150 };
    const silent = await offer(scoreTask({ dataset: 'budgeted', privacy }, { privacyPlan: false }));
    expect(silent.refused).toMatch(/asks for distributed differential privacy .* and the task announces none/);
    const noised = await offer(scoreTask({ dataset: 'budgeted', privacy, segmentBy: 'region', segments: ['east'] }));
    expect(noised.refused).toBeUndefined();
    // Noised: no threshold (the noise protects the single customer), and no exact row count to the coordinator.
    expect(analyst.decrypt(noised.segments![0]!).suppressedBy).toBe(0);
    expect(noised.segments![0]!.wire).not.toContain('suppressed');
    expect(noised.numExamples).toBe(0);
    expect(ledger.charges('budgeted')).toHaveLength(1);
    const use = ledger.auditLog().filter((e) => e.kind === 'use');
    expect(use.at(-1)?.rows).toBe(1);
    expect(use.at(-1)?.epsilon).toBeGreaterThan(0.9);
  });

  it('sends numExamples 0 in every TaskDone for SCORE, exact totals and noised alike', () => {
    expect(dones.some((d) => d.noised)).toBe(true);
    expect(dones.some((d) => !d.noised)).toBe(true);
    expect(dones.filter((d) => d.numExamples !== 0)).toEqual([]);
  });
});
