// The federated model's quality: its result (parameters and standardisation) evaluated on the held-out test split.
import { encodeTable, type AgreedSchema, type LabelTarget, type RawTable } from '@tessera/data';
import { standardise, type ModelSpec } from '@tessera/ml';
import type { JobResult } from '@tessera/sdk';
import { demoModel, qualityOn } from './demo-model.js';
import type { DemoTarget } from './demo-task.js';
import type { Quality } from './quality.js';

/**
 * Evaluates the job's final parameters on the test table: encoded with the result's features, standardised with
 * the federated statistics, scored by the same Model (modelFromSpec) the participants trained, and a regression's
 * predictions scaled back to label units. Returns the quality and the agreed schema the baselines encode with.
 */
export function federatedQuality(
  result: JobResult,
  test: RawTable,
  spec: ModelSpec,
  target: DemoTarget,
  labelTarget: LabelTarget,
): { quality: Quality; schema: AgreedSchema } {
  const schema: AgreedSchema = { label: result.label, features: result.features, target: labelTarget };
  const enc = encodeTable(test, schema);
  const model = demoModel(spec, target, enc.d);
  if (result.weights.length !== model.size)
    throw new Error(
      `the federated result holds ${result.weights.length} parameters, but a ${spec.kind} model of ` +
        `${enc.d} features has ${model.size}: the job did not train the model the demo asked for`,
    );
  const z = standardise(enc, {
    mean: Float64Array.from(result.mean),
    std: Float64Array.from(result.std),
    ...(result.standardisedClip > 0 ? { clip: result.standardisedClip } : {}),
  });
  return { quality: qualityOn(model, Float64Array.from(result.weights), z, enc.y, target), schema };
}
