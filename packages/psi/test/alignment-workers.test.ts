import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALIGNMENT_DST,
  AlignmentError,
  AlignmentWorkers,
  alignIds,
  alignmentKeys,
  inlineBlinder,
  PsiError,
  psiReady,
} from '@tessera/psi';
import { randomScalarBytes } from '../src/group.js';

let pool: AlignmentWorkers;
beforeAll(async () => {
  await psiReady();
  pool = await AlignmentWorkers.open(); // every core
});
afterAll(() => pool.close());

const salt = randomBytes(32);

describe('AlignmentWorkers', () => {
  it('starts one thread per core by default', () => {
    expect(pool.threads).toBe(availableParallelism());
  });

  it('hashes and blinds byte for byte as this thread does, across chunk boundaries', async () => {
    const keys = alignmentKeys(
      Array.from({ length: 1500 }, (_, i) => `id-${i}`),
      salt,
    );
    const scalar = randomScalarBytes();
    const here = await inlineBlinder.hashAndBlind(keys, scalar, ALIGNMENT_DST);
    const there = await pool.hashAndBlind(keys, scalar, ALIGNMENT_DST);
    expect(Buffer.from(there).equals(Buffer.from(here))).toBe(true);
    const other = randomScalarBytes();
    const twiceHere = await inlineBlinder.reblind(here, other);
    const twiceThere = await pool.reblind(here, other);
    expect(Buffer.from(twiceThere).equals(Buffer.from(twiceHere))).toBe(true);
    expect(Buffer.from(scalar).some((b) => b !== 0)).toBe(true); // the caller's scalar is left alone
  });

  it('refuses an invalid point naming its index in the whole set', async () => {
    const points = await inlineBlinder.hashAndBlind(alignmentKeys(['a', 'b', 'c'], salt), randomScalarBytes(), 'x');
    const many = new Uint8Array(1200 * 32);
    for (let i = 0; i < 1200; i++) many.set(points.subarray((i % 3) * 32, (i % 3) * 32 + 32), i * 32);
    many.fill(0xff, 1100 * 32, 1101 * 32);
    const e = await pool.reblind(many, randomScalarBytes()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PsiError);
    expect((e as PsiError).code).toBe('bad-point');
    expect((e as PsiError).message).toContain('point 1100');
  });

  it('aligns 1000 vs 1000 ids sharing 420 exactly, as the inline run does', async () => {
    const a = Array.from({ length: 1000 }, (_, i) => `c-${i}`);
    const b = Array.from({ length: 1000 }, (_, i) => `c-${i + 580}`);
    const { initiator, responder } = await alignIds(a, b, { salt, blinder: pool });
    expect(initiator.size).toBe(420);
    const ids = Array.from(initiator.rows, (r) => a[r]);
    expect(ids).toEqual(Array.from(responder.rows, (r) => b[r]));
    expect(new Set(ids)).toEqual(new Set(a.slice(580)));
  });

  it('refuses a thread count out of range', async () => {
    const e = await AlignmentWorkers.open(0).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AlignmentError);
    expect((e as AlignmentError).message).toContain('got 0');
  });
});
