// How big a job's tfjs model is, read from its topology JSON before tfjs builds anything: a coordinator or an analyst
// must not make a node allocate an unbounded model. Jobs carry Sequential stacks of the layers tabular models use.

/** Layer classes a job's tfjs model may use, and the parameters each adds for an input of width w. */
const LAYERS: Record<string, (config: Record<string, unknown>, w: number) => { params: number; width: number }> = {
  InputLayer: (_c, w) => ({ params: 0, width: w }),
  Dense: (c, w) => {
    const units = positiveInt(c.units, 'Dense units');
    return { params: w * units + (c.use_bias === false ? 0 : units), width: units };
  },
  Dropout: (_c, w) => ({ params: 0, width: w }),
  Activation: (_c, w) => ({ params: 0, width: w }),
  BatchNormalization: (_c, w) => ({ params: 4 * w, width: w }),
  LayerNormalization: (_c, w) => ({ params: 2 * w, width: w }),
};

export const TOPOLOGY_LIMITS = Object.freeze({ parameters: 5_000_000, layers: 64 });

function positiveInt(v: unknown, what: string): number {
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 1_000_000)
    throw new RangeError(`${what} must be an integer from 1 to 1000000, got ${JSON.stringify(v)}`);
  return v as number;
}

/**
 * The parameter count of a Sequential topology of Dense, Dropout, Activation, BatchNormalization and
 * LayerNormalization layers; throws naming the problem for anything else, or past the limits.
 */
export function topologyParameters(topology: unknown, limits = TOPOLOGY_LIMITS): number {
  const t = topology as { class_name?: unknown; config?: { layers?: unknown } };
  if (t?.class_name !== 'Sequential' || !Array.isArray(t.config?.layers))
    throw new RangeError(
      "a job's tfjs model must be a Sequential model (tf.sequential); got class_name " +
        `${JSON.stringify(t?.class_name)}`,
    );
  const layers = t.config.layers as { class_name?: unknown; config?: Record<string, unknown> }[];
  if (layers.length === 0 || layers.length > limits.layers)
    throw new RangeError(`a job's tfjs model has 1 to ${limits.layers} layers, this one ${layers.length}`);
  const first = layers[0]?.config?.batch_input_shape;
  if (!Array.isArray(first) || first.length !== 2)
    throw new RangeError("the first layer of a job's tfjs model must give its input shape as [null, features]");
  let width = positiveInt(first[1], 'the input width');
  let params = 0;
  for (const [i, layer] of layers.entries()) {
    const name = String(layer.class_name);
    const size = Object.hasOwn(LAYERS, name) ? LAYERS[name] : undefined;
    if (!size)
      throw new RangeError(
        `layer ${i} is a ${name}; a job's tfjs model uses ${Object.keys(LAYERS).join(', ')} layers only`,
      );
    const next = size(layer.config ?? {}, width);
    params += next.params;
    width = next.width;
    if (params > limits.parameters)
      throw new RangeError(`the tfjs model has more than ${limits.parameters} parameters (at layer ${i})`);
  }
  return params;
}
