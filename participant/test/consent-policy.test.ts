import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, joinedRegExp } from '@tessera/test-support';
import { generateSigningKeyPair } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import {
  loadConsentPolicy,
  parseConsentPolicy,
  parseParticipantConfig,
  PolicyError,
  ConfigError,
  LocalData,
  ParticipantNode,
  ConsentRefusal,
} from '../src/index.js';

const ACME = '3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29';
const NOW = Date.parse('2026-11-22T08:00:00Z');
const valid = () => ({
  analysts: { 'acme-research': ACME },
  datasets: { customers: { columns: ['age', 'spend', 'region', 'churned'], label: 'churned' } },
  grants: [
    {
      id: 'acme-train',
      analysts: ['acme-research'],
      purposes: ['train', 'valuation'],
      jobKinds: ['train'],
      datasets: ['customers'],
      budget: { perJob: 2, total: 8 },
      expires: '2027-06-30',
    },
    { id: 'anyone-query', analysts: ['*'], purposes: ['query'], expires: '2027-01-01T12:00:00Z' },
  ],
});
const parse = (input: unknown) =>
  parseConsentPolicy(input, 'policy.yaml', { datasets: ['customers', 'orders'], now: NOW });
const bad = (mutate: (p: ReturnType<typeof valid> & Record<string, any>) => void, message: RegExp) => {
  const p = valid() as ReturnType<typeof valid> & Record<string, any>;
  mutate(p);
  let error: unknown;
  try {
    parse(p);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PolicyError);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toMatch(/^policy\.yaml: /);
  expect((error as Error).message).toMatch(message);
};

describe('consent policy files', () => {
  it('parses analysts, data set restrictions and grants, with defaults', () => {
    const p = parse(valid());
    expect(p.analysts).toEqual({ 'acme-research': ACME });
    expect(p.datasets.customers).toEqual({ columns: ['age', 'spend', 'region', 'churned'], label: 'churned' });
    expect(p.grants[0]).toMatchObject({
      id: 'acme-train',
      purposes: ['train', 'valuation'],
      jobKinds: ['train'],
      datasets: ['customers'],
      budget: { perJob: 2, total: 8 },
    });
    // A date holds through that whole day (UTC).
    expect(p.grants[0].expiresAt).toBe(Date.parse('2027-07-01T00:00:00Z'));
    expect(p.grants[1].jobKinds).toEqual(['train', 'query', 'score', 'overlap']);
    expect(p.grants[1].datasets).toBeUndefined();
    expect(p.grants[1].expiresAt).toBe(Date.parse('2027-01-01T12:00:00Z'));
  });

  it('names the file and field of every mistake', () => {
    bad((p) => {
      p.colour = 'blue';
    }, /colour: unknown field; known fields: analysts, datasets, grants/);
    bad(
      (p) => {
        (p.grants[0] as any).purpose = ['train'];
      },
      joinedRegExp(
        /grants\[0\]\.purpose: unknown field; /,
        /known fields: id, analysts, purposes, jobKinds, datasets, budget, expires/,
      ),
    );
    bad(
      (p) => {
        (p.datasets.customers as any).rows = 5;
      },
      joinedRegExp(
        /datasets\.customers\.rows: unknown field; known fields: columns, label, minGroupSize, identifierColumns, /,
        /allowIdentifierQueries, allowWithoutPrivacy/,
      ),
    );
    bad((p) => {
      (p.grants[0].budget as any).epsilon = 1;
    }, /grants\[0\]\.budget\.epsilon: unknown field; known fields: perJob, total/);
    bad((p) => {
      p.grants[1].expires = '2025-01-01';
    }, /grants\[1\]\.expires: 2025-01-01 is in the past; extend or remove the grant/);
    bad((p) => {
      p.grants[0].analysts = ['acme'];
    }, /grants\[0\]\.analysts: unknown analyst "acme"; declare it under analysts/);
    bad((p) => {
      p.analysts['acme-research'] = 'abc123';
    }, /analysts\.acme-research: must be an Ed25519 identity, 64 hex characters/);
    bad((p) => {
      p.analysts['acme-research'] = 'z'.repeat(64);
    }, /analysts\.acme-research: must be an Ed25519 identity/);
    bad((p) => {
      p.grants[0].purposes = ['train', 'marketing'];
    }, /grants\[0\]\.purposes: unknown purpose "marketing"; purposes are train, query, score, valuation/);
    bad((p) => {
      p.grants[0].jobKinds = ['fit'];
    }, /grants\[0\]\.jobKinds: unknown job kind "fit"; job kinds are train, query, score, overlap/);
    bad((p) => {
      (p.datasets as any).patients = { label: 'x' };
    }, /datasets\.patients: data set "patients" is not in the node config \(it serves: customers, orders\)/);
    bad((p) => {
      p.grants[0].datasets = ['patients'];
    }, /grants\[0\]\.datasets: data set "patients" is not in the node config/);
    bad((p) => {
      p.grants[1].id = 'acme-train';
    }, /grants\[1\]\.id: duplicate grant id "acme-train"/);
    bad((p) => {
      delete (p.grants[0] as any).expires;
    }, /grants\[0\]\.expires: is required/);
    bad((p) => {
      p.grants[0].expires = '2027-06-30T10:00:00';
    }, /grants\[0\]\.expires: 2027-06-30T10:00:00 has no time zone/);
    bad((p) => {
      p.grants[0].expires = 'next year';
    }, /grants\[0\]\.expires: "next year" is not an ISO date/);
    bad((p) => {
      p.grants[0].budget = { perJob: -1 } as any;
    }, /grants\[0\]\.budget\.perJob: must be a positive number/);
    bad((p) => {
      p.datasets.customers.label = 'email';
    }, /datasets\.customers\.label: "email" is not among datasets\.customers\.columns/);
    bad((p) => {
      p.grants[0].purposes = [] as any;
    }, /grants\[0\]\.purposes: must be a non-empty list/);
    bad((p) => {
      delete (p as any).grants;
    }, /grants: is required/);
  });

  it('loads YAML files and is named by the participant config', () => {
    const dir = tempDir('tessera-policy-').dir;
    writeFileSync(
      join(dir, 'policy.yaml'),
      [
        'analysts:',
        `  acme-research: ${ACME}`,
        'grants:',
        '  - id: acme-train',
        '    analysts: [acme-research]',
        '    purposes: [train]',
        '    expires: 2099-06-30',
      ].join('\n'),
    );
    const p = loadConsentPolicy(join(dir, 'policy.yaml'), { datasets: ['customers'] });
    expect(p.grants[0].expires).toBe('2099-06-30');
    writeFileSync(join(dir, 'broken.yaml'), 'grants: [unclosed\n');
    expect(() => loadConsentPolicy(join(dir, 'broken.yaml'), { datasets: [] })).toThrow(/broken\.yaml: \(syntax\)/);
    expect(() => loadConsentPolicy(join(dir, 'missing.yaml'), { datasets: [] })).toThrow(
      /missing\.yaml: \(file\): cannot be read/,
    );
    const config = parseParticipantConfig(
      {
        name: 'shop',
        coordinator: '127.0.0.1:7070',
        participantId: 'p-1',
        identityKey: 'identity.key',
        datasets: { customers: { type: 'csv', path: 'c.csv' } },
        policy: './policy.yaml',
      },
      'node.yaml',
      dir,
    );
    expect(config.policy).toBe(join(dir, 'policy.yaml'));
    expect(() => parseParticipantConfig({ ...config, policy: 3 }, 'node.yaml', dir)).toThrow(
      /node\.yaml: policy: must be a file path/,
    );
  });

  it('serves only the columns a policy allows, and names the file and column the data lacks', () => {
    const dir = tempDir('tessera-columns-').dir;
    writeFileSync(join(dir, 'c.csv'), 'age,spend,email,churned\n30,10,a@x,1\n40,20,b@x,0\n');
    const data = new LocalData({
      customers: { type: 'csv', path: join(dir, 'c.csv'), exclude: [], columns: ['age', 'spend', 'churned'] },
    });
    data.validate();
    expect(data.table('customers').columns).toEqual(['age', 'spend', 'churned']);
    expect(data.table('customers').rows).toEqual([
      ['30', '10', '1'],
      ['40', '20', '0'],
    ]);
    expect(data.servedColumns('customers')).toEqual(['age', 'spend', 'churned']);
    const missing = new LocalData({
      customers: {
        type: 'csv',
        path: join(dir, 'c.csv'),
        exclude: [],
        columns: ['age', 'region'],
        columnsFrom: '/srv/policy.yaml',
      },
    });
    expect(() => missing.validate()).toThrow(
      joinedRegExp(
        /c\.csv.*column "region".*policy\.yaml: datasets\.customers\.columns lists "region", /,
        /which this data does not have \(its columns: age, spend, email, churned\)/,
      ),
    );
  });

  it('a node with a policy serves only its columns and refuses another label, before reading', () => {
    const dir = tempDir('tessera-node-policy-').dir;
    writeFileSync(join(dir, 'c.csv'), 'age,spend,email,churned\n30,10,a@x,1\n40,20,b@x,0\n');
    writeFileSync(
      join(dir, 'policy.yaml'),
      [
        'datasets:',
        '  customers: { columns: [age, spend, churned], label: churned, allowWithoutPrivacy: true }',
        'grants:',
        '  - { id: all, analysts: ["*"], purposes: [train, query], expires: 2099-01-01 }',
        '',
      ].join('\n'),
    );
    const config = parseParticipantConfig(
      {
        name: 'shop',
        coordinator: '127.0.0.1:1',
        participantId: 'p-1',
        identityKey: 'identity.key',
        policy: 'policy.yaml',
        ledger: ':memory:',
        datasets: { customers: { type: 'csv', path: 'c.csv', exclude: ['spend'] } },
      },
      'node.yaml',
      dir,
    );
    const node = new ParticipantNode({ config: { ...config, ledger: ':memory:' }, identity: generateSigningKeyPair() });
    node.data.validate();
    expect(node.data.table('customers').columns).toEqual(['age', 'spend', 'churned']);
    expect(node.data.servedColumns('customers')).toEqual(['age', 'churned']);
    const task = (label: string) => ({
      ref: { jobId: 'j', stage: tessera.v1.Stage.SCHEMA },
      dataset: 'customers',
      label,
    });
    expect(node.admitData(task('churned'), tessera.v1.Stage.SCHEMA).consent.grantId).toBe('all');
    expect(() => node.admitData(task('email'), tessera.v1.Stage.SCHEMA)).toThrow(ConsentRefusal);
    expect(() => node.admitData(task('email'), tessera.v1.Stage.SCHEMA)).toThrow(
      /only with label "churned" .* this job's label is "email"/,
    );
    expect(
      () => new ParticipantNode({ config, identity: generateSigningKeyPair(), data: new LocalData(config.datasets) }),
    ).toThrow(/restricts columns needs the node to open its own data/);
    void node.stop();
  });
});
