import { describe, expect, it } from 'vitest';
import { JobSpecError, parseVerticalSpec, VERTICAL_SPEC_DEFAULTS } from '../src/index.js';

/** Parses and returns the JobSpecError it must throw. */
function refusal(input: unknown): JobSpecError {
  try {
    parseVerticalSpec(input);
  } catch (e) {
    expect(e).toBeInstanceOf(JobSpecError);
    return e as JobSpecError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

const guest = { participant: 'bank', dataset: 'loans', idColumn: 'phone', role: 'guest', label: 'defaulted' };
const host = { participant: 'shop', dataset: 'orders', idColumn: 'phone', role: 'host' };
const minimal = { name: 'risk', kind: 'vertical', parties: [guest, host], model: { kind: 'vertical-logistic' } };
const withParties = (...parties: unknown[]) => ({ ...minimal, parties });
const withModel = (model: unknown) => ({ ...minimal, model });

describe('parseVerticalSpec', () => {
  it('fills the defaults of a minimal spec', () => {
    expect(parseVerticalSpec(minimal)).toEqual({
      name: 'risk',
      kind: 'vertical',
      parties: [
        { ...guest, exclude: [] },
        { ...host, exclude: [] },
      ],
      minOverlap: 100,
      testFraction: 0.2,
      waitForParticipantsSeconds: 120,
      timeoutSeconds: 3600,
      model: { kind: 'vertical-logistic', epochs: 5, batchSize: 1024, learningRate: 0.5, l2: 0 },
      secure: { scheme: 'bfv' },
    });
    expect(parseVerticalSpec(withModel({ kind: 'secureboost' })).model).toEqual({
      kind: 'secureboost',
      trees: 10,
      depth: 3,
      learningRate: 0.3,
      bins: 32,
      minChildWeight: 1,
      lambda: 1,
    });
    const spec = parseVerticalSpec(minimal);
    expect(spec.salt).toBeUndefined();
    expect(spec.seed).toBeUndefined();
    expect('label' in spec.parties[1]!).toBe(false);
    expect(VERTICAL_SPEC_DEFAULTS.minOverlap).toBe(spec.minOverlap);
  });

  it('keeps the fields it is given', () => {
    const spec = parseVerticalSpec({
      ...withParties(
        { ...guest, features: ['income', 'repayments'], exclude: ['branch'] },
        { ...host, exclude: ['email'] },
        { ...host, participant: 'telco', dataset: 'calls' },
      ),
      salt: 'job-7-salt',
      minOverlap: 5000,
      model: { kind: 'secureboost', trees: 4, depth: 8, bins: 32, learningRate: 0.1, minChildWeight: 0, lambda: 2 },
      secure: { scheme: 'bfv' },
      seed: 42,
    });
    expect(spec.parties.map((p) => [p.participant, p.role])).toEqual([
      ['bank', 'guest'],
      ['shop', 'host'],
      ['telco', 'host'],
    ]);
    expect(spec.parties[0]!.features).toEqual(['income', 'repayments']);
    expect(spec.parties[0]!.exclude).toEqual(['branch']);
    expect(spec.parties[1]!.exclude).toEqual(['email']);
    expect(spec.salt).toBe('job-7-salt');
    expect(spec.minOverlap).toBe(5000);
    expect(spec.model).toMatchObject({ trees: 4, depth: 8, bins: 32, minChildWeight: 0, lambda: 2 });
    expect(spec.seed).toBe('42');
  });

  it('accepts its own output unchanged (round trip)', () => {
    const specs = [
      minimal,
      {
        ...withParties({ ...guest, features: ['income'], exclude: ['branch'] }, host),
        salt: 's',
        seed: 7,
        model: { kind: 'secureboost', depth: 5 },
        submission: { nonce: '0123456789abcdef0123', at: '2026-12-02T16:00:00Z' },
      },
      withModel({ kind: 'vertical-logistic', epochs: 3, batchSize: 2, learningRate: 0.05, l2: 0.01 }),
    ];
    for (const input of specs) {
      const once = parseVerticalSpec(input);
      const twice = parseVerticalSpec(JSON.parse(JSON.stringify(once)));
      expect(twice).toEqual(once);
    }
  });

  it('refuses a spec without exactly one guest and at least one host', () => {
    const twoGuests = refusal(withParties(guest, { ...host, role: 'guest', label: 'defaulted' }));
    expect(twoGuests.field).toBe('parties');
    expect(twoGuests.message).toMatch(/exactly one party with role guest .*got 2/);
    const noGuest = refusal(withParties(host, { ...host, participant: 'telco' }));
    expect(noGuest.message).toMatch(/exactly one party with role guest .*got 0/);
    const noHost = refusal(withParties(guest));
    expect(noHost.field).toBe('parties');
    expect(noHost.message).toMatch(/has no host: add at least one party with role host/);
    expect(refusal(withParties()).field).toBe('parties');
    expect(refusal({ ...minimal, parties: undefined }).message).toMatch(/parties: must list the guest/);
    expect(refusal(withParties(guest, { ...host, role: 'owner' })).message).toMatch(
      /parties\[1\]\.role: must be "guest" .* or "host"/,
    );
  });

  it('refuses a label on a host, and a guest without one', () => {
    const e = refusal(withParties(guest, { ...host, label: 'defaulted' }));
    expect(e.field).toBe('parties[1].label');
    expect(e.message).toMatch(/a host holds no label; move the label to the guest's party/);
    const { label: _, ...unlabelled } = guest;
    expect(refusal(withParties(unlabelled, host)).message).toMatch(/parties\[0\]\.label: is required/);
  });

  it('refuses a participant named twice', () => {
    const e = refusal(withParties(guest, host, { ...host, dataset: 'returns' }));
    expect(e.field).toBe('parties[2].participant');
    expect(e.message).toMatch(/"shop" is already parties\[1\]/);
  });

  it("refuses bad party fields, naming the party's field", () => {
    expect(refusal(withParties(guest, { ...host, idColumn: '' })).field).toBe('parties[1].idColumn');
    expect(refusal(withParties({ ...guest, dataset: undefined }, host)).message).toMatch(
      /parties\[0\]\.dataset: is required/,
    );
    expect(refusal(withParties({ ...guest, features: ['income', 'defaulted'] }, host)).message).toMatch(
      /parties\[0\]\.features: lists the label column "defaulted"/,
    );
    expect(refusal(withParties(guest, { ...host, exclude: ['phone'] })).message).toMatch(
      /parties\[1\]\.exclude: lists the id column "phone"/,
    );
    expect(refusal(withParties(guest, { ...host, features: ['a', 'a'] })).message).toMatch(/lists "a" twice/);
    expect(refusal(withParties(guest, { ...host, features: [] })).field).toBe('parties[1].features');
    expect(refusal(withParties(guest, 'shop')).field).toBe('parties[1]');
  });

  it('refuses an unknown model kind and hyperparameters out of range', () => {
    const kind = refusal(withModel({ kind: 'hetero-nn' }));
    expect(kind.field).toBe('model.kind');
    expect(kind.message).toMatch(/must be one of vertical-logistic, secureboost, got "hetero-nn"/);
    expect(refusal({ ...minimal, model: undefined }).message).toMatch(/model: is required/);
    expect(refusal(withModel({})).message).toMatch(/model\.kind: is required/);
    const depth = refusal(withModel({ kind: 'secureboost', depth: 9 }));
    expect(depth.field).toBe('model.depth');
    expect(depth.message).toMatch(/must be at most 8, got 9/);
    const bins = refusal(withModel({ kind: 'secureboost', bins: 1 }));
    expect(bins.field).toBe('model.bins');
    expect(bins.message).toMatch(/must be at least 2, got 1/);
    expect(refusal(withModel({ kind: 'secureboost', bins: 33 })).message).toMatch(/model\.bins: must be at most 32/);
    expect(refusal(withModel({ kind: 'secureboost', trees: 1.5 })).message).toMatch(/model\.trees: must be an integer/);
    expect(refusal(withModel({ kind: 'vertical-logistic', batchSize: 1 })).message).toMatch(
      /model\.batchSize: must be at least 2/,
    );
    expect(refusal(withModel({ kind: 'vertical-logistic', learningRate: 0 })).field).toBe('model.learningRate');
    expect(refusal(withModel({ kind: 'vertical-logistic', epochs: 1001 })).message).toMatch(/the epochs cap/);
    const other = refusal(withModel({ kind: 'vertical-logistic', trees: 5 }));
    expect(other.field).toBe('model.trees');
    expect(other.message).toMatch(/applies to kind secureboost only, not vertical-logistic/);
  });

  it('refuses an unknown field with the closest known name', () => {
    const top = refusal({ ...minimal, minOverlapp: 10 });
    expect(top.field).toBe('minOverlapp');
    expect(top.message).toMatch(/unknown field \(did you mean "minOverlap"\?\)/);
    expect(refusal(withParties(guest, { ...host, idColum: 'phone' })).message).toMatch(
      /parties\[1\]\.idColum: unknown field \(did you mean "idColumn"\?\)/,
    );
    expect(refusal(withModel({ kind: 'secureboost', dept: 4 })).message).toMatch(
      /model\.dept: unknown field \(did you mean "depth"\?\)/,
    );
  });

  it('refuses bad top-level fields, naming them', () => {
    expect(refusal({ ...minimal, kind: 'train' }).message).toMatch(/kind: must be "vertical", got "train"/);
    expect(refusal({ ...minimal, name: undefined }).message).toMatch(/name: is required/);
    expect(refusal({ ...minimal, salt: '' }).field).toBe('salt');
    expect(refusal({ ...minimal, minOverlap: 0 }).message).toMatch(/minOverlap: must be at least 1/);
    expect(refusal({ ...minimal, seed: [1] }).field).toBe('seed');
    expect(refusal({ ...minimal, testFraction: 0 }).message).toMatch(/testFraction: must be greater than 0/);
    expect(refusal({ ...minimal, testFraction: 0.6 }).message).toMatch(/testFraction: must be at most 0.5/);
    expect(refusal({ ...minimal, secure: { scheme: 'ckks' } }).message).toMatch(/secure\.scheme: must be "bfv"/);
    expect(refusal({ ...minimal, secure: { mode: 'masked' } }).field).toBe('secure.mode');
    expect(refusal({ ...minimal, submission: { nonce: 'short' } }).field).toBe('submission.nonce');
    expect(refusal([minimal]).field).toBe('(root)');
  });
});
