// A training job's model on the wire (ModelConfig), to and from the plain description the job spec gives.
import type { tessera } from './gen/tessera.js';

/** The fields of a job spec's model section that travel with every training task and with the result. */
export interface WireModel {
  type: string;
  task: string;
  hidden?: number[];
  activation?: string;
  dropout?: number;
  classes?: string[];
  labelRange?: [number, number];
  topology?: unknown;
}

export function toModelConfig(model: WireModel, optimiser: string): tessera.v1.IModelConfig {
  return {
    kind: model.type,
    task: model.task,
    hidden: model.hidden ?? [],
    activation: model.activation ?? '',
    dropout: model.dropout ?? 0,
    classes: model.classes ?? [],
    labelRange: model.labelRange ?? [],
    topologyJson: model.topology === undefined ? '' : JSON.stringify(model.topology),
    optimiser,
  };
}

/**
 * The model a ModelConfig describes; an absent config is binary logistic regression. Throws naming the field when the
 * topology is not JSON or the label range is not a pair.
 */
export function fromModelConfig(c: tessera.v1.IModelConfig | null | undefined): WireModel & { optimiser: string } {
  if (!c || !c.kind) return { type: 'logistic', task: 'binary', optimiser: c?.optimiser || 'sgd' };
  const out: WireModel & { optimiser: string } = {
    type: c.kind,
    task: c.task || 'binary',
    optimiser: c.optimiser || 'sgd',
  };
  if (c.hidden?.length) out.hidden = [...c.hidden];
  if (c.activation) out.activation = c.activation;
  if (c.dropout) out.dropout = c.dropout;
  if (c.classes?.length) out.classes = [...c.classes];
  if (c.labelRange?.length) {
    if (c.labelRange.length !== 2)
      throw new Error(`model.label_range must hold [low, high], got ${c.labelRange.length} values`);
    out.labelRange = [c.labelRange[0]!, c.labelRange[1]!];
  }
  if (c.topologyJson) {
    try {
      out.topology = JSON.parse(c.topologyJson) as unknown;
    } catch (e) {
      throw new Error(`model.topology_json is not JSON (${(e as Error).message})`);
    }
  }
  return out;
}
