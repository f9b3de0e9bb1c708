import { expect } from 'vitest';
import { ConsentRefusal } from '../../src/index.js';

/** Runs `f`, which must throw a ConsentRefusal; returns its message. */
export const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConsentRefusal);
    return (e as Error).message;
  }
  throw new Error('expected a ConsentRefusal');
};
