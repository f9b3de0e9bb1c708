import { describe, expect, it } from 'vitest';
import { refusal } from './support/refusal.js';
import { tessera } from '@tessera/proto';
import { epsilonOfRdp, jobRdp } from '@tessera/fl';
import { ConsentGuard, parseConsentPolicy, PrivacyLedger } from '../src/index.js';
import { PrivacyGuard } from '../src/privacy/privacy-guard.js';
import { joinedRegExp } from '@tessera/test-support';

const pb = tessera.v1;
const ACME = '3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29';
const OTHER = 'aa'.repeat(32);
const NOW = Date.parse('2026-11-22T08:00:00Z');
const PLAN = {
  mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
  unit: pb.PrivacyPlan.Unit.RECORD,
  noiseMultiplier: 1.1,
  sampleRate: 0.1,
  rounds: 3,
  fullReleases: 0,
  epsilon: 1,
  delta: 1e-5,
} satisfies tessera.v1.IPrivacyPlan;
const JOB_EPSILON = epsilonOfRdp(jobRdp(PLAN.noiseMultiplier, PLAN.sampleRate, PLAN.rounds, 0), 1e-5);

function setup(grants: object[], opts: { datasets?: object; start?: number } = {}) {
  // Most cases here run jobs without differential privacy, so both data sets opt out unless a test says otherwise.
  const datasets = opts.datasets ?? { customers: { allowWithoutPrivacy: true }, orders: { allowWithoutPrivacy: true } };
  const policy = parseConsentPolicy(
    { analysts: { 'acme-research': ACME, other: OTHER }, datasets, grants },
    'policy.yaml',
    { datasets: ['customers', 'orders'], now: NOW },
  );
  const ledger = new PrivacyLedger(':memory:');
  const privacy = new PrivacyGuard(ledger, {});
  const clock = { now: opts.start ?? NOW };
  const consent = new ConsentGuard(policy, ledger, privacy, () => clock.now);
  /** Consent, then the privacy charge, as the node does. */
  const admit = (t: tessera.v1.ITask, stage: number) => {
    const d = consent.admit(t, stage);
    privacy.admit(t, stage, d.grantId);
    return d;
  };
  return { consent, ledger, clock, admit };
}

const task = (
  stage: number,
  o: { analyst?: string; dataset?: string; label?: string; job?: string; round?: number; private?: boolean } = {},
): tessera.v1.ITask => ({
  ref: { jobId: o.job ?? 'job-1', round: o.round ?? 0, stage },
  dataset: o.dataset ?? 'customers',
  label: o.label ?? 'churned',
  analystIdentity: o.analyst === '' ? new Uint8Array(0) : Buffer.from(o.analyst ?? ACME, 'hex'),
  ...(o.private ? { privacyPlan: PLAN } : { training: { seed: 's' } }),
});

const grant = (over: object = {}) => ({
  id: 'acme-train',
  analysts: ['acme-research'],
  purposes: ['train', 'valuation'],
  jobKinds: ['train'],
  datasets: ['customers'],
  expires: '2027-06-30',
  ...over,
});

describe('ConsentGuard', () => {
  it('maps every stage to its purpose and job kind, and admits under the matching grant', () => {
    const { consent } = setup([
      grant(),
      { id: 'acme-q', analysts: ['acme-research'], purposes: ['query', 'score'], expires: '2027-06-30' },
    ]);
    for (const stage of [pb.Stage.SCHEMA, pb.Stage.STATISTICS, pb.Stage.FIT, pb.Stage.EVALUATE]) {
      expect(consent.admit(task(stage), stage)).toEqual({
        purpose: 'train',
        kind: 'train',
        analyst: ACME,
        grantId: 'acme-train',
      });
    }
    expect(consent.admit(task(pb.Stage.VALUATE), pb.Stage.VALUATE)).toMatchObject({
      purpose: 'valuation',
      kind: 'train',
      grantId: 'acme-train',
    });
    expect(consent.admit(task(pb.Stage.QUERY), pb.Stage.QUERY)).toMatchObject({
      purpose: 'query',
      kind: 'query',
      grantId: 'acme-q',
    });
    expect(consent.admit(task(pb.Stage.SCORE), pb.Stage.SCORE)).toMatchObject({
      purpose: 'score',
      kind: 'score',
      grantId: 'acme-q',
    });
    expect(consent.admit(task(pb.Stage.OVERLAP), pb.Stage.OVERLAP)).toMatchObject({
      purpose: 'query',
      kind: 'overlap',
      grantId: 'acme-q',
    });
    // acme-q covers every data set; acme-train only customers.
    expect(consent.admit(task(pb.Stage.QUERY, { dataset: 'orders' }), pb.Stage.QUERY).grantId).toBe('acme-q');
    expect(refusal(() => consent.admit(task(pb.Stage.FIT, { dataset: 'orders' }), pb.Stage.FIT))).toMatch(
      joinedRegExp(
        /consent: no grant of this node allows purpose "train" \(job kind train\) for analyst /,
        /3b6a27bc…\(acme-research\) on data set "orders" \(grants: acme-q allows query, score\)/,
      ),
    );
  });

  it('refuses a purpose, job kind, analyst or data set no grant allows, naming what the grants allow', () => {
    const { consent } = setup([
      grant({ purposes: ['train'] }),
      { id: 'any-overlap', analysts: ['*'], purposes: ['query'], jobKinds: ['overlap'], expires: '2027-06-30' },
    ]);
    expect(refusal(() => consent.admit(task(pb.Stage.VALUATE), pb.Stage.VALUATE))).toBe(
      'consent: no grant of this node allows purpose "valuation" (job kind train) ' +
        'for analyst 3b6a27bc…(acme-research) on data set "customers" (grants: ' +
        'acme-train allows train (job kinds train); any-overlap allows query (job kinds overlap))',
    );
    // A query is purpose query but kind query: any-overlap allows only the overlap kind.
    expect(refusal(() => consent.admit(task(pb.Stage.QUERY), pb.Stage.QUERY))).toMatch(
      /purpose "query" \(job kind query\)/,
    );
    expect(consent.admit(task(pb.Stage.OVERLAP), pb.Stage.OVERLAP).grantId).toBe('any-overlap');
    // Another named analyst: only the "*" grant.
    expect(refusal(() => consent.admit(task(pb.Stage.FIT, { analyst: OTHER }), pb.Stage.FIT))).toMatch(
      /for analyst aaaaaaaa…\(other\) on data set "customers" \(grants: any-overlap allows query/,
    );
    // An analyst the policy does not name, and a task without an analyst identity: only "*" grants apply.
    expect(consent.admit(task(pb.Stage.OVERLAP, { analyst: 'bb'.repeat(32) }), pb.Stage.OVERLAP).grantId).toBe(
      'any-overlap',
    );
    expect(consent.admit(task(pb.Stage.OVERLAP, { analyst: '' }), pb.Stage.OVERLAP)).toMatchObject({
      analyst: '',
      grantId: 'any-overlap',
    });
    expect(refusal(() => consent.admit(task(pb.Stage.SCHEMA, { analyst: '' }), pb.Stage.SCHEMA))).toMatch(
      /for analyst \(none: the task carries no analyst identity\)/,
    );
    const none = setup([grant()]).consent;
    expect(refusal(() => none.admit(task(pb.Stage.FIT, { analyst: 'bb'.repeat(32) }), pb.Stage.FIT))).toMatch(
      joinedRegExp(
        /analyst bbbbbbbb…\(not named in the policy\) on data set "customers" /,
        /\(this analyst is not named in the policy and no grant is to "\*"\)/,
      ),
    );
  });

  it('checks expiry at every task against its clock', () => {
    const { consent, clock } = setup([grant({ expires: '2026-11-22T09:00:00Z' })]);
    expect(consent.admit(task(pb.Stage.FIT), pb.Stage.FIT).grantId).toBe('acme-train');
    clock.now = Date.parse('2026-11-22T08:59:59Z');
    expect(consent.admit(task(pb.Stage.FIT, { round: 2 }), pb.Stage.FIT).grantId).toBe('acme-train');
    clock.now = Date.parse('2026-11-22T09:00:00Z');
    expect(refusal(() => consent.admit(task(pb.Stage.FIT, { round: 3 }), pb.Stage.FIT))).toBe(
      'consent: grant "acme-train" expired on 2026-11-22T09:00:00Z',
    );
    expect(refusal(() => consent.admit(task(pb.Stage.QUERY), pb.Stage.QUERY))).toMatch(
      /no grant .* allows purpose "query" .* \(expired: acme-train\)/,
    );
  });

  it('refuses every task of a revoked grant from the next one on, and lets another grant still apply', () => {
    const { consent, ledger, clock } = setup([grant(), grant({ id: 'acme-backup', purposes: ['train'] })]);
    expect(consent.admit(task(pb.Stage.FIT), pb.Stage.FIT).grantId).toBe('acme-train');
    ledger.revokeGrant({ grantId: 'acme-train', at: Date.parse('2026-11-22T08:01:02Z'), reason: 'contract ended' });
    expect(consent.admit(task(pb.Stage.FIT), pb.Stage.FIT).grantId).toBe('acme-backup');
    expect(refusal(() => consent.admit(task(pb.Stage.VALUATE), pb.Stage.VALUATE))).toBe(
      'consent: grant "acme-train" was revoked at 2026-11-22T08:01:02Z (contract ended)',
    );
    ledger.revokeGrant({ grantId: 'acme-backup', at: Date.parse('2026-11-22T08:05:00Z'), reason: '' });
    clock.now += 1000;
    expect(refusal(() => consent.admit(task(pb.Stage.FIT), pb.Stage.FIT))).toBe(
      'consent: grant "acme-train" was revoked at 2026-11-22T08:01:02Z (contract ended); ' +
        'grant "acme-backup" was revoked at 2026-11-22T08:05:00Z',
    );
    expect(refusal(() => consent.admit(task(pb.Stage.QUERY), pb.Stage.QUERY))).toMatch(
      /\(revoked: acme-train, acme-backup\)$/,
    );
    // A second revocation keeps the first.
    expect(ledger.revokeGrant({ grantId: 'acme-train', at: NOW + 99_000, reason: 'again' }).reason).toBe(
      'contract ended',
    );
  });

  it("refuses a training job whose label is not the policy's label, naming both", () => {
    const { consent } = setup([grant()], {
      datasets: { customers: { columns: ['age', 'churned'], label: 'churned', allowWithoutPrivacy: true } },
    });
    expect(consent.admit(task(pb.Stage.SCHEMA), pb.Stage.SCHEMA).grantId).toBe('acme-train');
    expect(refusal(() => consent.admit(task(pb.Stage.SCHEMA, { label: 'age' }), pb.Stage.SCHEMA))).toBe(
      'consent: data set "customers" may be used for training only with label "churned" ' +
        '(policy datasets.customers.label), and this job\'s label is "age"',
    );
  });

  it("holds a grant's per-job and total epsilon caps, counting what the ledger charged under it", () => {
    // perJob below one job's cost: refused at the schema stage, before any release.
    const tight = setup([grant({ budget: { perJob: JOB_EPSILON * 0.9 } })]);
    expect(refusal(() => tight.admit(task(pb.Stage.SCHEMA, { private: true }), pb.Stage.SCHEMA))).toMatch(
      joinedRegExp(
        /^consent: grant "acme-train" allows at most epsilon [\d.]+ per job \(at delta 0\.00001\): /,
        /this job spent 0 under it, this job asks for [\d.]+, [\d.]+ in all$/,
      ),
    );
    // A job without differential privacy under a grant with caps: refused, naming the grant.
    expect(refusal(() => tight.admit(task(pb.Stage.SCHEMA), pb.Stage.SCHEMA))).toMatch(
      joinedRegExp(
        /^consent: grant "acme-train" caps epsilon \(perJob [\d.]+\) and this job is not differentially private /,
        /\(privacy\.mode none\)/,
      ),
    );

    // total fits one job but not two (RDP composes sublinearly): the first job runs, the second is refused at its
    // schema stage.
    const s = setup([grant({ budget: { perJob: JOB_EPSILON * 1.01, total: JOB_EPSILON * 1.1 } })]);
    s.admit(task(pb.Stage.SCHEMA, { private: true }), pb.Stage.SCHEMA);
    for (let round = 1; round <= 3; round++)
      expect(s.admit(task(pb.Stage.FIT, { private: true, round }), pb.Stage.FIT).grantId).toBe('acme-train');
    expect(s.ledger.charges().map((c) => c.grantId)).toEqual(['acme-train', 'acme-train', 'acme-train']);
    // A fourth round of the same job is beyond perJob.
    expect(refusal(() => s.admit(task(pb.Stage.FIT, { private: true, round: 4 }), pb.Stage.FIT))).toMatch(
      /per job .*this job spent [\d.]+ under it, this fit release asks for/,
    );
    expect(refusal(() => s.admit(task(pb.Stage.SCHEMA, { private: true, job: 'job-2' }), pb.Stage.SCHEMA))).toMatch(
      joinedRegExp(
        /^consent: grant "acme-train" allows at most epsilon [\d.]+ in all \(at delta 0\.00001\): /,
        /spent [\d.]+ under it, this job asks for/,
      ),
    );
    // Without a policy, everything is allowed and nothing is attributed to a grant.
    const ledger = new PrivacyLedger(':memory:');
    const open = new ConsentGuard(undefined, ledger, new PrivacyGuard(ledger, {}));
    expect(open.admit(task(pb.Stage.VALUATE, { analyst: '' }), pb.Stage.VALUATE)).toEqual({
      purpose: 'valuation',
      kind: 'train',
      analyst: '',
    });
  });
});
