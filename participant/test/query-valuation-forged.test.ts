// Valuation slots a coordinator forges, sent to a real node over gRPC: refused before any row is read, and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { exactFractionBits, parseQuerySpec, QUERY_MAX_RECORDS } from '@tessera/jobs';
import { declaredQueryToProto, tessera } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { DATASET, Harness, hex, signed } from './support/authorisation-harness.js';

const pb = tessera.v1;

describe('a node serves valuation counts only as the analyst signed and its owner granted', () => {
  const tmp = tempDir('tessera-query-valuation-forged-');
  const analyst = generateSigningKeyPair();
  const policy = (purposes: string[]) => ({
    analysts: { acme: hex(analyst.publicKey) },
    datasets: { [DATASET]: { allowWithoutPrivacy: true } },
    grants: [{ id: 'acme-reports', analysts: ['acme'], purposes, datasets: [DATASET], expires: '2099-01-01' }],
  });
  const valued = new Harness(tmp.dir, 'valued', { consentPolicy: policy(['query', 'valuation']) });
  const queryOnly = new Harness(tmp.dir, 'query-only', { consentPolicy: policy(['query']) });

  const base = { kind: 'query', sql: 'SELECT COUNT(*) FROM patients', minParticipants: 3 };
  const { spec, plan } = parseQuerySpec(base);
  let job = 0;

  /**
   * An exact query task among 5 (this node first) of a fresh job (a spec runs under one job id only), its spec with
   * or without valuation, asking counts of `slots`.
   */
  const task = (h: Harness, valuation: boolean, slots: string[]): tessera.v1.ITask => {
    const secure = h.secure(pb.Stage.QUERY, 5);
    job += 1;
    const s = signed({ ...base, name: `report-${job}`, ...(valuation ? { valuation: 'records' } : {}) }, analyst);
    return {
      ref: { jobId: `job-v${job}`, round: 1, stage: pb.Stage.ADVERTISE_KEYS, attempt: h.nextAttempt() },
      dataset: DATASET,
      query: {
        ...declaredQueryToProto({ sql: spec.sql, options: spec.options, unit: plan.unit }),
        wideFractionBits: exactFractionBits(plan),
        maxRecords: QUERY_MAX_RECORDS,
        valuationSlots: slots,
      },
      secure,
      specJson: s.text,
      specSignature: s.signature,
      analystIdentity: analyst.publicKey,
    };
  };
  const cohort = ['me', 'p2', 'p3', 'p4', 'p5'];

  beforeAll(async () => {
    await valued.start();
    await queryOnly.start();
  });
  afterAll(async () => {
    await valued.stop();
    await queryOnly.stop();
    tmp.cleanup();
  });

  it('takes part when the signed spec asks for records and the owner granted valuation', async () => {
    const answer = await valued.offer(task(valued, true, cohort));
    expect(answer.refused).toBeUndefined();
    expect(answer.body).toBe('advertise');
  });

  const forged: [string, () => tessera.v1.ITask, RegExp][] = [
    [
      'slots under a spec that does not ask for valuation',
      () => task(valued, false, cohort),
      /does not ask for them \(valuation: records\)/,
    ],
    ['slots without this node', () => task(valued, true, ['p2', 'p3', 'p4', 'p5']), /do not name this node/],
    ['a member twice', () => task(valued, true, [...cohort, 'p2']), /name member "p2" twice/],
  ];
  for (const [what, make, reason] of forged) {
    it(`refuses ${what} on privacy grounds, before reading any data, and audits it`, async () => {
      const reads = valued.data.reads;
      const answer = await valued.offer(make());
      expect(answer.body).toBe('refused');
      expect(answer.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
      expect(answer.refused).toMatch(reason);
      expect(answer.audited).toMatch(reason);
      expect(valued.data.reads).toBe(reads);
    });
  }

  it('refuses on consent without a valuation grant, naming the grant it lacks; the plain query it serves', async () => {
    const answer = await queryOnly.offer(task(queryOnly, true, cohort));
    expect(answer.body).toBe('refused');
    expect(answer.kind).toBe(pb.RefusalKind.REFUSAL_CONSENT);
    expect(answer.refused).toMatch(/no grant of this node allows purpose "valuation" \(job kind query\)/);
    expect(answer.refused).toMatch(/acme-reports allows query/);
    expect(answer.audited).toMatch(/purpose "valuation"/);
    expect((await queryOnly.offer(task(queryOnly, false, []))).body).toBe('advertise');
  });
});
