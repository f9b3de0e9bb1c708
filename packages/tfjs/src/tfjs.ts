// The one place this package loads TensorFlow.js: tfjs-core, its gradients, the layers API and the pure-JS CPU
// backend. tfjs-core picks the backend (the CPU one unless the application registered another and set it).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// Production mode: without it the CPU backend's first use prints a banner advising tfjs-node, which downloads a
// binary at install (impossible where Tessera's nodes run) and which participant and coordinator logs must not carry.
// It only turns off debug-time checks, which are off by default anyway.
tf.enableProdMode();

export { tf, tfl };
export type { LayersModel } from '@tensorflow/tfjs-layers';
