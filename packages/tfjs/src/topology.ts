import { topologyParameters } from './topology-size.js';
import type { Model } from '@tessera/ml';
import { tf, tfl, type LayersModel } from './tfjs.js';
import { type TfjsModelOptions, tfjsModel } from './tfjs-model.js';

/** A LayersModel's architecture as JSON (model.toJSON(null, false)): layers, shapes, activations; no weights. */
export type TfjsTopology = { class_name: string; config: unknown } & Record<string, unknown>;

/** The JSON topology a job spec can carry so that participants rebuild the same model without running code. */
export function topologyOf(layersModel: LayersModel): TfjsTopology {
  return layersModel.toJSON(null, false) as unknown as TfjsTopology;
}

/** Every class_name in the topology (layers, initialisers, regularisers, constraints, nested models). */
function classNames(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const item of node) classNames(item, out);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'class_name' && typeof value === 'string') out.add(value);
      else classNames(value, out);
    }
  }
  return out;
}

/** Throws naming every class the topology uses that this process's tfjs has not registered. */
export function checkTopologyClasses(topology: unknown): void {
  if (topology === null || typeof topology !== 'object' || typeof (topology as TfjsTopology).class_name !== 'string') {
    throw new RangeError('a tfjs topology must be the JSON object of model.toJSON(null, false) (with class_name)');
  }
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  const unknown = [...classNames(topology, new Set())].filter((c) => !Object.hasOwn(known, c));
  if (unknown.length > 0) {
    throw new RangeError(
      `the tfjs topology uses ${unknown.length === 1 ? 'a class' : 'classes'} tfjs does not know: ` +
        `${unknown.join(', ')}; custom layers cannot be rebuilt from JSON, use tfjs's built-in layers only`,
    );
  }
}

/**
 * Rebuilds the LayersModel of a topology (topologyOf's output, or its JSON text) and wraps it with tfjsModel.
 * Only classes tfjs itself registers are accepted, so no user code runs. The rebuilt model's own initial
 * weights are random: start from model.init(rng) or from the job's global parameters.
 */
export async function tfjsModelFromTopology(
  topology: TfjsTopology | string,
  options: TfjsModelOptions,
): Promise<{ model: Model; layersModel: LayersModel }> {
  const json: unknown = typeof topology === 'string' ? JSON.parse(topology) : topology;
  checkTopologyClasses(json);
  // Bounded before tfjs allocates anything: a Sequential stack of tabular layers, at most TOPOLOGY_LIMITS.
  topologyParameters(json);
  const layersModel = await tfl.models.modelFromJSON({ modelTopology: json as tf.io.ModelJSON['modelTopology'] });
  return { model: tfjsModel(layersModel, options), layersModel };
}
