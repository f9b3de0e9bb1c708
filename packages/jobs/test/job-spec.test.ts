import { describe, expect, it } from 'vitest';
import {
  accountingSampleRate,
  JOB_SPEC_DEFAULTS,
  JobSpecError,
  parseJobSpec,
  participantSampling,
} from '../src/index.js';

/** Parses and returns the JobSpecError it must throw. */
function specError(input: unknown): JobSpecError {
  try {
    parseJobSpec(input);
  } catch (e) {
    expect(e).toBeInstanceOf(JobSpecError);
    return e as JobSpecError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

const base = { dataset: 'customers', label: 'churned' };

describe('parseJobSpec', () => {
  it('validates the privacy section, naming the field to change', () => {
    expect(parseJobSpec({ ...base, privacy: { mode: 'distributed', epsilon: 2 } }).privacy).toEqual({
      mode: 'distributed',
      unit: 'participant',
      epsilon: 2,
      delta: 1e-5,
      clip: 10,
      maxRecords: 100_000,
    });
    expect(parseJobSpec({ ...base, secure: { clip: 3 }, privacy: { mode: 'central' } }).privacy.clip).toBe(3);
    expect(parseJobSpec({ ...base, privacy: { mode: 'local', unit: 'record' } }).privacy).toEqual({
      mode: 'local',
      unit: 'record',
      epsilon: 4,
      delta: 1e-5,
      clip: 1,
      maxRecords: 100_000,
    });
    expect(parseJobSpec({ ...base, privacy: { mode: 'distributed', unit: 'record', clip: 0.5 } }).privacy.clip).toBe(
      0.5,
    );
    expect(specError({ ...base, privacy: { mode: 'distributed', clip: 0 } }).message).toMatch(
      /privacy\.clip: must be greater than 0/,
    );
    expect(
      parseJobSpec({ ...base, privacy: { mode: 'distributed', adaptiveClip: true } }).privacy.adaptiveClip,
    ).toEqual({ targetQuantile: 0.5, learningRate: 0.2 });
    expect(
      parseJobSpec({ ...base, privacy: { mode: 'central', adaptiveClip: { targetQuantile: 0.8, bitNoiseStd: 2 } } })
        .privacy.adaptiveClip,
    ).toEqual({ targetQuantile: 0.8, learningRate: 0.2, bitNoiseStd: 2 });
    expect(
      specError({ ...base, privacy: { mode: 'distributed', adaptiveClip: { targetQuantile: 1.5 } } }).message,
    ).toMatch(/privacy\.adaptiveClip\.targetQuantile: must be at most 1/);
    expect(
      specError({ ...base, privacy: { mode: 'distributed', unit: 'record', adaptiveClip: true } }).message,
    ).toMatch(/privacy\.adaptiveClip: .*needs privacy\.unit participant/);
    expect(specError({ ...base, privacy: { mode: 'distributed', unit: 'customer' } }).message).toMatch(
      /privacy\.unit: must be "participant" .* or "record"/,
    );
    expect(specError({ ...base, privacy: { mode: 'distributed', epsilon: -1 } }).message).toMatch(/privacy\.epsilon/);
    expect(specError({ ...base, privacy: { mode: 'distributed', delta: 0 } }).message).toMatch(
      /privacy\.delta: must be greater than 0/,
    );
    expect(specError({ ...base, privacy: { mode: 'distributed', epsilon: 0 } }).message).toMatch(
      /privacy\.epsilon: must be greater than 0/,
    );
    expect(specError({ ...base, privacy: { mode: 'distributed', delta: 1 } }).message).toMatch(
      /privacy\.delta: must be at most/,
    );
    expect(specError({ ...base, privacy: { mode: 'laplace' } }).message).toMatch(
      /privacy\.mode: must be "none", "distributed"/,
    );
    expect(specError({ ...base, secure: { mode: 'none' }, privacy: { mode: 'central' } }).message).toMatch(
      /set secure\.mode to "masked"/,
    );
  });

  it(
    'under differential privacy: ' +
      'no validation split, a survivor floor only where it means something, an honest sampling rate',
    () => {
      expect(parseJobSpec({ ...base, privacy: { mode: 'distributed' } }).validationFraction).toBe(0);
      expect(parseJobSpec(base).validationFraction).toBe(0.2);
      expect(specError({ ...base, validationFraction: 0.2, privacy: { mode: 'distributed' } }).message).toMatch(
        /^job spec: validationFraction: is 0\.2, but under differential privacy every row trains/,
      );
      expect(parseJobSpec({ ...base, validationFraction: 0, privacy: { mode: 'local' } }).validationFraction).toBe(0);
      expect(parseJobSpec({ ...base, privacy: { mode: 'distributed', survivorFloor: 4 } }).privacy.survivorFloor).toBe(
        4,
      );
      expect(specError({ ...base, privacy: { mode: 'central', survivorFloor: 4 } }).message).toMatch(
        /privacy\.survivorFloor: sizes the noise shares of distributed mode/,
      );
      expect(specError({ ...base, privacy: { mode: 'distributed', survivorFloor: 1 } }).message).toMatch(
        /privacy\.survivorFloor: must be at least 2/,
      );
      // Re-parsing a normalised spec (what the coordinator stores) gives the same spec.
      const normal = parseJobSpec({ ...base, privacy: { mode: 'distributed', survivorFloor: 3 } });
      expect(parseJobSpec(JSON.parse(JSON.stringify(normal)))).toEqual(normal);
      const sampled = (mode: string, unit = 'participant') =>
        parseJobSpec({ ...base, strategy: { fractionFit: 0.1 }, privacy: { mode, unit } });
      expect(accountingSampleRate(sampled('distributed'))).toBe(1);
      expect(accountingSampleRate(sampled('local'))).toBe(1);
      expect(accountingSampleRate(sampled('central'))).toBe(0.1);
      expect(accountingSampleRate(sampled('central', 'record'))).toBe(1);
      expect(participantSampling(sampled('central'))).toBe('poisson');
      expect(participantSampling(sampled('distributed'))).toBe('fixed-size');
      expect(participantSampling(parseJobSpec(base))).toBe('all');
    },
  );

  it('aggregates securely unless told otherwise, and names a bad secure field', () => {
    expect(parseJobSpec({ ...base, secure: { mode: 'none' } }).secure.mode).toBe('none');
    expect(specError({ ...base, secure: { mode: 'open' } }).message).toMatch(/secure\.mode: must be "masked"/);
    expect(specError({ ...base, secure: { bits: 40 } }).message).toMatch(/secure\.bits: must be at most 31/);
    expect(specError({ ...base, secure: { clipp: 1 } }).message).toMatch(
      /secure\.clipp: unknown field \(did you mean "clip"\?\)/,
    );
  });

  it('fills every default from a minimal spec', () => {
    const spec = parseJobSpec(base);
    expect(spec).toEqual({
      name: 'customers-churned',
      kind: 'train',
      dataset: 'customers',
      label: 'churned',
      exclude: [],
      model: { type: 'logistic', l2: JOB_SPEC_DEFAULTS.model.l2, task: 'binary' },
      rounds: JOB_SPEC_DEFAULTS.rounds,
      local: { ...JOB_SPEC_DEFAULTS.local },
      strategy: { ...JOB_SPEC_DEFAULTS.strategy },
      minParticipants: JOB_SPEC_DEFAULTS.minParticipants,
      roundTimeoutSeconds: JOB_SPEC_DEFAULTS.roundTimeoutSeconds,
      waitForParticipantsSeconds: JOB_SPEC_DEFAULTS.waitForParticipantsSeconds,
      maxRoundAttempts: JOB_SPEC_DEFAULTS.maxRoundAttempts,
      validationFraction: JOB_SPEC_DEFAULTS.validationFraction,
      secure: { ...JOB_SPEC_DEFAULTS.secure },
      privacy: {
        mode: 'none',
        unit: 'participant',
        epsilon: 4,
        delta: 1e-5,
        clip: JOB_SPEC_DEFAULTS.secure.clip,
        maxRecords: 100_000,
      },
    });
    expect(spec.secure.mode).toBe('masked');
    expect(spec).not.toHaveProperty('features');
    expect(spec).not.toHaveProperty('seed');
  });

  it('keeps given values, fills the rest of a partly given section, and normalises the seed to a string', () => {
    const spec = parseJobSpec({
      ...base,
      name: 'mine',
      rounds: 3,
      local: { epochs: 2 },
      strategy: { name: 'FedAvg' },
      features: ['a', 'b'],
      exclude: ['id'],
      seed: 7,
    });
    expect(spec.name).toBe('mine');
    expect(spec.rounds).toBe(3);
    expect(spec.local).toEqual({
      epochs: 2,
      batchSize: JOB_SPEC_DEFAULTS.local.batchSize,
      learningRate: JOB_SPEC_DEFAULTS.local.learningRate,
      optimiser: 'sgd',
    });
    expect(spec.strategy.name).toBe('fedavg');
    expect(spec.features).toEqual(['a', 'b']);
    expect(spec.exclude).toEqual(['id']);
    expect(spec.seed).toBe('7');
  });

  it('accepts its own output (the coordinator re-parses stored specs)', () => {
    const spec = parseJobSpec({ ...base, seed: 'x', features: ['a'] });
    expect(parseJobSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it.each([
    ['missing dataset', { label: 'churned' }, 'dataset', /is required/],
    ['empty dataset', { dataset: '  ', label: 'churned' }, 'dataset', /non-empty string/],
    ['missing label', { dataset: 'customers' }, 'label', /is required/],
    ['rounds 0', { ...base, rounds: 0 }, 'rounds', /at least 1, got 0/],
    ['rounds 1.5', { ...base, rounds: 1.5 }, 'rounds', /must be an integer, got 1\.5/],
    ['rounds as a string', { ...base, rounds: '3' }, 'rounds', /must be an integer, got "3"/],
    [
      'local.batchSize "abc"',
      { ...base, local: { batchSize: 'abc' } },
      'local.batchSize',
      /must be an integer, got "abc"/,
    ],
    ['local.learningRate 0', { ...base, local: { learningRate: 0 } }, 'local.learningRate', /greater than 0/],
    ['local not an object', { ...base, local: 5 }, 'local', /must be an object/],
    [
      'strategy.name unknown',
      { ...base, strategy: { name: 'scaffold' } },
      'strategy.name',
      /unknown strategy "scaffold"; known: fedavg, fedavgm, fedprox, fedadam, fedyogi, fedadagrad/,
    ],
    ['strategy.fractionFit 2', { ...base, strategy: { fractionFit: 2 } }, 'strategy.fractionFit', /at most 1/],
    ['label listed in exclude', { ...base, exclude: ['id', 'churned'] }, 'exclude', /label column "churned"/],
    ['label listed in features', { ...base, features: ['a', 'churned'] }, 'features', /label column "churned"/],
    ['features not a list of names', { ...base, features: 'a,b' }, 'features', /list of column names/],
    ['validationFraction 1.5', { ...base, validationFraction: 1.5 }, 'validationFraction', /at most 0\.9, got 1\.5/],
    ['validationFraction -0.1', { ...base, validationFraction: -0.1 }, 'validationFraction', /at least 0/],
    ['minParticipants 0', { ...base, minParticipants: 0 }, 'minParticipants', /at least 1/],
    ['roundTimeoutSeconds 0', { ...base, roundTimeoutSeconds: 0 }, 'roundTimeoutSeconds', /greater than 0/],
    ['maxRoundAttempts 0', { ...base, maxRoundAttempts: 0 }, 'maxRoundAttempts', /at least 1/],
    ['kind not train', { ...base, kind: 'query' }, 'kind', /must be "train"/],
    ['model.type unknown', { ...base, model: { type: 'svm' } }, 'model.type', /must be one of logistic, linear/],
    ['model.kind unknown', { ...base, model: { kind: 'forest' } }, 'model.kind', /must be one of logistic, linear/],
    [
      'too many classes for a binary model',
      { ...base, model: { kind: 'logistic', classes: ['a', 'b', 'c'] } },
      'model.classes',
      /lists 3 classes, but a logistic model for a binary task predicts 2: use kind softmax or mlp/,
    ],
    [
      'a multiclass model without classes',
      { ...base, model: { kind: 'softmax' } },
      'model.classes',
      /is required for a multiclass model/,
    ],
    ['a regression without a label range', { ...base, model: { kind: 'linear' } }, 'model.labelRange', /required/],
    ['an mlp with a zero-width layer', { ...base, model: { kind: 'mlp', hidden: [64, 0] } }, 'model.hidden[1]', /1 to/],
    [
      'an unknown strategy option',
      { ...base, strategy: { name: 'fedadam', momentum: 0.9 } },
      'strategy.momentum',
      /unknown field.*known fields: name, fractionFit, serverLearningRate, beta1, beta2, tau/,
    ],
    ['a strategy option out of range', { ...base, strategy: { name: 'fedadam', beta1: 1 } }, 'strategy.beta1', /beta1/],
    ['fedprox without its mu', { ...base, strategy: { name: 'fedprox' } }, 'strategy.proximalMu', /required/],
    [
      'early stopping under DP',
      { ...base, earlyStopping: { patience: 2 }, privacy: { mode: 'distributed' } },
      'earlyStopping',
      /privacy mode none/,
    ],
    ['seed an object', { ...base, seed: { a: 1 } }, 'seed', /string or number/],
    ['NaN number', { ...base, model: { l2: Number.NaN } }, 'model.l2', /must be a number/],
  ])('refuses %s, naming the field', (_what, input, field, message) => {
    const e = specError(input);
    expect(e.field).toBe(field);
    expect(e.message).toContain(`job spec: ${field}: `);
    expect(e.message).toMatch(message);
  });

  it('refuses an unknown top-level field with a did-you-mean hint', () => {
    const e = specError({ ...base, rouns: 5 });
    expect(e.field).toBe('rouns');
    expect(e.message).toContain('unknown field');
    expect(e.message).toContain('did you mean "rounds"?');
    expect(e.message).toContain('known fields: name, kind, dataset');
  });

  it('refuses an unknown field without a hint when nothing is close', () => {
    const e = specError({ ...base, colour: 'blue' });
    expect(e.field).toBe('colour');
    expect(e.message).not.toContain('did you mean');
  });

  it('refuses an unknown nested field with its full path and a hint', () => {
    const e = specError({ ...base, local: { epochs: 1, batchsize: 8 } });
    expect(e.field).toBe('local.batchsize');
    expect(e.message).toContain('did you mean "batchSize"?');
    expect(e.message).toContain('known fields: epochs, batchSize, learningRate');

    const s = specError({ ...base, strategy: { nmae: 'fedavg' } });
    expect(s.field).toBe('strategy.nmae');
    expect(s.message).toContain('did you mean "name"?');
  });

  it.each([
    ['null', null],
    ['an array', [base]],
    ['a string', 'dataset: customers'],
    ['a number', 42],
    ['undefined', undefined],
  ])('refuses a non-object root (%s)', (_what, input) => {
    const e = specError(input);
    expect(e.field).toBe('(root)');
    expect(e.message).toMatch(/a job spec is an object with at least "dataset" and "label"/);
  });
});

describe('payout section', () => {
  const base = { dataset: 'customers', label: 'repurchase' };
  const payout = { pool: 100000, currency: 'CNY', validation: { csv: 'a,repurchase\n1,yes\n2,no\n', source: 'v.csv' } };

  it(
    'fills defaults (auto: exact Shapley up to 12 contributors, GTG beyond; negated log loss) ' +
      'and parses its own output to the same spec',
    () => {
      const spec = parseJobSpec({ ...base, payout });
      expect(spec.payout).toEqual({
        pool: 100000,
        currency: 'CNY',
        valuation: 'auto',
        metric: 'logLoss',
        validation: payout.validation,
      });
      expect(parseJobSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    },
  );

  it("accepts the design's method names as aliases", () => {
    expect(parseJobSpec({ ...base, payout: { ...payout, valuation: 'gtg-shapley' } }).payout!.valuation).toBe('gtg');
    expect(parseJobSpec({ ...base, payout: { ...payout, valuation: 'tmc-shapley' } }).payout!.valuation).toBe('tmc');
    expect(() => parseJobSpec({ ...base, payout: { ...payout, valuation: 'banzhaf' } })).toThrow(
      /payout\.valuation: must be one of auto, records, loo, shapley, tmc, gtg, equal, got "banzhaf"/,
    );
  });

  it('names the field of a bad pool, currency, metric or validation, and an unknown field', () => {
    expect(() => parseJobSpec({ ...base, payout: { ...payout, pool: '100' } })).toThrow(
      /payout\.pool: must be a non-negative integer.*"100"/,
    );
    expect(() => parseJobSpec({ ...base, payout: { ...payout, pool: 2 ** 53 } })).toThrow(/payout\.pool/);
    expect(() => parseJobSpec({ ...base, payout: { ...payout, currency: 'cny' } })).toThrow(/payout\.currency/);
    expect(() => parseJobSpec({ ...base, payout: { ...payout, metric: 'f1' } })).toThrow(/payout\.metric/);
    expect(() => parseJobSpec({ ...base, payout: { ...payout, validation: { path: 'v.csv' } } })).toThrow(
      /payout\.validation/,
    );
    expect(() => parseJobSpec({ ...base, payout: { ...payout, poool: 1 } })).toThrow(/payout\.poool: unknown field/);
    expect(() => parseJobSpec({ ...base, secure: { mode: 'sealed' }, payout })).toThrow(/payout: .*sealed/);
  });
});
