import { expect } from 'vitest';
import { DataError } from '../../src/index.js';

/** Runs `fn`, expects a DataError, and returns it for further checks. */
export function dataErrorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError, but nothing was thrown');
}
