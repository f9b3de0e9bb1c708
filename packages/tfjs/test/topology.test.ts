import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tessera/ml';
import { checkTopologyClasses, tfjsModel, tfjsModelFromTopology, tfl, topologyOf } from '@tessera/tfjs';

function net(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [4], units: 5, activation: 'relu', kernelRegularizer: tfl.regularizers.l2() }),
      tfl.layers.dropout({ rate: 0.1 }),
      tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
}

const DATA = { x: Float64Array.from({ length: 12 }, (_, i) => Math.sin(i)), n: 3, d: 4 };

describe('tfjs topologies', () => {
  it('round trip: the JSON topology rebuilds a model with the same parameters and predictions', async () => {
    const original = tfjsModel(net(), { task: 'binary' });
    const topology = topologyOf(net());
    const text = JSON.stringify(topology);
    expect(JSON.parse(text)).toEqual(topology);
    const { model, layersModel } = await tfjsModelFromTopology(text, { task: 'binary' });
    expect(layersModel.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dropout', 'Dense']);
    expect(model.size).toBe(original.size);
    expect(model.size).toBe(4 * 5 + 5 + 5 + 1);
    const params = original.init(seededRandom('topology'));
    expect(model.init(seededRandom('topology'))).toEqual(params);
    expect(model.predict(params, DATA)).toEqual(original.predict(params, DATA));
    expect(topologyOf(layersModel)).toMatchObject({ class_name: 'Sequential' });
  });

  it('refuses a class tfjs does not know, naming it, before building anything', async () => {
    const topology = topologyOf(net()) as { config: { layers: { class_name: string }[] } };
    topology.config.layers[1]!.class_name = 'MyAttention';
    expect(() => checkTopologyClasses(topology)).toThrow(/a class tfjs does not know: MyAttention; custom layers/);
    await expect(tfjsModelFromTopology(topology as never, { task: 'binary' })).rejects.toThrow(/MyAttention/);
    await expect(tfjsModelFromTopology('[1, 2]', { task: 'binary' })).rejects.toThrow(/model.toJSON\(null, false\)/);
  });
});
