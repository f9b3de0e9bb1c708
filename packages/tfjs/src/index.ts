export type { TfjsModelOptions } from './tfjs-model.js';
export { tfjsModel } from './tfjs-model.js';
export type { TfjsLoss } from './losses.js';
export type { TfjsTopology } from './topology.js';
export { checkTopologyClasses, topologyOf, tfjsModelFromTopology } from './topology.js';
export type { WeightSlot } from './flat-weights.js';
export { weightSlots } from './flat-weights.js';
export { tf, tfl } from './tfjs.js';
export type { LayersModel } from './tfjs.js';
