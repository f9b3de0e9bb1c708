import { describe, expect, it } from 'vitest';
import { defaultModelSpec, type ModelSpec, modelFromSpec, modelSize } from '../src/index.js';

describe('modelFromSpec', () => {
  it('builds each kind with the layout sizes it documents', () => {
    expect(modelFromSpec({ kind: 'logistic' }, { features: 30, task: 'binary' }).size).toBe(31);
    expect(modelFromSpec({ kind: 'linear', l2: 0 }, { features: 10, task: 'regression' }).size).toBe(11);
    const softmax = modelFromSpec({ kind: 'softmax' }, { features: 13, task: 'multiclass', classes: 3 });
    expect([softmax.size, softmax.outputs, softmax.task]).toEqual([42, 3, 'multiclass']);
    const mlp = modelFromSpec({ kind: 'mlp', hidden: [64, 32] }, { features: 64, task: 'multiclass', classes: 10 });
    expect([mlp.kind, mlp.size, mlp.outputs]).toEqual(['mlp', 64 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10, 10]);
    expect(modelSize({ kind: 'mlp', hidden: [4] }, { features: 3, task: 'regression' })).toBe(3 * 4 + 4 + 4 + 1);
    expect(defaultModelSpec('multiclass')).toEqual({ kind: 'softmax' });
  });

  it('defaults the mlp head from the task', () => {
    const output = (task: 'binary' | 'regression') => {
      const m = modelFromSpec({ kind: 'mlp', hidden: [3] }, { features: 2, task });
      const params = new Float64Array(m.size);
      params[m.size - 1] = 5; // the head's bias; every weight 0
      return m.predict(params, { x: Float64Array.from([1, 1]), n: 1, d: 2 })[0];
    };
    expect(output('binary')).toBeCloseTo(1 / (1 + Math.exp(-5)), 15);
    expect(output('regression')).toBe(5);
  });

  it.each<[ModelSpec, 'binary' | 'multiclass' | 'regression', RegExp]>([
    [{ kind: 'mlp', hidden: [8, 0] }, 'binary', /model\.hidden\[1\] must be a positive integer, got 0/],
    [{ kind: 'mlp', hidden: [] }, 'binary', /model\.hidden must list 1 to 3/],
    [{ kind: 'mlp', hidden: [1, 2, 3, 4] }, 'binary', /model\.hidden must list 1 to 3/],
    [{ kind: 'mlp', hidden: [4], dropout: 1 }, 'binary', /model\.dropout must be in \[0, 1\), got 1/],
    [{ kind: 'mlp', hidden: [4], head: 'softmax' }, 'binary', /model\.head 'softmax' needs a multiclass task/],
    [{ kind: 'mlp', hidden: [4], activation: 'tanh' as 'relu' }, 'binary', /model\.activation must be 'relu'/],
    [{ kind: 'linear' }, 'binary', /model\.kind 'linear' needs a regression task, this one is binary/],
    [{ kind: 'logistic' }, 'regression', /model\.kind 'logistic' needs a binary task/],
    [{ kind: 'logistic', hidden: [3] }, 'binary', /model\.hidden applies to kind 'mlp' only/],
    [{ kind: 'logistic', l2: -1 }, 'binary', /model\.l2 must be a finite number >= 0, got -1/],
    [{ kind: 'forest' as 'mlp' }, 'binary', /model\.kind must be one of logistic, linear, softmax, mlp, got "forest"/],
  ])('rejects %j for a %s task naming the field', (spec, task, message) => {
    expect(() => modelFromSpec(spec, { features: 4, task, classes: 3 })).toThrow(message);
  });

  it('needs classes >= 2 for a multiclass task', () => {
    expect(() => modelFromSpec({ kind: 'softmax' }, { features: 4, task: 'multiclass' })).toThrow(/classes >= 2/);
    const one = { features: 4, task: 'multiclass', classes: 1 } as const;
    expect(() => modelFromSpec({ kind: 'mlp', hidden: [2] }, one)).toThrow(/classes >= 2, got 1/);
  });
});
