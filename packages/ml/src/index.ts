export type { Matrix, LabeledData } from './matrix.js';
export { matrixFromRows, takeRows } from './matrix.js';
export { sigmoid, softplus } from './sigmoid.js';
export type { LogisticConfig } from './logistic-config.js';
export { DEFAULT_LOGISTIC } from './logistic-config.js';
export { logisticInit, predictProba } from './logistic-model.js';
export { logisticGradient } from './logistic-gradient.js';
export { forEachExampleGradient } from './per-example-gradient.js';
export type { TrainResult } from './train-logistic.js';
export { trainLogistic } from './train-logistic.js';
export { trainCentralized } from './train-centralized.js';
export { logLoss } from './log-loss.js';
export { accuracy } from './accuracy.js';
export { auc } from './auc.js';
export type { BinaryMetrics } from './evaluate.js';
export { evaluateBinary } from './evaluate.js';
export type { FeatureMoments } from './moments.js';
export { momentsOf, addMoments } from './moments.js';
export type { Standardisation } from './standardise.js';
export { standardisationFrom, standardise } from './standardise.js';
export type { Random } from '@tessera/crypto';
export { seededRandom, systemRandom, randomFrom } from '@tessera/crypto';
export type { SeparableData } from './synthetic.js';
export { separableData } from './synthetic.js';
export type { LocalOptimiser, LocalTraining, LocalTrainingResult, Model, ModelTask } from './model/model.js';
export type { LinearModelOptions } from './model/logistic.js';
export { logisticModel } from './model/logistic.js';
export { linearModel } from './model/linear.js';
export type { SoftmaxModelOptions } from './model/softmax.js';
export { softmaxModel } from './model/softmax.js';
export type { MlpActivation, MlpHead, MlpOptions } from './model/mlp.js';
export { mlpModel } from './model/mlp.js';
export { trainModel, trainCentralizedModel } from './model/train-model.js';
export {
  metricSumsLength,
  metricSums,
  metricsFromSums,
  evaluateModel,
  regressionMetricsInLabelUnits,
} from './model/task-metrics.js';
export type { ModelContext, ModelKind, ModelSpec } from './model/model-spec.js';
export {
  checkModelSpec,
  defaultHead,
  defaultModelSpec,
  DEFAULT_MODEL_L2,
  modelFromSpec,
  modelSize,
} from './model/model-spec.js';
