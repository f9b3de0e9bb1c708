import type { Random } from '@tessera/crypto';
import { checkLabeled, type LabeledData } from '../matrix.js';
import { checkFeatures, checkParams } from './model-checks.js';
import type { LocalTraining, LocalTrainingResult, Model } from './model.js';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

function checkTraining(model: Model, cfg: LocalTraining): void {
  if (!(Number.isFinite(cfg.learningRate) && cfg.learningRate >= 0)) {
    throw new RangeError(`learningRate must be finite and >= 0, got ${cfg.learningRate}`);
  }
  if (!(Number.isInteger(cfg.batchSize) && cfg.batchSize >= 1)) {
    throw new RangeError(`batchSize must be an integer >= 1, got ${cfg.batchSize}`);
  }
  if (!(Number.isInteger(cfg.epochs) && cfg.epochs >= 0)) {
    throw new RangeError(`epochs must be an integer >= 0, got ${cfg.epochs}`);
  }
  const optimiser = cfg.optimiser ?? 'sgd';
  if (optimiser !== 'sgd' && optimiser !== 'adam') {
    throw new RangeError(`optimiser must be 'sgd' or 'adam', got ${JSON.stringify(optimiser)}`);
  }
  const mu = cfg.proximalMu ?? 0;
  if (!(Number.isFinite(mu) && mu >= 0)) throw new RangeError(`proximalMu must be finite and >= 0, got ${mu}`);
  if (mu > 0) {
    if (cfg.anchor === undefined)
      throw new RangeError("proximalMu > 0 needs the anchor (the round's global parameters)");
    if (cfg.anchor.length !== model.size) {
      throw new RangeError(`anchor has length ${cfg.anchor.length}, expected the model size ${model.size}`);
    }
  }
}

/**
 * One participant's local training: `model.fitLocal` when the model has one; otherwise `epochs` passes of
 * mini-batch SGD or Adam (moments fresh on every call: beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected) over
 * model.lossAndGradient, the rows reshuffled with rng every epoch (the rng also drives dropout). With
 * proximalMu > 0 the FedProx term (mu/2)·||w - anchor||² joins the loss and its gradient. Returns new parameters;
 * `params` is left untouched. For the logistic model with SGD this is trainLogistic step for step.
 */
export function trainModel(
  model: Model,
  params: Float64Array,
  data: LabeledData,
  cfg: LocalTraining,
  rng: Random,
): LocalTrainingResult {
  checkParams(model, params);
  checkFeatures(model, data.d);
  checkLabeled(data);
  checkTraining(model, cfg);
  if (model.fitLocal) return model.fitLocal(params, data, cfg, rng);
  const { n } = data;
  const { learningRate, batchSize } = cfg;
  const mu = cfg.proximalMu ?? 0;
  const anchor = cfg.anchor;
  const adam = cfg.optimiser === 'adam';
  const w = params.slice();
  const size = w.length;
  const gradient = new Float64Array(size);
  const m = adam ? new Float64Array(size) : gradient;
  const v = adam ? new Float64Array(size) : gradient;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let steps = 0;
  let meanLoss = Number.NaN;
  for (let epoch = 0; epoch < cfg.epochs && n > 0; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      let loss = model.lossAndGradient(w, data, order, start, end, gradient, rng);
      if (mu > 0) {
        let distance = 0;
        for (let j = 0; j < size; j++) {
          const diff = w[j]! - anchor![j]!; // checkTraining: anchor has the model's size when mu > 0
          gradient[j]! += mu * diff;
          distance += diff * diff;
        }
        loss += (mu / 2) * distance;
      }
      steps++;
      if (adam) {
        const c1 = 1 - BETA1 ** steps;
        const c2 = 1 - BETA2 ** steps;
        for (let j = 0; j < size; j++) {
          const g = gradient[j]!;
          const mj = BETA1 * m[j]! + (1 - BETA1) * g;
          const vj = BETA2 * v[j]! + (1 - BETA2) * g * g;
          m[j] = mj;
          v[j] = vj;
          w[j]! -= (learningRate * (mj / c1)) / (Math.sqrt(vj / c2) + EPSILON);
        }
      } else {
        for (let j = 0; j < size; j++) w[j]! -= learningRate * gradient[j]!;
      }
      lossSum += loss;
      batches++;
    }
    meanLoss = lossSum / batches;
  }
  return { params: w, meanLoss, steps };
}

/**
 * The pooled-data baseline for any model: from model.init(rng), epochs × rounds epochs of trainModel on all the
 * data (no FedProx term: there is no global model to stay near). Returns the parameters.
 */
export function trainCentralizedModel(
  model: Model,
  data: LabeledData,
  cfg: LocalTraining & { rounds?: number },
  rng: Random,
): Float64Array {
  const rounds = cfg.rounds ?? 1;
  if (!(Number.isInteger(rounds) && rounds >= 0)) throw new RangeError(`rounds must be an integer >= 0, got ${rounds}`);
  const { learningRate, batchSize, epochs, optimiser } = cfg;
  const local: LocalTraining = { learningRate, batchSize, epochs: epochs * rounds };
  if (optimiser !== undefined) local.optimiser = optimiser;
  return trainModel(model, model.init(rng), data, local, rng).params;
}
