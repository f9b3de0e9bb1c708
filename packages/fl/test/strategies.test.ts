import { describe, expect, it } from 'vitest';
import {
  createStrategy,
  FedAdagrad,
  FedAdam,
  FedAvg,
  FedAvgM,
  FedProx,
  FedYogi,
  knownStrategies,
  StrategyOptionError,
  strategyOptionsOf,
  type Strategy,
  type SummedUpdates,
} from '../src/index.js';

/** A streamed sum whose weighted mean delta is `mean` (total weight 4 from two contributors). */
function sumWithMean(mean: number[]): SummedUpdates {
  return { weightedSum: Float64Array.from(mean, (x) => 4 * x), totalWeight: 4, contributors: 2 };
}

function expectClose(actual: Float64Array, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((x, j) => expect(actual[j]).toBeCloseTo(x, 12));
}

const zero = new Float64Array(2);
const round1 = sumWithMean([1, -2]);
const round2 = sumWithMean([2, 2]);

function twoRounds(strategy: Strategy): [Float64Array, Float64Array] {
  const w1 = strategy.aggregateFit(1, zero, round1);
  return [w1, strategy.aggregateFit(2, w1, round2)];
}

describe('FedAvgM', () => {
  it('accumulates a server velocity: v = βv + Δ, w += ηv', () => {
    const [w1, w2] = twoRounds(new FedAvgM({ serverMomentum: 0.5, serverLearningRate: 0.5 }));
    expectClose(w1, [0.5, -1]); // v = [1, -2]
    expectClose(w2, [0.5 + 0.5 * 2.5, -1 + 0.5 * 1]); // v = 0.5·[1, -2] + [2, 2] = [2.5, 1]
  });

  it('is FedAvg with serverMomentum 0', () => {
    expect(twoRounds(new FedAvgM({ serverMomentum: 0 }))).toEqual(twoRounds(new FedAvg()));
  });

  it('leaves model and velocity unchanged in a round nobody contributed to', () => {
    const s = new FedAvgM({ serverMomentum: 0.5 });
    const w1 = s.aggregateFit(1, zero, round1);
    const empty = { weightedSum: new Float64Array(2), totalWeight: 0, contributors: 0 };
    expect(s.aggregateFit(2, w1, empty)).toEqual(w1);
    expect(s.state()).toEqual({ velocity: [1, -2] });
  });
});

describe('FedProx', () => {
  it('sends proximalMu with the local settings and aggregates as FedAvg', () => {
    const prox = new FedProx({ proximalMu: 0.01, localEpochs: 2, serverLearningRate: 0.5 });
    expect(prox.name).toBe('fedprox');
    expect(prox.configureFit(4, ['a', 'b']).config).toEqual({ round: 4, epochs: 2, proximalMu: 0.01 });
    expect(twoRounds(prox)).toEqual(twoRounds(new FedAvg({ serverLearningRate: 0.5 })));
    expect(new FedAvg().configureFit(1, ['a']).config).not.toHaveProperty('proximalMu');
  });
});

describe('adaptive strategies (Reddi et al. 2021, Algorithm 2)', () => {
  const opts = { serverLearningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 };
  const tau2 = 1e-6;
  // m is the same for all three variants: m1 = 0.1·Δ1, m2 = 0.9·m1 + 0.1·Δ2.
  const m1 = [0.1, -0.2];
  const m2 = [0.09 + 0.2, -0.18 + 0.2];
  const step = (m: number, v: number) => (0.1 * m) / (Math.sqrt(v) + 1e-3);

  function check(strategy: Strategy, v1: number[], v2: number[]): void {
    const [w1, w2] = twoRounds(strategy);
    expectClose(w1, [step(m1[0]!, v1[0]!), step(m1[1]!, v1[1]!)]);
    expectClose(w2, [w1[0]! + step(m2[0]!, v2[0]!), w1[1]! + step(m2[1]!, v2[1]!)]);
    const state = strategy.state!();
    expectClose(Float64Array.from(state.m!), m2);
    expectClose(Float64Array.from(state.v!), v2);
  }

  it('FedAdam: v = β₂v + (1 − β₂)Δ², from v = τ²', () => {
    const v1 = [0.99 * tau2 + 0.01 * 1, 0.99 * tau2 + 0.01 * 4];
    check(new FedAdam(opts), v1, [0.99 * v1[0]! + 0.01 * 4, 0.99 * v1[1]! + 0.01 * 4]);
  });

  it('FedYogi: v = v − (1 − β₂)Δ²·sign(v − Δ²), from v = τ²', () => {
    const v1 = [tau2 + 0.01 * 1, tau2 + 0.01 * 4]; // τ² < Δ²: v grows by (1 − β₂)Δ²
    check(new FedYogi(opts), v1, [v1[0]! + 0.01 * 4, v1[1]! + 0.01 * 4]);
  });

  it('FedAdagrad: v = v + Δ², from v = τ²', () => {
    const v1 = [tau2 + 1, tau2 + 4];
    check(new FedAdagrad(opts), v1, [v1[0]! + 4, v1[1]! + 4]);
  });

  it("Yogi's v moves towards Δ² by (1 − β₂)Δ², in the direction of the sign; Adam's decays by β₂", () => {
    const yogi = new FedYogi({ tau: 0.5 }); // v0 = 0.25
    const adam = new FedAdam({ tau: 0.5 });
    const deltas = [[1], [0.1], [0.5]];
    const vs = (s: Strategy) =>
      deltas.map((d, r) => {
        s.aggregateFit(r + 1, new Float64Array(1), sumWithMean(d));
        return s.state!().v![0]!;
      });
    const [y1, y2, y3] = vs(yogi) as [number, number, number];
    expect(y1).toBeCloseTo(0.25 + 0.01 * 1, 14); // v < Δ²: up
    expect(y2).toBeCloseTo(y1 - 0.01 * 0.01, 14); // v > Δ²: down, by (1 − β₂)Δ² only
    expect(y3).toBeCloseTo(y2 - 0.01 * 0.25, 14);
    const [a1, a2] = vs(adam) as [number, number, number];
    expect(a2).toBeCloseTo(0.99 * a1 + 0.01 * 0.01, 14); // Adam forgets the large delta faster
    expect(y2).toBeGreaterThan(a2);
    const same = new FedYogi({ tau: 0.5 }); // v = Δ² exactly: sign 0, v unchanged
    same.aggregateFit(1, new Float64Array(1), sumWithMean([0.5]));
    expect(same.state!().v).toEqual([0.25]);
  });

  it('FedAdam with its defaults converges on a quadratic with heterogeneous participants', () => {
    // Participant i minimises ½·Σⱼ aⱼ(wⱼ − cᵢⱼ)² by 5 local gradient steps; the optimum of the weighted total is
    // the weighted mean of the centres, as every participant has the same curvature.
    const a = [1, 8, 0.5];
    const centres = [
      [3, -1, 2],
      [1, 1, -2],
      [-1, 0.5, 4],
    ];
    const weights = [100, 300, 600];
    const optimum = a.map((_, j) => centres.reduce((s, c, i) => s + weights[i]! * c[j]!, 0) / 1000);
    const strategy = new FedAdam();
    let w: Float64Array = new Float64Array(3);
    const distance = () => Math.hypot(...optimum.map((o, j) => w[j]! - o));
    const start = distance();
    for (let round = 1; round <= 300; round++) {
      const sum = new Float64Array(3);
      centres.forEach((c, i) => {
        const local = w.slice();
        for (let k = 0; k < 5; k++) for (let j = 0; j < 3; j++) local[j]! -= 0.05 * a[j]! * (local[j]! - c[j]!);
        for (let j = 0; j < 3; j++) sum[j]! += weights[i]! * (local[j]! - w[j]!);
      });
      w = strategy.aggregateFit(round, w, { weightedSum: sum, totalWeight: 1000, contributors: 3 });
    }
    expect(start).toBeGreaterThan(2); // 2.06
    expect(distance()).toBeLessThan(1e-4);
  });
});

describe('participant sampling', () => {
  it('is the same for every strategy as for FedAvg, given the seed', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const common = { fractionFit: 0.25, localEpochs: 3, batchSize: 8, learningRate: 0.05, seed: 'same' };
    const picks = (s: Strategy) => [1, 2, 3, 4, 5].map((r) => s.configureFit(r, ids));
    const fedavg = picks(createStrategy({ name: 'fedavg', ...common }));
    expect(new Set(fedavg.map((p) => p.participants.join())).size).toBeGreaterThan(1);
    for (const name of knownStrategies()) {
      const extra = name === 'fedprox' ? { proximalMu: 0.1 } : {};
      const plans = picks(createStrategy({ name, ...common, ...extra }));
      expect(plans.map((p) => p.participants)).toEqual(fedavg.map((p) => p.participants));
      expect(plans.map((p) => p.config)).toEqual(fedavg.map((p) => ({ ...p.config, ...extra })));
    }
  });
});

describe('state round trip', () => {
  const stateful = [
    () => new FedAvgM({ serverMomentum: 0.7 }),
    () => new FedAdam(),
    () => new FedYogi(),
    () => new FedAdagrad(),
  ];

  it.each(stateful.map((make) => [make().name, make] as const))(
    '%s: a restored strategy gives the same next model as the one that never stopped',
    (_name, make) => {
      const running = make();
      expect(running.state()).toEqual({});
      const [, w2] = twoRounds(running);
      const saved = JSON.parse(JSON.stringify(running.state())); // as a coordinator would persist it
      const round3 = sumWithMean([-0.5, 3]);
      const restarted = make();
      restarted.restore(saved);
      const next = running.aggregateFit(3, w2, round3);
      expect(restarted.aggregateFit(3, w2, round3)).toEqual(next);
      expect(restarted.state()).toEqual(running.state());
      expect(make().aggregateFit(3, w2, round3)).not.toEqual(next); // without the state, a different model
      restarted.restore({});
      expect(restarted.state()).toEqual({});
    },
  );

  it('refuses a bad state, naming the key', () => {
    const adam = new FedAdam();
    expect(() => adam.restore({ m: [0], v: [1], extra: [] })).toThrow(/unknown key 'extra'.*known keys: m, v/);
    expect(() => adam.restore({ m: [0, 1] })).toThrow(/lacks 'v'/);
    expect(() => adam.restore({ m: [0, 1], v: [1] })).toThrow(/'v' has length 1, 'm' 2/);
    expect(() => adam.restore({ m: [0], v: [-1] })).toThrow(/'v'\[0\] must be finite and >= 0, got -1/);
    expect(() => new FedAvgM().restore({ velocity: [Number.NaN] })).toThrow(/'velocity'\[0\] must be finite/);
    adam.restore({ m: [0, 0, 0], v: [1, 1, 1] });
    expect(() => adam.aggregateFit(1, zero, round1)).toThrow(/'m' has length 3 but the global model has 2/);
  });
});

describe('createStrategy options', () => {
  it('knows the six strategies and lists their options', () => {
    expect(knownStrategies()).toEqual(['fedavg', 'fedavgm', 'fedprox', 'fedadam', 'fedyogi', 'fedadagrad']);
    const sampling = ['fractionFit', 'minFitParticipants', 'localEpochs', 'batchSize', 'learningRate', 'seed'];
    expect(strategyOptionsOf('FedAdam')).toEqual([...sampling, 'serverLearningRate', 'beta1', 'beta2', 'tau']);
    expect(strategyOptionsOf('fedadagrad')).not.toContain('beta2');
    expect(strategyOptionsOf('fedprox')).toContain('proximalMu');
    expect(strategyOptionsOf('fedavgm')).toContain('serverMomentum');
    expect(() => strategyOptionsOf('scaffold')).toThrow(/unknown strategy 'scaffold'.*fedavg, fedavgm, fedprox/);
  });

  it('builds each by name with its defaults', () => {
    const adam = createStrategy({ name: 'FedAdam' }) as FedAdam;
    expect([adam.name, adam.serverLearningRate, adam.beta1, adam.beta2, adam.tau]).toEqual([
      'fedadam',
      0.1,
      0.9,
      0.99,
      1e-3,
    ]);
    expect((createStrategy({ name: 'fedadagrad' }) as FedAdagrad).serverLearningRate).toBe(1);
    const m = createStrategy({ name: 'fedavgm' }) as FedAvgM;
    expect([m.serverMomentum, m.serverLearningRate]).toEqual([0.9, 1]);
    expect(createStrategy({ name: 'fedprox', proximalMu: 0.01 })).toBeInstanceOf(FedProx);
  });

  function refusal(spec: { name: string } & Record<string, unknown>): StrategyOptionError {
    try {
      createStrategy(spec);
    } catch (error) {
      expect(error).toBeInstanceOf(StrategyOptionError);
      return error as StrategyOptionError;
    }
    throw new Error(`${JSON.stringify(spec)} was accepted`);
  }

  it.each([
    [{ name: 'fedadam', beta1: 1 }, 'beta1', /strategy fedadam: beta1 must be in \[0, 1\), got 1/],
    [{ name: 'fedyogi', beta2: -0.1 }, 'beta2', /beta2 must be in \[0, 1\), got -0.1/],
    [{ name: 'fedadagrad', tau: 0 }, 'tau', /tau must be finite and > 0, got 0/],
    [{ name: 'fedadam', serverLearningRate: -1 }, 'serverLearningRate', /serverLearningRate must be finite and > 0/],
    [{ name: 'fedavgm', serverMomentum: 1 }, 'serverMomentum', /serverMomentum must be in \[0, 1\)/],
    [{ name: 'fedprox' }, 'proximalMu', /strategy fedprox: proximalMu is required: a number > 0/],
    [{ name: 'fedprox', proximalMu: 0 }, 'proximalMu', /proximalMu must be finite and > 0, got 0/],
    [{ name: 'fedavg', fractionFit: 1.5 }, 'fractionFit', /fractionFit must be in \(0, 1\], got 1.5/],
    [{ name: 'fedadam', batchSize: 0.5 }, 'batchSize', /batchSize must be an integer >= 1, got 0.5/],
    [
      { name: 'fedadagrad', beta2: 0.9 },
      'beta2',
      /unknown option 'beta2' for strategy fedadagrad; known options: .*tau/,
    ],
    [{ name: 'fedavg', proximalMu: 0.1 }, 'proximalMu', /unknown option 'proximalMu'.*serverLearningRate/],
  ])('refuses %o, naming the option', (spec, option, message) => {
    const error = refusal(spec);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });

  it('refuses an option of the wrong type', () => {
    expect(() => createStrategy({ name: 'fedadam', tau: '0.001' })).toThrow(/option 'tau' of strategy fedadam/);
  });
});
