// The one place this package loads TensorFlow.js: tfjs-core, its gradients, the layers API and the pure-JS CPU
// backend. tfjs-core picks the backend (the CPU one unless the application registered another and set it).
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

export * as tf from '@tensorflow/tfjs-core';
export { tfl };
export type { LayersModel } from '@tensorflow/tfjs-layers';
