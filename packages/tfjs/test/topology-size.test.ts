// A job's tfjs topology is bounded before tfjs builds it: Sequential stacks of tabular layers, at most 5M parameters.
import { describe, expect, it } from 'vitest';
import { tfjsModelFromTopology, tfl, topologyOf, topologyParameters } from '../src/index.js';

const dense = (units: number, inputShape?: number[]) =>
  tfl.layers.dense({ units, activation: 'relu', ...(inputShape ? { inputShape } : {}) });

describe('topologyParameters', () => {
  it('counts a Sequential stack as tfjs does', () => {
    const m = tfl.sequential({
      layers: [dense(8, [13]), tfl.layers.dropout({ rate: 0.1 }), tfl.layers.batchNormalization(), dense(3)],
    });
    expect(topologyParameters(topologyOf(m))).toBe(m.countParams());
    m.dispose();
  });

  it('refuses a model over the limit before tfjs allocates it, and layers outside the tabular set', async () => {
    // 30000 × 30000 Dense: 900M parameters, 3.6 GB of float32, never built.
    const huge = {
      class_name: 'Sequential',
      config: {
        name: 'huge',
        layers: [{ class_name: 'Dense', config: { units: 30000, use_bias: true, batch_input_shape: [null, 30000] } }],
      },
    };
    expect(() => topologyParameters(huge)).toThrow(/more than 5000000 parameters \(at layer 0\)/);
    await expect(tfjsModelFromTopology(huge as never, { task: 'binary' })).rejects.toThrow(/more than 5000000/);
    const conv = tfl.sequential({
      layers: [
        dense(8, [8]),
        tfl.layers.reshape({ targetShape: [8, 1] }),
        tfl.layers.conv1d({ filters: 2, kernelSize: 3 }),
      ],
    });
    expect(() => topologyParameters(topologyOf(conv))).toThrow(/layer 1 is a Reshape; .* layers only/);
    conv.dispose();
    expect(() => topologyParameters({ class_name: 'Model', config: {} })).toThrow(/must be a Sequential model/);
  });
});
