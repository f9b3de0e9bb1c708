import { describe, expect, it } from 'vitest';
import { refusal } from './support/refusal.js';
import { tessera } from '@tessera/proto';
import type { RawTable } from '@tessera/data';
import {
  ConsentGuard,
  describePolicy,
  detectIdentifierColumns,
  namedLikeIdentifier,
  parseConsentPolicy,
  PolicyError,
  PrivacyLedger,
  starterPolicyText,
} from '../src/index.js';
import { PrivacyGuard } from '../src/privacy/privacy-guard.js';
import { parse } from 'yaml';
import { joinedRegExp } from '@tessera/test-support';

const pb = tessera.v1;
const NOW = Date.parse('2026-11-22T08:00:00Z');
const PLAN: tessera.v1.IPrivacyPlan = {
  mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
  unit: pb.PrivacyPlan.Unit.RECORD,
  noiseMultiplier: 1.1,
  sampleRate: 1,
  rounds: 3,
  fullReleases: 0,
  epsilon: 1,
  delta: 1e-5,
};
const QUERY_PLAN: tessera.v1.IPrivacyPlan = {
  mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
  unit: pb.PrivacyPlan.Unit.RECORD,
  noiseMultiplier: 2,
  sampleRate: 1,
  rounds: 0,
  fullReleases: 1,
  epsilon: 1,
  delta: 1e-6,
};
const ANY = { id: 'any', analysts: ['*'], purposes: ['train', 'query', 'score', 'valuation'], expires: '2027-06-30' };

function guard(datasets: object, grants: object[] = [ANY]) {
  const policy = parseConsentPolicy({ datasets, grants }, 'policy.yaml', {
    datasets: ['customers', 'orders'],
    now: NOW,
  });
  const ledger = new PrivacyLedger(':memory:');
  return new ConsentGuard(policy, ledger, new PrivacyGuard(ledger, {}), () => NOW);
}
const task = (stage: number, plan?: tessera.v1.IPrivacyPlan, dataset = 'customers'): tessera.v1.ITask => ({
  ref: { jobId: 'job-1', round: 1, stage },
  dataset,
  label: 'churned',
  ...(plan ? { privacyPlan: plan } : { training: { seed: 's' } }),
});
const table = (columns: string[], rows: string[][]): RawTable =>
  ({ source: 't', columns, rows, lineOf: (i: number) => i + 2 }) as unknown as RawTable;

describe('consent policy: differential privacy required unless a data set opts out', () => {
  it('refuses every data-reading stage of a job without DP, and overlap, valuation even in a DP job', () => {
    const g = guard({});
    for (const stage of [pb.Stage.SCHEMA, pb.Stage.STATISTICS, pb.Stage.FIT, pb.Stage.EVALUATE]) {
      expect(refusal(() => g.admit(task(stage), stage))).toBe(
        'consent: data set "customers" is served only with differential privacy, ' +
          'and this job has no differential privacy (privacy.mode none); ' +
          'ask for privacy.mode distributed, central or local ' +
          '(the owner can opt out with datasets.customers.allowWithoutPrivacy: true in the consent policy)',
      );
      // The same stage of a private job is admitted under the grant.
      expect(g.admit(task(stage, PLAN), stage).grantId).toBe('any');
    }
    expect(refusal(() => g.admit(task(pb.Stage.QUERY), pb.Stage.QUERY))).toMatch(
      /this query has no differential privacy \(--dp none\); run it with --dp distributed, central or local/,
    );
    expect(g.admit(task(pb.Stage.QUERY, QUERY_PLAN), pb.Stage.QUERY).grantId).toBe('any');
    expect(refusal(() => g.admit(task(pb.Stage.VALUATE, PLAN), pb.Stage.VALUATE))).toMatch(
      /payout valuation discloses this node's own model updates/,
    );
    expect(refusal(() => g.admit(task(pb.Stage.SCORE), pb.Stage.SCORE))).toMatch(
      /encrypted scoring returns exact per-segment totals/,
    );
    // Noised scoring (issue 15) announces its plan; the privacy check then holds it to the signed score spec.
    expect(g.admit(task(pb.Stage.SCORE, PLAN), pb.Stage.SCORE).grantId).toBe('any');
    expect(refusal(() => g.admit(task(pb.Stage.OVERLAP), pb.Stage.OVERLAP))).toMatch(
      /audience overlap without its job spec reveals the exact size of the intersection/,
    );
    // An overlap job's spec fixes the noise on the count (discrete Laplace, privacy.epsilon): admitted.
    const overlapSpec = JSON.stringify({
      kind: 'overlap',
      dataset: 'customers',
      column: 'id',
      participants: ['a', 'b'],
    });
    expect(g.admit({ ...task(pb.Stage.OVERLAP), specJson: overlapSpec }, pb.Stage.OVERLAP).grantId).toBe('any');
    // Vertical learning and scoring release exact results, even with a plan announced: refused here, naming why.
    const gv = guard({}, [{ ...ANY, jobKinds: ['train', 'vertical'] }]);
    expect(refusal(() => gv.admit(task(pb.Stage.VERTICAL, PLAN), pb.Stage.VERTICAL))).toMatch(
      /vertical learning releases exact held-out metrics and the guest's part of the model/,
    );
    expect(refusal(() => gv.admit(task(pb.Stage.VERTICAL_SCORE, PLAN), pb.Stage.VERTICAL_SCORE))).toMatch(
      /vertical scoring gives the guest an exact score per shared customer/,
    );
  });

  it('refuses vertical tasks on a data set with a privacy budget, even one that opts out of requiring DP', () => {
    const ledger = new PrivacyLedger(':memory:');
    const budgets = { orders: { epsilon: 10, delta: 1e-6, unit: 'record' as const } };
    const vertical = JSON.stringify({
      name: 'v',
      kind: 'vertical',
      parties: [
        { participant: 'a', dataset: 'orders', idColumn: 'id', role: 'guest', label: 'y' },
        { participant: 'b', dataset: 'orders', idColumn: 'id', role: 'host' },
      ],
      model: { kind: 'vertical-logistic' },
    });
    const budgeted = new PrivacyGuard(ledger, budgets);
    for (const stage of [pb.Stage.VERTICAL, pb.Stage.VERTICAL_SCORE])
      expect(() => budgeted.admit({ ...task(stage, undefined, 'orders'), specJson: vertical }, stage)).toThrow(
        /not a differentially private release/,
      );
  });

  it('serves vertical tasks on a data set that opts out of DP, only under a grant that names the vertical kind', () => {
    const named = { ...ANY, id: 'vertical', jobKinds: ['train', 'vertical'] };
    const g = guard({ orders: { allowWithoutPrivacy: true } }, [named]);
    expect(g.admit(task(pb.Stage.VERTICAL, undefined, 'orders'), pb.Stage.VERTICAL).grantId).toBe('vertical');
    expect(g.admit(task(pb.Stage.VERTICAL_SCORE, undefined, 'orders'), pb.Stage.VERTICAL_SCORE).grantId).toBe(
      'vertical',
    );
    // A grant without jobKinds (written before vertical jobs existed, say) does not cover them.
    const unnamed = guard({ orders: { allowWithoutPrivacy: true } });
    expect(refusal(() => unnamed.admit(task(pb.Stage.VERTICAL, undefined, 'orders'), pb.Stage.VERTICAL))).toMatch(
      /vertical/,
    );
  });

  it('serves jobs without DP only on the data set that opts out, and the refusal reveals no path or row count', () => {
    const g = guard({ orders: { allowWithoutPrivacy: true } });
    expect(g.admit(task(pb.Stage.FIT, undefined, 'orders'), pb.Stage.FIT).grantId).toBe('any');
    expect(g.admit(task(pb.Stage.VALUATE, undefined, 'orders'), pb.Stage.VALUATE).grantId).toBe('any');
    const message = refusal(() => g.admit(task(pb.Stage.FIT, undefined, 'customers'), pb.Stage.FIT));
    expect(message).toMatch(/data set "customers" is served only with differential privacy/);
    expect(message).not.toMatch(/policy\.yaml|\d+ rows/);
    // A grant that does not cover the analyst is still the reason given first.
    const narrow = guard({}, [{ id: 'q', analysts: ['*'], purposes: ['query'], expires: '2027-06-30' }]);
    expect(refusal(() => narrow.admit(task(pb.Stage.FIT), pb.Stage.FIT))).toMatch(
      /no grant of this node allows purpose "train"/,
    );
  });

  it("queryRules: the policy's minimum group size and identifier columns, with defaults; no policy: none", () => {
    const g = guard({
      customers: { identifierColumns: ['customer_id', 'email'] },
      orders: { minGroupSize: 50, allowIdentifierQueries: true },
    });
    expect(g.queryRules('customers')).toEqual({
      minGroupSize: 20,
      identifierColumns: ['customer_id', 'email'],
      allowIdentifierQueries: false,
    });
    expect(g.queryRules('orders')).toEqual({ minGroupSize: 50, identifierColumns: [], allowIdentifierQueries: true });
    const ledger = new PrivacyLedger(':memory:');
    const open = new ConsentGuard(undefined, ledger, new PrivacyGuard(ledger, {}));
    expect(open.queryRules('customers')).toEqual({
      minGroupSize: 0,
      identifierColumns: [],
      allowIdentifierQueries: true,
    });
    // And without a policy, a job without DP is admitted as before.
    expect(open.admit(task(pb.Stage.FIT), pb.Stage.FIT)).toMatchObject({ purpose: 'train' });
  });

  it('start warnings: no policy; a data set served without DP; an opt-out its budget overrides', () => {
    const ledger = new PrivacyLedger(':memory:');
    const open = new ConsentGuard(undefined, ledger, new PrivacyGuard(ledger, {}));
    expect(open.startWarnings(['customers'], [])).toEqual([
      'no consent policy: this node serves every request without differential privacy; ' +
        'run tessera participant init or add a policy',
    ]);
    expect(open.startWarnings(['customers', 'orders'], ['orders'])[0]).toMatch(
      /without differential privacy \(data sets without a budget: customers\)/,
    );
    expect(open.startWarnings(['customers'], ['customers'])[0]).toMatch(
      /^no consent policy: .*its budgets still require differential privacy/,
    );
    const g = guard({ customers: { allowWithoutPrivacy: true }, orders: { allowWithoutPrivacy: true } });
    const w = g.startWarnings(['customers', 'orders'], ['orders']);
    expect(w[0]).toBe(
      'data set "customers" is served WITHOUT differential privacy (datasets.customers.allowWithoutPrivacy: ' +
        'true in policy.yaml): jobs without privacy can read exact results from it',
    );
    expect(w[1]).toMatch(
      /data set "orders": the policy allows .* but its budget in the node config serves only private jobs/,
    );
    expect(guard({}).startWarnings(['customers', 'orders'], ['customers', 'orders'])).toEqual([]);
  });

  it('validates the new fields, naming the file and field', () => {
    const bad = (datasets: object, message: RegExp) => {
      let error: unknown;
      try {
        guard(datasets);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PolicyError);
      expect((error as Error).message).toMatch(message);
    };
    bad(
      { customers: { minGroupSize: 0 } },
      /^policy\.yaml: datasets\.customers\.minGroupSize: must be a whole number of rows, at least 1/,
    );
    bad({ customers: { minGroupSize: 2.5 } }, /datasets\.customers\.minGroupSize: must be a whole number/);
    bad(
      { customers: { identifierColumns: 'customer_id' } },
      /datasets\.customers\.identifierColumns: must be a list of column names/,
    );
    bad({ customers: { identifierColumns: ['id', 'id'] } }, /datasets\.customers\.identifierColumns: lists "id" twice/);
    bad(
      { orders: { allowWithoutPrivacy: 'yes' } },
      /datasets\.orders\.allowWithoutPrivacy: must be true or false, got "yes"/,
    );
    bad({ orders: { allowIdentifierQueries: 1 } }, /datasets\.orders\.allowIdentifierQueries: must be true or false/);
    expect(guard({ customers: { identifierColumns: [] } }).queryRules('customers').identifierColumns).toEqual([]);
  });
});

describe('identifier-like columns', () => {
  it('finds keys by name and text or whole-number columns unique per row, not measurements or small tables', () => {
    for (const n of [
      'customer_id',
      'customerId',
      'ID',
      'user-key',
      'email',
      'Email_Address',
      'phone_number',
      'mobile',
      'customerid',
      'uuid',
    ])
      expect(namedLikeIdentifier(n), n).toBe(true);
    for (const n of ['paid', 'valid', 'monkey', 'region', 'identity_score', 'keyword', 'monetary_total', 'tenure_days'])
      expect(namedLikeIdentifier(n), n).toBe(false);
    const rows = Array.from({ length: 30 }, (_, i) => [
      `c-${i}`,
      String(1000 + i),
      (i * 1.37 + 0.01).toFixed(2),
      i % 2 ? 'north' : 'south',
      String(i % 7),
    ]);
    const found = detectIdentifierColumns(table(['customer_ref', 'account', 'spend', 'region', 'visits'], rows));
    expect(found).toEqual([
      { column: 'customer_ref', why: ['unique'] },
      { column: 'account', why: ['unique'] },
    ]);
    // One repeated value: not unique. Under 20 rows: uniqueness is not judged, names still are.
    rows[5][0] = 'c-4';
    expect(detectIdentifierColumns(table(['customer_ref', 'account'], rows)).map((c) => c.column)).toEqual(['account']);
    expect(detectIdentifierColumns(table(['customer_id', 'ref'], rows.slice(0, 5)))).toEqual([
      { column: 'customer_id', why: ['name'] },
    ]);
  });
});

describe('the starter policy', () => {
  it('parses, says in plain words what it allows, and refuses what it should', () => {
    const text = starterPolicyText({
      now: new Date(NOW),
      expires: '2027-11-22',
      datasets: {
        customers: {
          identifiers: [
            { column: 'customer_id', why: ['unique', 'name'] },
            { column: 'email', why: ['name'] },
          ],
          allowWithoutPrivacy: false,
        },
        orders: { identifiers: [], allowWithoutPrivacy: true },
      },
    });
    expect(text).toMatch(
      joinedRegExp(
        /Found in the data: customer_id \(unique per row, named like an identifier\); /,
        /email \(named like an identifier\)\./,
      ),
    );
    const policy = parseConsentPolicy(parse(text), 'policy.yaml', { datasets: ['customers', 'orders'], now: NOW });
    expect(policy.datasets).toEqual({
      customers: {
        minGroupSize: 20,
        identifierColumns: ['customer_id', 'email'],
        allowIdentifierQueries: false,
        allowWithoutPrivacy: false,
      },
      orders: { minGroupSize: 20, identifierColumns: [], allowIdentifierQueries: false, allowWithoutPrivacy: true },
    });
    expect(policy.grants).toMatchObject([
      {
        id: 'starter',
        analysts: ['*'],
        purposes: ['train', 'query'],
        datasets: ['customers', 'orders'],
        expires: '2027-11-22',
      },
    ]);
    const lines = describePolicy(policy, {
      customers: { epsilon: 10, delta: 1e-6, unit: 'record' },
      orders: undefined,
    });
    expect(lines).toEqual([
      'grant starter: any analyst may use data sets customers, ' +
        'orders for training models and aggregate queries, until 2027-11-22',
      'not granted to anyone: encrypted scoring and payout valuation',
      "sales: no product built from this node's data is sold (sales.allowed: false)",
      'data set "customers":',
      '  differential privacy required: jobs and queries without it (privacy.mode none, --dp none) are refused, ' +
        'and so are scoring, audience overlap and payout valuation',
      '  privacy budget: epsilon 10 at delta 1e-6, protecting each row (unit record); ' +
        'the node refuses any release beyond it, and only private jobs are served',
      '  every released aggregate must cover at least 20 rows (minGroupSize)',
      '  identifier columns, refused as filters (WHERE) and group keys (GROUP BY): customer_id, email',
      'data set "orders":',
      '  differential privacy NOT required (allowWithoutPrivacy: true): jobs and queries without it read exact results',
      '  no privacy budget: private jobs are not limited in how much they spend',
      '  every released aggregate must cover at least 20 rows (minGroupSize)',
      '  no identifier columns listed (identifierColumns: [])',
    ]);
    const ledger = new PrivacyLedger(':memory:');
    const g = new ConsentGuard(policy, ledger, new PrivacyGuard(ledger, {}), () => NOW);
    expect(refusal(() => g.admit(task(pb.Stage.QUERY), pb.Stage.QUERY))).toMatch(
      /served only with differential privacy/,
    );
    expect(g.admit(task(pb.Stage.QUERY, QUERY_PLAN), pb.Stage.QUERY).grantId).toBe('starter');
    expect(g.admit(task(pb.Stage.FIT, undefined, 'orders'), pb.Stage.FIT).grantId).toBe('starter');
    expect(refusal(() => g.admit(task(pb.Stage.SCORE, undefined, 'orders'), pb.Stage.SCORE))).toMatch(
      /no grant of this node allows purpose "score"/,
    );
    // A year later the grant has expired: the node would refuse to start on it, naming the field.
    expect(() =>
      parseConsentPolicy(parse(text), 'policy.yaml', {
        datasets: ['customers', 'orders'],
        now: Date.parse('2027-11-23T00:00:00Z'),
      }),
    ).toThrow(/policy\.yaml: grants\[0\]\.expires: 2027-11-22 is in the past/);
  });
});
