// The demo's options as the in-process demo tests run it (participants inline, no progress), and the example data.
import { fileURLToPath } from 'node:url';
import type { DemoOptions } from '../src/demo/run-demo.js';

/** A bundled data set: examples/data/NAME.csv. */
export const example = (name: string) => fileURLToPath(new URL(`../../../examples/data/${name}.csv`, import.meta.url));

/** 3 participants, 10 rounds, seed 1, a fifth held out, batch 32, 1 local epoch, inline and quiet; then `o`. */
export function demoOptions(o: Partial<DemoOptions> = {}): DemoOptions {
  return {
    participants: 3,
    rounds: 10,
    seed: 1,
    testFraction: 0.2,
    batchSize: 32,
    localEpochs: 1,
    runtime: 'inline',
    progress: false,
    ...o,
  };
}
